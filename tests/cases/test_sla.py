"""The SLA clock: deadlines in working time (weekends, Finnish public holidays, extra
days off, daylight saving) and the breach job (marked, recorded and escalated once)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from kohtaamo.accounts.models import Organisation
from kohtaamo.cases import sla, sla_tasks
from kohtaamo.cases.models import Case, CaseEvent, CaseSettings, TeamMember
from kohtaamo.config import Settings
from kohtaamo.errors import InvalidInput
from kohtaamo.jobs import Job, enqueue
from kohtaamo.jobs.runner import Runner
from kohtaamo.kit.clock import frozen_at, utcnow
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from tests.cases.helpers_core import member
from tests.conftest import SmtpSink
from tests.factories import Factory
from tests.journeys.helpers import Catalogue, seed

HKI = ZoneInfo("Europe/Helsinki")


def finnish(**changes: object) -> CaseSettings:
    values: dict[str, object] = dict(
        timezone="Europe/Helsinki",
        work_start="08:00",
        work_end="16:00",
        work_days=[0, 1, 2, 3, 4],
        holiday_country="FI",
        extra_holidays=[],
        acknowledge_hours=4,
        resolve_days=5,
        warn_before_hours=2,
    )
    return CaseSettings(**(values | changes))


def hki(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HKI)


# --- deadlines ---------------------------------------------------------------------------


def test_friday_afternoon_case_is_due_on_monday_morning() -> None:
    acknowledge, resolve = sla.deadlines(finnish(), hki(2025, 11, 14, 15, 0))
    assert acknowledge == hki(2025, 11, 17, 11, 0)  # 1 h Friday + 3 h Monday
    # 5 working days of 8 h: Friday 1 h, Mon–Thu 32 h, Friday 7 h → Friday 15:00.
    assert resolve == hki(2025, 11, 21, 15, 0)


def test_christmas_and_the_weekend_do_not_count() -> None:
    # Tue 23 Dec 2025 15:00; 24–26 Dec are Finnish public holidays, 27–28 a weekend,
    # 1 Jan and 6 Jan (Epiphany) holidays too.
    acknowledge, resolve = sla.deadlines(finnish(), hki(2025, 12, 23, 15, 0))
    assert acknowledge == hki(2025, 12, 29, 11, 0)
    assert resolve == hki(2026, 1, 5, 15, 0)
    # The same calendar without public holidays: due on Christmas Eve.
    plain, _ = sla.deadlines(finnish(holiday_country=None), hki(2025, 12, 23, 15, 0))
    assert plain == hki(2025, 12, 24, 11, 0)


def test_extra_holidays_are_honoured() -> None:
    settings = finnish(extra_holidays=["2025-11-17"])  # the Monday off
    acknowledge, _ = sla.deadlines(settings, hki(2025, 11, 14, 15, 0))
    assert acknowledge == hki(2025, 11, 18, 11, 0)


@pytest.mark.parametrize(
    ("opened", "due_utc"),
    [
        # Autumn: Friday in summer time (UTC+3), Monday in winter time (UTC+2).
        (hki(2025, 10, 24, 15, 0), datetime(2025, 10, 27, 9, 0, tzinfo=UTC)),
        # Spring: Friday in winter time, Monday in summer time.
        (hki(2025, 3, 28, 15, 0), datetime(2025, 3, 31, 8, 0, tzinfo=UTC)),
    ],
)
def test_daylight_saving_changes_keep_wall_clock_hours(opened: datetime, due_utc: datetime) -> None:
    acknowledge, _ = sla.deadlines(finnish(), opened)
    assert acknowledge == due_utc
    assert acknowledge.astimezone(HKI).hour == 11
    assert sla.working_time_between(finnish(), opened, acknowledge) == timedelta(hours=4)


def test_a_case_opened_out_of_hours_starts_the_next_working_morning() -> None:
    acknowledge, resolve = sla.deadlines(finnish(), hki(2025, 11, 15, 10, 0))  # Saturday
    assert acknowledge == hki(2025, 11, 17, 12, 0)
    assert resolve == hki(2025, 11, 21, 16, 0)  # five full days, ending at closing time


def test_working_time_between_counts_only_working_hours() -> None:
    s = finnish()
    assert sla.working_time_between(s, hki(2025, 11, 14, 15, 0), hki(2025, 11, 17, 9, 30)) == (
        timedelta(hours=2, minutes=30)
    )
    assert sla.working_time_between(s, hki(2025, 11, 17, 9, 0), hki(2025, 11, 14, 15, 0)) == (
        -timedelta(hours=2)
    )
    assert sla.working_time_between(s, hki(2025, 12, 24, 9), hki(2025, 12, 26, 15)) == timedelta(0)


def test_other_working_hours_and_days() -> None:
    s = finnish(work_start="09:30", work_end="17:00", work_days=[0, 1, 2, 3, 4, 5])
    acknowledge, _ = sla.deadlines(s, hki(2025, 11, 14, 16, 0))  # Friday
    assert acknowledge == hki(2025, 11, 15, 12, 30)  # Saturday is a working day here


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"work_start": "16:00", "work_end": "08:00"}, "work_end"),
        ({"work_start": "8"}, "work_start"),
        ({"work_days": []}, "work_days"),
        ({"holiday_country": "XX"}, "holiday_country"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"extra_holidays": ["24.12.2025"]}, "extra_holidays"),
    ],
)
def test_a_broken_calendar_is_refused_with_the_field(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        sla.deadlines(finnish(**changes), hki(2025, 11, 14, 15, 0))
    assert refused.value.problems[0].field == field


def test_breaching_soon_is_within_the_warning_time() -> None:
    now = datetime(2025, 11, 17, 9, 0, tzinfo=UTC)
    s = finnish(warn_before_hours=2)
    assert sla.breaching_soon(s, now + timedelta(hours=1, minutes=59), now)
    assert not sla.breaching_soon(s, now + timedelta(hours=2, minutes=1), now)
    assert not sla.breaching_soon(s, now - timedelta(minutes=1), now)  # already breached
    assert not sla.breaching_soon(s, None, now)


def test_settings_are_made_once_in_the_organisations_time_zone(
    db: Database, factory: Factory
) -> None:
    org = factory.organisation()
    with db.transaction(org.id) as session:
        session.get_one(Organisation, org.id).timezone = "Europe/Stockholm"
    with db.transaction(org.id) as session:
        made = sla.settings_of(session)
        assert (made.timezone, made.acknowledge_hours, made.resolve_days) == (
            "Europe/Stockholm",
            4,
            5,
        )
    with db.transaction(org.id) as session:
        assert sla.settings_of(session).id == made.id
        assert session.scalar(select(func.count()).select_from(CaseSettings)) == 1


# --- the breach job ------------------------------------------------------------------------

OPENED = hki(2025, 11, 14, 15, 0)  # Friday; acknowledge due Mon 11:00, resolve Fri 15:00
_numbers = iter(range(1, 10_000))


def add_case(
    db: Database, cat: Catalogue, *, state: str = "new", priority: str = "normal", **extra: object
) -> uuid.UUID:
    acknowledge, resolve = sla.deadlines(finnish(), OPENED)
    with db.transaction(cat.org.id) as session:
        case = Case(
            organisation_id=cat.org.id,
            number=next(_numbers),
            state=state,
            priority=priority,
            topic="delivery",
            title="Paketti myöhässä",
            source="manual",
            team_id=cat.team_id,
            opened_at=OPENED,
            acknowledge_due_at=acknowledge,
            resolve_due_at=resolve,
            **extra,
        )
        session.add(case)
        session.flush()
        return case.id


@pytest.fixture
def cat(db: Database, factory: Factory) -> Catalogue:
    org = factory.organisation()
    return seed(db, org)


def _case(db: Database, cat: Catalogue, case_id: uuid.UUID) -> Case:
    with db.transaction(cat.org.id, readonly=True) as session:
        case = session.get_one(Case, case_id)
        session.expunge(case)
        return case


def _events(db: Database, cat: Catalogue, case_id: uuid.UUID) -> list[tuple[str, str]]:
    with db.transaction(cat.org.id, readonly=True) as session:
        rows = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.at)
        )
        return [(e.kind, e.data.get("sla", "")) for e in rows]


def _mail_jobs(db: Database) -> list[dict[str, Any]]:
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        return [j.payload for j in session.scalars(select(Job).where(Job.task == "mail.send"))]


def _check(db: Database, cat: Catalogue, at: datetime) -> list[sla_tasks.Breach]:
    with frozen_at(at), db.transaction(cat.org.id) as session:
        return sla_tasks.check_breaches(session, base_url="https://cx.example.fi")


def test_nothing_is_breached_before_the_deadline(db: Database, cat: Catalogue) -> None:
    case_id = add_case(db, cat)
    assert _check(db, cat, hki(2025, 11, 17, 10, 59)) == []
    assert _events(db, cat, case_id) == []
    assert not _case(db, cat, case_id).acknowledge_breached


def test_an_unacknowledged_case_is_breached_and_escalated_once(
    db: Database, cat: Catalogue
) -> None:
    handler = member(db, cat.org)
    with db.transaction(cat.org.id) as session:
        session.add(
            TeamMember(organisation_id=cat.org.id, team_id=cat.team_id, user_id=handler.user_id)
        )
        sla.settings_of(session).escalation_email = "Esimies@Example.fi"
    case_id = add_case(db, cat)
    at = hki(2025, 11, 17, 11, 1)

    assert _check(db, cat, at) == [sla_tasks.Breach(case_id, "acknowledge")]
    case = _case(db, cat, case_id)
    assert (case.acknowledge_breached, case.resolve_breached) == (True, False)
    assert (case.priority, case.escalated_at) == ("high", at.astimezone(UTC))
    assert _events(db, cat, case_id) == [("breach", "acknowledge"), ("escalated", "acknowledge")]
    [mail] = _mail_jobs(db)
    assert sorted(mail["to"]) == sorted([_email(db, handler.user_id), "esimies@example.fi"])
    assert f"https://cx.example.fi/cases/{case_id}" in str(mail["text"])

    # The job again, a minute and a day later: nothing changes, nothing is sent again.
    assert _check(db, cat, at + timedelta(minutes=1)) == []
    assert _check(db, cat, hki(2025, 11, 18, 9, 0)) == []
    assert _case(db, cat, case_id).priority == "high"
    assert len(_events(db, cat, case_id)) == 2
    assert len(_mail_jobs(db)) == 1


def test_the_resolve_deadline_breaches_separately_and_escalates_again(
    db: Database, cat: Catalogue
) -> None:
    case_id = add_case(db, cat, state="plan_sent", acknowledged_at=OPENED + timedelta(hours=1))
    # Past the acknowledgement deadline, but acknowledged: no acknowledgement breach.
    assert _check(db, cat, hki(2025, 11, 20, 9, 0)) == []
    assert _check(db, cat, hki(2025, 11, 21, 15, 0)) == [sla_tasks.Breach(case_id, "resolve")]
    case = _case(db, cat, case_id)
    assert (case.acknowledge_breached, case.resolve_breached, case.priority) == (
        False,
        True,
        "high",
    )
    assert _events(db, cat, case_id) == [("breach", "resolve"), ("escalated", "resolve")]
    assert _mail_jobs(db) == []  # no team members and no escalation address: nobody to tell


def test_both_deadlines_of_a_forgotten_case_breach_in_one_run(db: Database, cat: Catalogue) -> None:
    case_id = add_case(db, cat, priority="high")
    found = _check(db, cat, hki(2025, 11, 24, 9, 0))
    assert sorted(b.clock for b in found) == ["acknowledge", "resolve"]
    case = _case(db, cat, case_id)
    assert case.priority == "urgent"  # two steps up, never beyond urgent
    assert [k for k, _ in _events(db, cat, case_id)].count("breach") == 2


@pytest.mark.parametrize("state", ["resolved", "follow_up", "closed"])
def test_settled_cases_are_not_breached(db: Database, cat: Catalogue, state: str) -> None:
    case_id = add_case(db, cat, state=state)
    assert _check(db, cat, hki(2025, 12, 31, 12, 0)) == []
    assert _events(db, cat, case_id) == []


def test_another_organisations_cases_are_left_alone(
    db: Database, cat: Catalogue, factory: Factory
) -> None:
    other = seed(db, factory.organisation())
    theirs = add_case(db, other)
    assert _check(db, cat, hki(2025, 11, 24, 9, 0)) == []
    assert not _case(db, other, theirs).acknowledge_breached


def _email(db: Database, user_id: uuid.UUID | None) -> str:
    from kohtaamo.accounts.models import User

    with db.transaction(ALL_TENANTS, readonly=True) as session:
        return session.get_one(User, user_id).email.lower()


# --- the scheduled job, end to end, with a real SMTP server ---------------------------------


@pytest.fixture
def runner(db: Database, settings: Settings, smtp_server: SmtpSink) -> Iterator[Runner]:
    smtp = settings.model_copy(
        update={
            "mail_backend": "smtp",
            "smtp_host": smtp_server.host,
            "smtp_port": smtp_server.port,
            "smtp_timeout_s": 2.0,
            "mail_from": "Kohtaamo <noreply@kohtaamo.fi>",
            "base_url": "https://cx.example.fi",
        }
    )
    runner = Runner(db, smtp, lease=timedelta(seconds=5), schedule=False)
    yield runner
    runner.stop()


def test_the_periodic_check_escalates_by_email_once(
    db: Database, cat: Catalogue, runner: Runner, smtp_server: SmtpSink
) -> None:
    with db.transaction(cat.org.id) as session:
        sla.settings_of(session).escalation_email = "esimies@example.fi"
    now = utcnow()
    case_id = add_case(db, cat)
    with db.transaction(cat.org.id) as session:  # due an hour ago, in real time
        session.get_one(Case, case_id).acknowledge_due_at = now - timedelta(hours=1)
        session.get_one(Case, case_id).resolve_due_at = now + timedelta(days=3)
    for _ in range(2):  # two slots of the schedule
        with db.transaction(ALL_TENANTS) as session:
            enqueue(session, sla_tasks.CHECK_TASK, {})
        runner.run_pending()

    [arrived] = smtp_server.messages
    assert arrived["X-RcptTo"] == "esimies@example.fi"
    case = _case(db, cat, case_id)
    assert f"#{case.number}" in arrived["Subject"]
    assert f"https://cx.example.fi/cases/{case_id}" in arrived.get_content()
    assert (case.acknowledge_breached, case.priority) == (True, "high")
    assert _events(db, cat, case_id) == [("breach", "acknowledge"), ("escalated", "acknowledge")]
