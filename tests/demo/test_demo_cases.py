"""The demo's cases: every workflow state in both organisations, in Finnish and English,
timelines that follow the workflow table, breaches, root causes, follow-ups, and the
recovered customers' later answers; each organisation's cases only touch its own data."""

from __future__ import annotations

import itertools
import uuid
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from kohtaamo.accounts.models import Membership, Organisation
from kohtaamo.cases.models import (
    Case,
    CaseEvent,
    CaseMessage,
    CaseRule,
    MessageTemplate,
    TeamMember,
)
from kohtaamo.cases.workflow import State, transition
from kohtaamo.demo import REFERENCE_DATE, seed_demo
from kohtaamo.journeys.models import Customer, Touchpoint
from kohtaamo.metrics.stats import nps
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from kohtaamo.surveys.models import SurveyMeasure, SurveyResponse
from kohtaamo.webhooks.models import WebhookEndpoint

SLUGS = ("elamys", "nordic-events")
RULE_DELAY = timedelta(minutes=5)  # the rule's job opens the case minutes after the answer


def _organisations(db: Database) -> dict[str, uuid.UUID]:
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        rows = session.execute(select(Organisation.slug, Organisation.id)).all()
    return {slug: org_id for slug, org_id in rows}


def _read(db: Database, org: uuid.UUID) -> dict[str, Any]:
    with db.transaction(org, readonly=True) as session:
        cases = list(session.scalars(select(Case).order_by(Case.number)))
        events: dict[uuid.UUID, list[CaseEvent]] = defaultdict(list)
        for e in session.scalars(select(CaseEvent).order_by(CaseEvent.at, CaseEvent.id)):
            events[e.case_id].append(e)
        messages: dict[uuid.UUID, list[CaseMessage]] = defaultdict(list)
        for m in session.scalars(select(CaseMessage).order_by(CaseMessage.created_at)):
            messages[m.case_id].append(m)
        members = {
            (t, u) for t, u in session.execute(select(TeamMember.team_id, TeamMember.user_id))
        }
        return {
            "cases": cases,
            "events": events,
            "messages": messages,
            "members": members,
            "rules": {r.key: r for r in session.scalars(select(CaseRule))},
            "templates": {
                (k, lang)
                for k, lang in session.execute(
                    select(MessageTemplate.key, MessageTemplate.language)
                )
            },
            "webhooks": list(session.scalars(select(WebhookEndpoint))),
            "touchpoints": {t.id: t for t in session.scalars(select(Touchpoint))},
        }


def _check_timeline(case: Case, events: list[CaseEvent], messages: list[CaseMessage]) -> None:
    """The transitions chain from "new" to the case's state through the workflow table,
    in time order and before the reference date; each step with a message sent one."""
    assert events[0].kind == "opened" and events[0].to_state == State.NEW
    assert all(a.at <= b.at for a, b in itertools.pairwise(events))
    assert events[-1].at <= REFERENCE_DATE and case.opened_at == events[0].at
    state = State.NEW
    sent = Counter(m.template_key for m in messages if m.direction == "out")
    expected: Counter[str | None] = Counter()
    for e in (e for e in events if e.kind == "transition"):
        step = transition(state, e.data["action"])  # raises if the table forbids it
        assert e.from_state == state and e.to_state == step.target
        assert e.actor_id is not None and e.actor_label
        if step.message is not None:
            expected[step.message] += 1
        state = step.target
    assert state == case.state, case.number
    assert sent == expected, case.number
    assert all(m.address == case.contact_email for m in messages)
    assert all(m.language == case.language for m in messages)
    # Filled from the templates: no placeholder is left, the case number is in the subject.
    out = [m for m in messages if m.direction == "out"]
    assert all(f"#{case.number}" in m.subject and "{" not in m.body for m in out)


def test_every_state_with_timelines_breaches_root_causes_and_follow_ups(db: Database) -> None:
    seed_demo(db)
    orgs = _organisations(db)

    languages: Counter[str] = Counter()
    for slug in SLUGS:
        found = _read(db, orgs[slug])
        cases: list[Case] = found["cases"]
        assert {c.state for c in cases} == set(State), slug
        assert {"detractor", "expectation_gap", "complaint"} <= set(found["rules"])
        assert found["templates"] == {("acknowledge", "fi" if slug == "elamys" else "en")}
        (hook,) = found["webhooks"]
        assert not hook.active and hook.url == "https://example.invalid/hooks"
        for case in cases:
            languages[case.language] += 1
            _check_timeline(case, found["events"][case.id], found["messages"][case.id])
            # Handled by a member of the team that owns the touchpoint.
            assert case.team_id == found["touchpoints"][case.touchpoint_id].owner_team_id
            if case.assignee_id is not None:
                assert (case.team_id, case.assignee_id) in found["members"]
            closed_or_resolved = case.state in (State.RESOLVED, State.FOLLOW_UP, State.CLOSED)
            if closed_or_resolved:
                assert case.root_cause_touchpoint_id and case.root_cause_theme
                assert case.root_cause_standard
            # One open case per customer and topic: the key is held until closed.
            holds = case.state != State.CLOSED and case.customer_id is not None
            assert (case.open_key is not None) == holds
            kinds = [e.kind for e in found["events"][case.id]]
            if case.acknowledge_breached or case.resolve_breached:
                breaches = case.acknowledge_breached + case.resolve_breached
                assert kinds.count("breach") == kinds.count("escalated") == breaches
                assert case.escalated_at is not None
            else:
                assert "breach" not in kinds
            if case.followup_outcome is not None:
                assert case.followup_at and case.followup_sent_at
                assert case.followup_sent_at <= case.followup_at
                assert "followup" in kinds
        assert any(c.acknowledge_breached for c in cases), slug
        assert any(c.resolve_breached for c in cases), slug
        assert any("reply" in [e.kind for e in found["events"][c.id]] for c in cases)
        reopened = [c for c in cases if "reopen" in _actions(found["events"][c.id])]
        assert reopened and all(c.state == State.ACKNOWLEDGED for c in reopened)

    assert languages["fi"] >= 40 and languages["en"] >= 15, languages
    main = _read(db, orgs["elamys"])["cases"]
    outcomes = Counter(c.followup_outcome for c in main)
    assert {"put_right", "partly", "not_put_right"} <= set(outcomes)
    assert outcomes["put_right"] > outcomes["partly"] > 0
    # Rule cases came from the answers the rules catch, a few minutes after the answer.
    assert Counter(c.source for c in main)["rule"] >= 30
    # Recurring root causes: one standard broken again and again.
    standards = Counter(c.root_cause_standard for c in main if c.root_cause_standard)
    assert standards.most_common(1)[0][1] >= 5


def _actions(events: list[CaseEvent]) -> list[str]:
    return [e.data.get("action", "") for e in events if e.kind == "transition"]


def test_rule_cases_link_real_detractor_and_gap_answers(db: Database) -> None:
    seed_demo(db, size=600)
    org = _organisations(db)["elamys"]
    with db.transaction(org, readonly=True) as session:
        rule_cases = list(session.scalars(select(Case).where(Case.source == "rule")))
        assert rule_cases
        for case in rule_cases:
            response = session.get(SurveyResponse, case.response_id)
            assert response is not None and response.customer_id == case.customer_id
            assert response.finished_at is not None
            assert response.finished_at <= case.opened_at <= response.finished_at + RULE_DELAY
            values = {
                (m.role, m.question_key): m.value
                for m in session.scalars(
                    select(SurveyMeasure).where(SurveyMeasure.response_id == response.id)
                )
            }
            rule = session.get(CaseRule, case.rule_id)
            assert rule is not None and case.origin_key == f"response:{response.id}:{rule.key}"
            if rule.key == "detractor":
                assert values[("nps", "nps")] <= 6
            else:
                gaps = [
                    values[("experience", q)] - v
                    for (role, q), v in values.items()
                    if role == "expectation" and ("experience", q) in values
                ]
                gaps += [v - 3 for (role, _), v in values.items() if role == "expectation_gap"]
                assert min(gaps) <= -2


def test_each_organisation_s_cases_touch_only_its_own_data(db: Database) -> None:
    seed_demo(db, size=300)
    orgs = _organisations(db)
    # Core reads see every organisation: compare what each case links to with its owner.
    with db.engine.connect() as conn:
        owner = {
            "customer": dict(conn.execute(select(Customer.id, Customer.organisation_id)).all()),
            "touchpoint": dict(
                conn.execute(select(Touchpoint.id, Touchpoint.organisation_id)).all()
            ),
            "response": dict(
                conn.execute(select(SurveyResponse.id, SurveyResponse.organisation_id)).all()
            ),
            "rule": dict(conn.execute(select(CaseRule.id, CaseRule.organisation_id)).all()),
        }
        members = set(conn.execute(select(Membership.organisation_id, Membership.user_id)).all())
        cases = conn.execute(select(Case)).all()
        events = conn.execute(select(CaseEvent.organisation_id, Case.organisation_id).join(
            Case, Case.id == CaseEvent.case_id)).all()  # fmt: skip
        team_members = conn.execute(select(TeamMember.organisation_id, TeamMember.user_id)).all()
    assert {c.organisation_id for c in cases} == set(orgs.values())
    for c in cases:
        for kind, value in (
            ("customer", c.customer_id),
            ("touchpoint", c.touchpoint_id),
            ("touchpoint", c.root_cause_touchpoint_id),
            ("response", c.response_id),
            ("rule", c.rule_id),
        ):
            if value is not None:
                assert owner[kind][value] == c.organisation_id, (kind, c.number)
        if c.assignee_id is not None:
            assert (c.organisation_id, c.assignee_id) in members
    assert all(a == b for a, b in events)
    assert all((org, user) in members for org, user in team_members)


def test_recovered_customers_answer_again_as_the_paradox_would_have_it(db: Database) -> None:
    seed_demo(db)
    org = _organisations(db)["elamys"]
    with db.transaction(org, readonly=True) as session:
        closed = {
            c.customer_id: c
            for c in session.scalars(select(Case).where(Case.state == State.CLOSED))
            if c.customer_id is not None and c.followup_outcome is not None
        }
        with_case = set(session.scalars(select(Case.customer_id)))
        answers = session.execute(
            select(SurveyMeasure.customer_id, SurveyMeasure.value, SurveyMeasure.answered_at)
            .where(SurveyMeasure.role == "nps")
        ).all()  # fmt: skip
    later: dict[str, list[float]] = defaultdict(list)
    never: list[float] = []
    for customer_id, value, at in answers:
        case = closed.get(customer_id) if customer_id is not None else None
        if case is not None and case.closed_at is not None and at > case.closed_at:
            later[case.followup_outcome or ""].append(value)
        elif customer_id not in with_case:
            never.append(value)
    assert len(later["put_right"]) >= 20 and len(never) >= 100

    def score(values: list[float]) -> float:
        found = nps(values, min_n=1).nps
        assert found is not None
        return found

    # Slightly above those who never had a problem when put right; well below when not.
    assert score(never) < score(later["put_right"]) < score(never) + 40
    assert score(later["not_put_right"]) < score(never) - 30
    assert max(at for _, _, at in answers) < REFERENCE_DATE

    # The recovery report has something to show on the demo: every number is measured.
    from kohtaamo.cases import recovery

    with db.transaction(org, readonly=True) as session:
        found = recovery.metrics(session, now=REFERENCE_DATE)
        causes = recovery.root_causes(session)
    paradox = found.paradox
    assert paradox.recovered.nps.status == paradox.never.nps.status == "ok"
    assert paradox.recovered.nps.nps > paradox.never.nps.nps  # type: ignore[operator]
    assert found.time_to_acknowledge.status == found.time_to_resolve.status == "ok"
    for compliance in (found.acknowledge_compliance, found.resolve_compliance):
        assert compliance.met > compliance.missed > 0
    assert set(found.followups.outcomes) == {"put_right", "partly", "not_put_right"}
    assert any(group.recurring for group in causes.by_standard)
