"""Recovery metrics on cases and answers written straight into the tables, with known
figures: working-hour durations, SLA compliance, follow-ups, the paradox test (or its
honest "too few"), and root causes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kohtaamo.cases import recovery, recovery_paradox
from kohtaamo.cases.models import Case
from kohtaamo.journeys.models import Customer
from kohtaamo.metrics._checks import Sufficiency
from kohtaamo.metrics.compare import compare_nps
from kohtaamo.storage.db import Database
from kohtaamo.surveys.models import SurveyMeasure, SurveyResponse, SurveyVersion
from tests.analytics.sync_helpers import SurveyFixture, make_survey
from tests.factories import Factory

HKI = ZoneInfo("Europe/Helsinki")
MONDAY = datetime(2025, 11, 17, 8, 0, tzinfo=HKI)  # acknowledge due 12:00, resolve Mon 08:00+5d
CLOSED = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
_n = iter(range(1, 100_000))


@dataclass
class Org:
    f: SurveyFixture
    db: Database

    @property
    def id(self) -> uuid.UUID:
        return self.f.org.id

    def customer(self) -> uuid.UUID:
        with self.db.transaction(self.id) as session:
            c = Customer(organisation_id=self.id, external_id=f"c-{next(_n)}")
            session.add(c)
            session.flush()
            return c.id

    def case(self, customer_id: uuid.UUID | None = None, **values: Any) -> uuid.UUID:
        values = {"state": "closed", "opened_at": MONDAY} | values
        with self.db.transaction(self.id) as session:
            case = Case(
                organisation_id=self.id,
                number=next(_n),
                topic="delivery",
                title="Paketti myöhässä",
                source="rule",
                customer_id=customer_id,
                **values,
            )
            session.add(case)
            session.flush()
            return case.id

    def answer(self, customer_id: uuid.UUID, at: datetime, **roles: tuple[float, int, int]) -> None:
        """One finished response with measures ``role=(value, scale_min, scale_max)``."""
        with self.db.transaction(self.id) as session:
            version = session.scalar(
                select(SurveyVersion.id).where(SurveyVersion.survey_id == self.f.survey_id)
            )
            response = SurveyResponse(
                organisation_id=self.id,
                survey_id=self.f.survey_id,
                version_id=version,
                channel="link",
                language="fi",
                customer_id=customer_id,
                finished_at=at,
            )
            session.add(response)
            session.flush()
            for role, (value, low, high) in roles.items():
                session.add(
                    SurveyMeasure(
                        organisation_id=self.id,
                        response_id=response.id,
                        survey_id=self.f.survey_id,
                        question_key=role,
                        role=role,
                        value=value,
                        scale_min=low,
                        scale_max=high,
                        customer_id=customer_id,
                        answered_at=at,
                    )
                )


@pytest.fixture
def org(db: Database, factory: Factory) -> Org:
    return Org(make_survey(db, factory.organisation()), db)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


# --- durations and compliance -----------------------------------------------------------


def test_times_to_acknowledge_and_resolve_are_in_working_hours(org: Org) -> None:
    ack_due, res_due = MONDAY + hours(4), MONDAY + timedelta(days=7)
    common: dict[str, Any] = {"acknowledge_due_at": ack_due, "resolve_due_at": res_due}
    for h in (1, 3, 4, 5, 6):  # working hours from Monday 08:00, the same day
        org.case(state="acknowledged", acknowledged_at=MONDAY + hours(h), **common)
    # Friday 15:00 → Monday 09:00 is 2 working hours, not 66 hours.
    friday = datetime(2025, 11, 14, 15, 0, tzinfo=HKI)
    org.case(
        state="closed",
        opened_at=friday,
        acknowledged_at=datetime(2025, 11, 17, 9, 0, tzinfo=HKI),
        resolved_at=datetime(2025, 11, 18, 10, 0, tzinfo=HKI),  # 1 + 8 + 2 = 11 h
        closed_at=datetime(2025, 11, 25, 10, 0, tzinfo=HKI),
        acknowledge_due_at=datetime(2025, 11, 17, 11, 0, tzinfo=HKI),
        resolve_due_at=datetime(2025, 11, 21, 15, 0, tzinfo=HKI),
    )
    org.case(state="new", acknowledge_breached=True, resolve_breached=True, **common)
    org.case(state="new", acknowledge_due_at=datetime(2099, 1, 1, tzinfo=UTC))  # not yet due
    # "No contact possible" before the deadline (not marked by the SLA job): kept.
    org.case(state="no_contact", **common)

    with org.db.transaction(org.id, readonly=True) as session:
        m = recovery.metrics(session, now=datetime(2025, 11, 28, tzinfo=UTC))

    ack = m.time_to_acknowledge
    assert (ack.n, ack.status, ack.hours) == (6, Sufficiency.OK, (1.0, 2.0, 3.0, 4.0, 5.0, 6.0))
    assert (ack.median, ack.p90) == (3.5, 5.5)
    assert (m.time_to_resolve.n, m.time_to_resolve.status) == (1, Sufficiency.TOO_FEW)
    assert m.time_to_resolve.median is None and m.time_to_resolve.hours == (11.0,)
    # met: 1, 3, 4 h, Friday's 2 h, no contact; missed: 5 h, 6 h, the breached new one.
    c = m.acknowledge_compliance
    assert (c.met, c.missed, c.pending) == (5, 3, 1)
    assert c.share.share == pytest.approx(5 / 8)
    assert c.share.interval is not None and c.share.interval.low < 5 / 8 < c.share.interval.high
    r = m.resolve_compliance
    assert (r.met, r.missed, r.pending) == (1, 7, 0)  # due 24 Nov, now 28 Nov
    assert (m.opened, m.open_now, m.breached) == (9, 8, 1)


def test_the_period_selects_cases_by_opening(org: Org) -> None:
    org.case(opened_at=datetime(2025, 1, 10, tzinfo=UTC), acknowledged_at=None)
    org.case(opened_at=datetime(2025, 3, 10, tzinfo=UTC), acknowledged_at=None)
    with org.db.transaction(org.id, readonly=True) as session:
        m = recovery.metrics(
            session,
            since=datetime(2025, 2, 1, tzinfo=UTC),
            until=datetime(2025, 4, 1, tzinfo=UTC),
        )
    assert m.opened == 1


def test_followups_put_right_share(org: Org) -> None:
    at = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
    for outcome in ("put_right",) * 4 + ("partly", "not_put_right", None, None):
        org.case(
            followup_sent_at=at - timedelta(days=3),
            followup_outcome=outcome,
            followup_at=at if outcome else None,
        )
    with org.db.transaction(org.id, readonly=True) as session:
        f = recovery.followups(session)
    assert (f.sent, f.answered) == (8, 6)
    assert f.outcomes == {"put_right": 4, "partly": 1, "not_put_right": 1}
    assert f.put_right.share == pytest.approx(4 / 6)


def test_no_cases_is_no_data_not_zero(org: Org) -> None:
    with org.db.transaction(org.id, readonly=True) as session:
        m = recovery.metrics(session)
    assert m.time_to_acknowledge.status is Sufficiency.NO_DATA
    assert m.time_to_acknowledge.median is None
    assert m.acknowledge_compliance.share.status is Sufficiency.NO_DATA
    assert m.acknowledge_compliance.share.share is None
    assert m.followups.put_right.status is Sufficiency.NO_DATA
    assert m.paradox.verdict.msgid == "No data."


# --- the recovery paradox -------------------------------------------------------------------

RECOVERED_NPS = [10] * 18 + [8] * 6 + [3] * 6  # NPS 40
NEVER_NPS = [9] * 12 + [7] * 14 + [2] * 14  # NPS −5


def _recovered(org: Org, score: int, repurchase: int) -> uuid.UUID:
    who = org.customer()
    org.case(who, closed_at=CLOSED, followup_outcome="put_right")
    # Before the case closed: not a "later" answer, left out.
    org.answer(who, CLOSED - timedelta(days=5), nps=(0, 0, 10))
    org.answer(
        who, CLOSED + timedelta(days=10), nps=(score, 0, 10), repurchase_intent=(repurchase, 1, 5)
    )
    return who


def test_the_paradox_is_tested_on_later_answers(org: Org, factory: Factory) -> None:
    for i, score in enumerate(RECOVERED_NPS):
        _recovered(org, score, 5 if i % 2 else 4)  # 100 % and 75 % of the scale
    for i, score in enumerate(NEVER_NPS):
        org.answer(
            org.customer(),
            CLOSED + timedelta(days=3),
            nps=(score, 0, 10),
            repurchase_intent=(5 if i % 2 else 6, 0, 10),  # 50 % and 60 % of the scale
        )
    # A customer whose case was not put right is in neither group.
    unhappy = org.customer()
    org.case(unhappy, closed_at=CLOSED, followup_outcome="not_put_right")
    org.answer(unhappy, CLOSED + timedelta(days=10), nps=(0, 0, 10))
    # Another organisation's answers never count.
    other = Org(make_survey(org.db, factory.organisation()), org.db)
    for _ in range(5):
        other.answer(other.customer(), CLOSED, nps=(0, 0, 10))

    with org.db.transaction(org.id, readonly=True) as session:
        p = recovery_paradox.paradox(session)

    assert (p.recovered.customers, p.never.customers) == (30, 40)
    assert (p.recovered.nps.n, p.recovered.nps.nps) == (30, pytest.approx(40.0))
    assert (p.never.nps.n, p.never.nps.nps) == (40, pytest.approx(-5.0))
    expected = compare_nps(RECOVERED_NPS, NEVER_NPS)
    assert p.nps_difference.difference == pytest.approx(45.0)
    assert p.nps_difference.p_value == pytest.approx(expected.p_value)
    assert p.recovered.repurchase.mean == pytest.approx(87.5)
    assert p.never.repurchase.mean == pytest.approx(55.0)
    assert p.repurchase_difference.welch.difference == pytest.approx(32.5)
    assert expected.p_value is not None and expected.p_value < 0.05
    assert p.verdict.msgid == recovery_paradox.HOLDS
    assert p.verdict.params == {
        "recovered": 40.0,
        "never": -5.0,
        "difference": 45.0,
        "p": round(expected.p_value, 3),
    }
    assert p.repurchase_verdict.msgid == recovery_paradox.REPURCHASE_HOLDS


def test_too_few_recovered_answers_say_so(org: Org) -> None:
    for score in RECOVERED_NPS[:5]:
        _recovered(org, score, 5)
    for score in NEVER_NPS:
        org.answer(org.customer(), CLOSED, nps=(score, 0, 10))
    with org.db.transaction(org.id, readonly=True) as session:
        p = recovery_paradox.paradox(session)
    assert p.nps_difference.status is Sufficiency.TOO_FEW
    assert p.nps_difference.difference is None and p.recovered.nps.nps is None
    assert p.verdict.msgid == recovery_paradox.TOO_FEW
    assert p.verdict.params == {"recovered_n": 5, "never_n": 40, "min_n": 30}
    # Repurchase intent: answered by the recovered only, none by the others.
    assert p.repurchase_difference.welch.status is Sufficiency.NO_DATA
    assert p.repurchase_verdict.params == {"recovered_n": 5, "never_n": 0, "min_n": 30}


def test_the_period_limits_the_answers(org: Org) -> None:
    for score in RECOVERED_NPS:
        _recovered(org, score, 5)
    with org.db.transaction(org.id, readonly=True) as session:
        p = recovery_paradox.paradox(session, since=CLOSED + timedelta(days=20))
    assert p.recovered.nps.n == 0


# --- root causes ----------------------------------------------------------------------------


def test_root_causes_are_grouped_and_recurring_ones_flagged(org: Org) -> None:
    tp = org.f.cat.touchpoints
    checkout, other = tp["checkout"], next(v for k, v in tp.items() if k != "checkout")
    done = datetime(2025, 11, 20, tzinfo=UTC)
    for day in range(3):
        org.case(
            resolved_at=done + timedelta(days=day),
            closed_at=done + timedelta(days=day + 7),
            root_cause_touchpoint_id=checkout,
            root_cause_theme="delivery",
        )
    org.case(
        state="resolved",
        resolved_at=done,
        root_cause_touchpoint_id=other,
        root_cause_theme="price",
        root_cause_standard="Vastaus 24 tunnissa",
    )
    org.case(state="resolved", resolved_at=done)  # no cause recorded
    org.case(state="acknowledged", root_cause_theme="delivery")  # not resolved: left out

    with org.db.transaction(org.id, readonly=True) as session:
        rc = recovery.root_causes(session)

    assert (rc.resolved, rc.with_cause) == (5, 4)
    assert [(g.touchpoint_id, g.count, g.recurring) for g in rc.by_touchpoint] == [
        (checkout, 3, True),
        (other, 1, False),
    ]
    assert rc.by_touchpoint[0].share == pytest.approx(0.75)
    assert rc.by_touchpoint[0].last_at == done + timedelta(days=2)
    assert [(g.theme, g.count) for g in rc.by_theme] == [("delivery", 3), ("price", 1)]
    assert [(g.standard, g.count) for g in rc.by_standard] == [("Vastaus 24 tunnissa", 1)]
    assert [(g.touchpoint_id, g.theme, g.count) for g in rc.combined] == [
        (checkout, "delivery", 3),
        (other, "price", 1),
    ]
    with org.db.transaction(org.id, readonly=True) as session:
        later = recovery.root_causes(session, since=done + timedelta(days=1))
    assert [(g.touchpoint_id, g.count) for g in later.by_touchpoint] == [(checkout, 2)]
