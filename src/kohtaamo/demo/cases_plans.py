"""Which demo cases there are: who, when, about what, and how far each has come.

Rule cases come from the real demo answers that the default rules would have caught
(a detractor NPS, experience two points or more below expectation), opened a few
minutes after the answer; their state follows their age (last week's are still being
handled, last spring's are closed). Complaints and cases recorded by staff fill in:
the first of them are placed so that every state of the workflow is present (a
reopened case, one closed after "no contact possible"), the rest at random ages.
English speakers are favoured a little, so both languages show in a small demo.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import or_, select, union
from sqlalchemy.orm import Session, aliased

from kohtaamo.cases.workflow import State
from kohtaamo.demo.cases_story import CasePlan
from kohtaamo.demo.cases_texts import Problem
from kohtaamo.demo.names import CONSUMER_DOMAINS
from kohtaamo.demo.people import EmailMaker, PeopleGenerator
from kohtaamo.i18n import N_, gettext
from kohtaamo.journeys.models import Customer
from kohtaamo.surveys.models import SurveyMeasure

RULE_SHARE = 0.65  # of an organisation's cases, at most (if the answers allow)
ENGLISH_WEIGHT = 5.0  # English speakers are this much likelier to be picked
GAP_THRESHOLD = -2.0  # as the default expectation_gap rule
DETRACTOR_THRESHOLD = 6
REOPENED, CLOSED_NO_CONTACT = "reopened", "closed_no_contact"
# The first complaints and manual cases, so that every state is there.
QUOTA: Final[tuple[str, ...]] = (
    State.NEW, State.ACKNOWLEDGED, State.PLAN_SENT, State.ACTION_TAKEN, State.NO_CONTACT,
    State.RESOLVED, State.FOLLOW_UP, State.CLOSED, REOPENED, CLOSED_NO_CONTACT, State.NEW,
)  # fmt: skip
# Days before the reference date a case in the state was opened: (low, high).
AGES: Final[dict[str, tuple[float, float]]] = {
    State.NEW: (0.05, 1.2),
    State.ACKNOWLEDGED: (0.6, 4.0),
    State.PLAN_SENT: (2.0, 9.0),
    State.ACTION_TAKEN: (4.0, 13.0),
    State.NO_CONTACT: (3.0, 10.0),
    State.RESOLVED: (5.0, 7.0),
    State.FOLLOW_UP: (10.0, 24.0),
    State.CLOSED: (18.0, 200.0),
    REOPENED: (18.0, 40.0),
    CLOSED_NO_CONTACT: (10.0, 60.0),
}
OUTCOMES: Final = ("put_right", "partly", "not_put_right")
OUTCOME_WEIGHTS: Final = (0.62, 0.22, 0.16)
DOMAINS: Final = tuple(domain for domain, _ in CONSUMER_DOMAINS)
DOMAIN_WEIGHTS: Final = tuple(float(weight) for _, weight in CONSUMER_DOMAINS)
ROLES: Final = ("nps", "csat", "expectation", "experience", "expectation_gap")


@dataclass(frozen=True)
class Candidate:
    """A finished answer one of the default rules would have opened a case on."""

    rule: str  # detractor | expectation_gap
    response_id: uuid.UUID
    customer_id: uuid.UUID
    external_id: str
    language: str
    at: datetime
    touchpoint_id: uuid.UUID | None
    score: float  # the NPS, or experience minus expectation


def _caught(since: datetime) -> Any:
    """The ids of responses a default rule would catch, found in SQL: reading every
    measure of a large demo into Python took seconds."""
    exp, got = aliased(SurveyMeasure), aliased(SurveyMeasure)
    low = select(SurveyMeasure.response_id).where(
        SurveyMeasure.answered_at >= since,
        or_(
            (SurveyMeasure.role == "nps") & (SurveyMeasure.value <= DETRACTOR_THRESHOLD),
            (SurveyMeasure.role == "expectation_gap")
            & (
                SurveyMeasure.value - (SurveyMeasure.scale_min + SurveyMeasure.scale_max) / 2.0
                <= GAP_THRESHOLD
            ),
        ),
    )
    gap = (
        select(got.response_id)
        .join(
            exp,
            (exp.response_id == got.response_id)
            & (exp.question_key == got.question_key)
            & (exp.role == "expectation"),
        )
        .where(
            got.role == "experience",
            got.answered_at >= since,
            got.value - exp.value <= GAP_THRESHOLD,
        )
    )
    return union(low, gap).subquery().select()


def candidates_of(session: Session, since: datetime) -> list[Candidate]:
    """Answers of known customers since ``since`` with a detractor NPS or a gap of two
    points or more (one candidate per response, the detractor first), in time order."""
    rows = session.execute(
        select(
            SurveyMeasure.response_id,
            SurveyMeasure.question_key,
            SurveyMeasure.role,
            SurveyMeasure.value,
            SurveyMeasure.scale_min,
            SurveyMeasure.scale_max,
            SurveyMeasure.touchpoint_id,
            SurveyMeasure.answered_at,
            Customer.id.label("customer_id"),
            Customer.external_id,
            Customer.locale,
        )
        .join(Customer, Customer.id == SurveyMeasure.customer_id)
        .where(
            SurveyMeasure.role.in_(ROLES),
            SurveyMeasure.answered_at >= since,
            SurveyMeasure.response_id.in_(_caught(since)),
        )
    ).all()
    by_response = defaultdict(list)
    for row in rows:
        by_response[row.response_id].append(row)
    out: list[Candidate] = []
    for response_id, measures in by_response.items():
        first = measures[0]
        base = (response_id, first.customer_id, first.external_id, first.locale or "fi")
        nps = [m for m in measures if m.role == "nps" and m.value <= DETRACTOR_THRESHOLD]
        if nps:
            rated = [m for m in measures if m.role == "csat" and m.touchpoint_id is not None]
            worst = min(rated, key=lambda m: (m.value, m.question_key)) if rated else None
            tp = worst.touchpoint_id if worst is not None and worst.value <= 3 else None
            out.append(Candidate("detractor", *base, first.answered_at, tp, nps[0].value))
            continue
        expected = {m.question_key: m.value for m in measures if m.role == "expectation"}
        gaps = [
            (m.value - expected[m.question_key], m.question_key, m.touchpoint_id)
            for m in measures
            if m.role == "experience" and m.question_key in expected
        ]
        gaps += [
            (m.value - (m.scale_min + m.scale_max) / 2, m.question_key, m.touchpoint_id)
            for m in measures
            if m.role == "expectation_gap"
        ]
        below = [g for g in gaps if g[0] <= GAP_THRESHOLD]
        if below:
            gap, _, tp = min(below, key=lambda g: (g[0], g[1]))
            out.append(Candidate("expectation_gap", *base, first.answered_at, tp, gap))
    out.sort(key=lambda c: (c.at, c.external_id))
    return out


@dataclass(frozen=True)
class Staff:
    """Each team's members (user id, name), teams in name order; the first member is
    the team's lead."""

    members: dict[uuid.UUID, list[tuple[uuid.UUID, str]]]

    def team(self, team_id: uuid.UUID | None) -> list[tuple[uuid.UUID, str]]:
        if team_id is not None and self.members.get(team_id):
            return self.members[team_id]
        return next(m for m in self.members.values() if m)  # teams come in name order

    def handler(self, team_id: uuid.UUID | None, rng: random.Random) -> tuple[uuid.UUID, str]:
        people = self.team(team_id)
        return people[0] if rng.random() < 0.5 else rng.choice(people)


def _weighted_sample(rng: random.Random, items: Sequence[Candidate], k: int) -> list[Candidate]:
    """``k`` items without replacement, English speakers likelier (Efraimidis–Spirakis)."""
    keyed = [
        (rng.random() ** (1 / (ENGLISH_WEIGHT if c.language == "en" else 1.0)), i)
        for i, c in enumerate(items)
    ]
    chosen = sorted(i for _, i in sorted(keyed, reverse=True)[:k])
    return [items[i] for i in chosen]


class Planner:
    """Plans one organisation's cases (see the module docstring)."""

    def __init__(
        self,
        rng: random.Random,
        end: datetime,
        staff: Staff,
        rules: dict[str, tuple[uuid.UUID, str]],
        touchpoints: Mapping[str, tuple[uuid.UUID, uuid.UUID | None]],
        problems: Sequence[Problem],
    ) -> None:
        self.rng, self.end, self.staff, self.rules = rng, end, staff, rules
        self.touchpoints = touchpoints
        self.key_of = {tp_id: key for key, (tp_id, _) in touchpoints.items()}
        self.problems = [p for p in problems if p.touchpoint in touchpoints]
        self.people = PeopleGenerator(rng)
        self.emails = EmailMaker()
        self.complaints = 0

    def plan(
        self,
        total: int,
        candidates: Sequence[Candidate],
        customers: Sequence[tuple[uuid.UUID, str, str]],
        *,
        staff_language: str,
    ) -> list[CasePlan]:
        rng = self.rng
        usable = [c for c in candidates if c.language in ("fi", "en") and self._problem_at(c)]
        distinct = list({c.customer_id: c for c in reversed(usable)}.values())[::-1]
        rule_cases = _weighted_sample(rng, distinct, min(len(distinct), round(total * RULE_SHARE)))
        plans = [self._from_rule(c, staff_language) for c in rule_cases]
        used = {c.customer_id for c in rule_cases}
        free = [c for c in customers if c[0] not in used]
        weights = [ENGLISH_WEIGHT if lang == "en" else 1.0 for _, _, lang in free]
        for n in range(total - len(plans)):
            if not free:
                break
            pick = rng.choices(range(len(free)), weights)[0]
            customer = free.pop(pick)
            weights.pop(pick)
            kind = QUOTA[n] if n < len(QUOTA) else None
            plans.append(self._other(customer, kind))
        plans.sort(key=lambda p: (p.opened_at, p.contact_email))
        for number, plan in enumerate(plans, start=1):
            plan.number = number
        return plans

    # --- one plan ---------------------------------------------------------------------

    def _problem_at(self, c: Candidate) -> bool:
        return c.touchpoint_id is None or any(
            p.touchpoint == self.key_of.get(c.touchpoint_id) for p in self.problems
        )

    def _problem(self, touchpoint: str | None) -> Problem:
        pool = [p for p in self.problems if p.touchpoint == touchpoint] or self.problems
        return self.rng.choices(pool, [p.weight for p in pool])[0]

    def _state_for_age(self, days: float) -> str:
        rng = self.rng
        if days < 1.5:
            return rng.choices((State.NEW, State.ACKNOWLEDGED), (0.6, 0.4))[0]
        if days < 4:
            return rng.choices((State.ACKNOWLEDGED, State.PLAN_SENT, State.NO_CONTACT),
                               (0.5, 0.4, 0.1))[0]  # fmt: skip
        if days < 9:
            return rng.choices((State.PLAN_SENT, State.ACTION_TAKEN), (0.4, 0.6))[0]
        if days < 14:
            return rng.choices((State.ACTION_TAKEN, State.RESOLVED, State.FOLLOW_UP),
                               (0.3, 0.3, 0.4))[0]  # fmt: skip
        if days < 25:
            return rng.choices((State.FOLLOW_UP, State.CLOSED), (0.5, 0.5))[0]
        # A few old ones are stuck before the resolution: the backlog the SLA shows.
        return rng.choices(
            (State.CLOSED, CLOSED_NO_CONTACT, State.ACTION_TAKEN), (0.92, 0.05, 0.03)
        )[0]

    def _contact(self, language: str) -> tuple[str, str]:
        person = self.people.person("en" if language == "en" else "fi")
        domain = self.rng.choices(DOMAINS, DOMAIN_WEIGHTS)[0]
        return person.name, self.emails.address((person.first_name, person.last_name), domain)

    def _base(
        self, kind: str, problem: Problem, language: str, opened: datetime,
        customer_id: uuid.UUID, touchpoint_id: uuid.UUID | None, forced: bool = False,
    ) -> CasePlan:  # fmt: skip
        rng = self.rng
        state = State.ACKNOWLEDGED if kind == REOPENED else (
            State.CLOSED if kind == CLOSED_NO_CONTACT else State(kind)
        )  # fmt: skip
        tp_key = self.key_of.get(touchpoint_id) if touchpoint_id else problem.touchpoint
        tp_id, team_id = self.touchpoints[tp_key or problem.touchpoint]
        team = self.staff.team(team_id)
        handler = None if state is State.NEW and rng.random() < 0.7 else self.staff.handler(
            team_id, rng
        )  # fmt: skip
        # Most closed cases had their follow-up answered; half of those still waiting.
        answered = (
            state is State.CLOSED and kind != CLOSED_NO_CONTACT and rng.random() < 0.94
        ) or (state is State.FOLLOW_UP and rng.random() < 0.5)
        outcome = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0] if answered else None
        if kind == REOPENED:
            outcome = "not_put_right"
        elif forced:  # the quota's: one waits for the answer, one was put right
            outcome = "put_right" if state is State.CLOSED else None
        name, email = self._contact(language)
        root = self.touchpoints.get(problem.root, self.touchpoints[problem.touchpoint])[0]
        return CasePlan(
            number=0, state=state, source="rule", topic="experience", title="",
            problem=problem, language=language, opened_at=opened, priority="normal",
            customer_id=customer_id, contact_name=name, contact_email=email,
            team_id=team_id, touchpoint_id=tp_id, root_touchpoint_id=root,
            handler=handler, lead=team[0], opened_by="",
            late_acknowledgement=rng.random() < 0.12,
            replied=rng.random() < 0.35 or (forced and state is State.PLAN_SENT),
            outcome=outcome, reopened=kind == REOPENED,
            via_no_contact=kind == CLOSED_NO_CONTACT,
        )  # fmt: skip

    def _from_rule(self, c: Candidate, staff_language: str) -> CasePlan:
        problem = self._problem(self.key_of.get(c.touchpoint_id) if c.touchpoint_id else None)
        opened = c.at + timedelta(minutes=self.rng.uniform(0.5, 3))
        days = (self.end - opened).total_seconds() / 86_400
        plan = self._base(self._state_for_age(days), problem, c.language, opened,
                          c.customer_id, c.touchpoint_id)  # fmt: skip
        rule_id, rule_name = self.rules[c.rule]
        if c.rule == "detractor":
            title = gettext(staff_language, N_("Detractor: NPS %(score)s"), score=int(c.score))
        else:
            title = gettext(
                staff_language,
                N_("Experience below expectation by %(points)s points"),
                points=f"{-c.score:g}",
            )
        plan.title, plan.opened_by = title, rule_name
        plan.rule_id, plan.rule_key = rule_id, c.rule
        plan.response_id = c.response_id
        plan.origin_key = f"response:{c.response_id}:{c.rule}"
        return plan

    def _other(self, customer: tuple[uuid.UUID, str, str], kind: str | None) -> CasePlan:
        rng = self.rng
        forced = kind is not None
        if kind is None:
            days = min(300.0, rng.expovariate(1 / 35))
            kind = self._state_for_age(days)
        else:
            days = rng.uniform(*AGES[kind])
        customer_id, _, language = customer
        problem = self._problem(None)
        opened = self.end - timedelta(days=days)
        plan = self._base(kind, problem, language, opened, customer_id, None, forced)
        plan.title = problem.words[language].title
        if rng.random() < 0.65 and "complaint" in self.rules:
            self.complaints += 1
            rule_id, rule_name = self.rules["complaint"]
            plan.source, plan.topic, plan.priority = "complaint", "complaint", "high"
            plan.rule_id, plan.rule_key, plan.opened_by = rule_id, "complaint", rule_name
            plan.origin_key = f"complaint:WEB-{opened.year}-{self.complaints:05d}"
        else:
            plan.source, plan.topic = "manual", "complaint"
            plan.priority = rng.choice(("normal", "normal", "high"))
            plan.handler = plan.handler or self.staff.handler(plan.team_id, rng)
            plan.opened_by = plan.handler[1]
        return plan
