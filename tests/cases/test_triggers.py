"""Case rules on real responses and comments: the hook enqueues the evaluation in the
finishing transaction, the job opens one case per customer and topic, and running it
again opens nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from kohtaamo.cases import rules, tasks, triggers
from kohtaamo.cases.models import Case, CaseEvent, CaseRule
from kohtaamo.cases.schemas import CaseIn, CaseRuleIn
from kohtaamo.config import Settings
from kohtaamo.errors import Conflict, InvalidInput, NotFound
from kohtaamo.jobs import Job
from kohtaamo.jobs.runner import Runner
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from kohtaamo.surveys import responses, service
from kohtaamo.surveys.catalogue import ResponseChannel
from kohtaamo.surveys.responses import Submission
from kohtaamo.text import service as text_service
from kohtaamo.text.service import CommentIn
from tests.cases.helpers_core import add_customer
from tests.factories import Factory
from tests.surveys.helpers import SurveyFixture, make_survey

DETRACTOR = {"ease": {"expected": 5, "experienced": 2}, "nps": 3}
PROMOTER = {"ease": {"expected": 4, "experienced": 4}, "nps": 9}


@pytest.fixture
def runner(db: Database, settings: Settings) -> Iterator[Runner]:
    runner = Runner(db, settings, schedule=False)
    yield runner
    runner.stop()


def _submit(
    db: Database, f: SurveyFixture, answers: dict[str, Any], customer: str | None
) -> uuid.UUID:
    with db.transaction(f.org.id) as session:
        survey = service.get_survey(session, f.actor, f.survey_id)
        response, _ = responses.do_submit(
            session,
            survey,
            Submission(
                answers=answers,
                language="en",
                finished=True,
                channel=ResponseChannel.API,
                customer_external_id=customer,
            ),
        )
        return response.id


def _jobs(db: Database, task: str) -> int:
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        return int(
            session.scalar(select(func.count()).select_from(Job).where(Job.task == task)) or 0
        )


def _cases(db: Database, org_id: uuid.UUID) -> list[Case]:
    with db.transaction(org_id, readonly=True) as session:
        return list(session.scalars(select(Case).order_by(Case.number)))


def _lines(db: Database, org_id: uuid.UUID, case_id: uuid.UUID, kind: str) -> list[CaseEvent]:
    with db.transaction(org_id, readonly=True) as session:
        stmt = select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == kind)
        return list(session.scalars(stmt))


def _with_defaults(db: Database, f: SurveyFixture) -> None:
    with db.transaction(f.org.id) as session:
        rules.ensure_default_rules(session)


def test_without_rules_a_finished_response_enqueues_nothing(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    _submit(db, f, DETRACTOR, None)
    assert _jobs(db, tasks.EVALUATE_RESPONSE) == 0


def test_a_detractor_opens_one_case_routed_to_the_touchpoints_team(
    db: Database, factory: Factory, runner: Runner
) -> None:
    f = make_survey(db, factory.organisation())
    _with_defaults(db, f)
    customer = add_customer(db, f.org, "c-9", email="pekka@example.fi", locale=None)
    response_id = _submit(db, f, DETRACTOR, "c-9")
    _submit(db, f, PROMOTER, "c-9")  # a happy answer opens nothing
    assert _jobs(db, tasks.EVALUATE_RESPONSE) == 2
    runner.run_pending()

    [case] = _cases(db, f.org.id)
    assert (case.customer_id, case.response_id, case.topic) == (customer, response_id, "experience")
    assert case.touchpoint_id == f.cat.touchpoints["checkout"]
    assert case.team_id == f.cat.team_id
    assert (case.contact_email, case.language) == ("pekka@example.fi", "en")  # answer's language
    assert case.title.endswith("NPS 3")  # the worst answer, in the staff's language
    # the gap rule fired on the same response: the same case, one more timeline line
    [line] = _lines(db, f.org.id, case.id, "trigger")
    assert line.data["origin_key"] == f"response:{response_id}:expectation_gap"

    # the job again (a crash before its commit is marked done): nothing new
    with db.transaction(f.org.id) as session:
        triggers.evaluate_response(session, response_id)
    assert len(_cases(db, f.org.id)) == 1
    assert len(_lines(db, f.org.id, case.id, "trigger")) == 1


def test_rule_parameters_decide(db: Database, factory: Factory, runner: Runner) -> None:
    f = make_survey(db, factory.organisation())
    with db.transaction(f.org.id) as session:
        rules.create_rule(
            session,
            CaseRuleIn(
                key="strict", name="NPS 0–2", kind="detractor", topic="nps", params={"threshold": 2}
            ),
        )
        rules.create_rule(
            session,
            CaseRuleIn(
                key="web-gap",
                name="Gap at the website",
                kind="gap",
                topic="gap",
                params={"threshold": 1, "touchpoint_ids": [str(f.cat.touchpoints["website"])]},
            ),
        )
    _submit(db, f, DETRACTOR, None)  # NPS 3 > 2; the gap is at the checkout, not the website
    runner.run_pending()
    assert _cases(db, f.org.id) == []
    _submit(db, f, {**DETRACTOR, "nps": 1}, None)
    runner.run_pending()
    [case] = _cases(db, f.org.id)
    assert (case.topic, case.customer_id, case.open_key) == ("nps", None, None)


def _comment(
    db: Database, org_id: uuid.UUID, text: str, customer: uuid.UUID | None, *, days_ago: int = 0
) -> uuid.UUID:
    with db.transaction(org_id) as session:
        [comment_id] = text_service.submit_comments(
            session,
            [
                CommentIn(
                    text=text,
                    source="import",
                    ref=str(uuid.uuid4()),
                    customer_id=customer,
                    survey_language="en",
                    answered_at=utcnow() - timedelta(days=days_ago),
                )
            ],
        )
        return comment_id


def test_a_negative_comment_opens_a_case(db: Database, factory: Factory, runner: Runner) -> None:
    f = make_survey(db, factory.organisation())
    _with_defaults(db, f)
    customer = add_customer(db, f.org, "c-3")
    bad = _comment(
        db, f.org.id, "Terrible service, the staff was rude and nobody helped me.", customer
    )
    _comment(db, f.org.id, "Lovely staff, everything went great.", None)
    _comment(db, f.org.id, "Awful, horrible, the worst delivery ever.", None, days_ago=60)
    runner.run_pending()  # analysis, then the case evaluation it enqueued

    assert _jobs(db, tasks.EVALUATE_COMMENTS) == 2  # the two negative ones; the old opens none
    [case] = _cases(db, f.org.id)
    assert (case.comment_id, case.customer_id, case.priority) == (bad, customer, "low")
    assert "rude" in case.description


def test_theme_filter_of_a_comment_rule(db: Database, factory: Factory, runner: Runner) -> None:
    f = make_survey(db, factory.organisation())
    with db.transaction(f.org.id) as session:
        rules.create_rule(
            session,
            CaseRuleIn(
                key="price",
                name="Price complaints",
                kind="negative_comment",
                topic="price",
                params={"themes": ["no-such-theme"]},
            ),
        )
    _comment(db, f.org.id, "Terrible service, the staff was rude and nobody helped me.", None)
    runner.run_pending()
    assert _cases(db, f.org.id) == []


def test_a_complaint_sent_twice_is_one_case(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    _with_defaults(db, f)
    add_customer(db, f.org, "c-7")
    body = CaseIn(
        source="complaint", title="Laskussa virhe", complaint_id="CRM-1", customer_external_id="c-7"
    )
    with db.transaction(f.org.id) as session:
        first, created = triggers.open_from_input(session, body, f.actor)
        assert (created, first.priority, first.topic) == (True, "high", "complaint")
    with db.transaction(f.org.id) as session:
        again, created_again = triggers.open_from_input(session, body, f.actor)
    assert (again.id, created_again) == (first.id, False)
    with pytest.raises(NotFound) as missing, db.transaction(f.org.id) as session:
        triggers.open_from_input(
            session, body.model_copy(update={"customer_external_id": "nobody"}), f.actor
        )
    assert missing.value.problems[0].field == "customer_external_id"


def test_rule_editing(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    with db.transaction(f.org.id) as session:
        added = rules.ensure_default_rules(session)
        assert {r.kind for r in added} == {"detractor", "gap", "negative_comment", "complaint"}
        assert rules.ensure_default_rules(session) == []
        [detractor] = [r for r in rules.list_rules(session) if r.key == "detractor"]
        assert detractor.name.startswith("Arvostelija")  # the organisation speaks Finnish
        with pytest.raises(Conflict):
            rules.create_rule(
                session, CaseRuleIn(key="detractor", name="x", kind="detractor", topic="x")
            )
        changed = rules.update_rule(
            session,
            detractor.id,
            CaseRuleIn(
                key="detractor",
                name="Tiukka",
                kind="detractor",
                topic="nps",
                params={"threshold": 4},
                active=False,
            ),
        )
        assert (changed.params, changed.active) == ({"threshold": 4}, False)
        with pytest.raises(InvalidInput):
            rules.create_rule(
                session,
                CaseRuleIn(
                    key="g",
                    name="g",
                    kind="gap",
                    topic="g",
                    params={"touchpoint_ids": [str(uuid.uuid4())]},
                ),
            )
        rules.delete_rule(session, detractor.id)
        assert session.scalar(select(func.count()).select_from(CaseRule)) == 3


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("detractor", {"threshold": 11}),
        ("detractor", {"threshold": True}),
        ("gap", {"threshold": 0}),
        ("gap", {"touchpoint_ids": ["not-an-id"]}),
        ("negative_comment", {"themes": "price"}),
        ("negative_comment", {"max_age_days": 0}),
        ("complaint", {"threshold": 3}),
    ],
)
def test_bad_rule_parameters_are_refused(kind: str, params: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        CaseRuleIn.model_validate(
            {"key": "k", "name": "n", "kind": kind, "topic": "t", "params": params}
        )
