"""Service levels in working time: when a case must be acknowledged and resolved.

An organisation works on some weekdays between two wall-clock times in its own time
zone, not on public holidays (Finnish ones from the ``holidays`` package by default)
nor on the extra dates it lists. "Acknowledge within 4 working hours" and "resolve
within 5 working days" are counted on that calendar, so a case opened on Friday at
15:00 is due on Monday at 11:00, and Christmas does not count against the handler.

A working day is counted as the length of one working day in working hours, so
"5 working days" from Monday 10:00 ends the next Monday at 10:00. Spans are measured
in absolute time between wall-clock boundaries, which keeps a day of daylight-saving
change right (the clocks move at night, outside working hours).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kohtaamo.accounts.models import Organisation
from kohtaamo.cases.models import CaseSettings
from kohtaamo.errors import InvalidInput
from kohtaamo.kit.clock import ensure_utc
from kohtaamo.storage.tenancy import require_tenant

# How far ahead a deadline is looked for before the calendar is declared empty (a year
# of holidays typed in by mistake should not hang a request).
SEARCH_DAYS = 3 * 366


def settings_of(session: Session) -> CaseSettings:
    """The organisation's case settings, made with the defaults (and the organisation's
    own time zone) the first time they are asked for."""
    found = session.scalar(select(CaseSettings))
    if found is not None:
        return found
    org_id = require_tenant(session)
    org = session.get(Organisation, org_id)
    found = CaseSettings(organisation_id=org_id)
    if org is not None and org.timezone:
        found.timezone = org.timezone
    # A savepoint: two first requests at once must not fail the caller's transaction.
    try:
        with session.begin_nested():
            session.add(found)
    except IntegrityError:  # the other one won the unique key: read theirs
        winner = session.scalar(select(CaseSettings))
        if winner is None:
            raise
        return winner
    return found


def parse_clock(value: str, field_name: str) -> time:
    """A time written as HH:MM; InvalidInput naming the field otherwise."""
    try:
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        raise InvalidInput("Give a time as HH:MM, e.g. 08:00.", field=field_name) from None


@dataclass
class WorkCalendar:
    """One organisation's working time: weekdays (0 = Monday), daily hours in ``zone``,
    and the dates off (public holidays of ``country`` and ``extra``)."""

    zone: ZoneInfo
    start: time
    end: time
    days: frozenset[int]
    country: str | None
    extra: frozenset[date]
    _holidays: dict[int, frozenset[date]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidInput("The working day must end after it starts.", field="work_end")
        if not self.days:
            raise InvalidInput("Choose at least one working day.", field="work_days")

    @property
    def day_length(self) -> timedelta:
        """The working hours of one day (wall clock), e.g. 8 h for 08:00–16:00."""
        today = date(2001, 1, 1)
        return datetime.combine(today, self.end) - datetime.combine(today, self.start)

    def holidays_of(self, year: int) -> frozenset[date]:
        found = self._holidays.get(year)
        if found is None:
            public = (
                frozenset(holidays.country_holidays(self.country, years=year).keys())
                if self.country
                else frozenset()
            )
            with self._lock:
                found = self._holidays.setdefault(year, public)
        return found

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() in self.days
            and day not in self.extra
            and day not in self.holidays_of(day.year)
        )

    def hours_of(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's working hours as UTC instants, or None on a day off."""
        if not self.is_working_day(day):
            return None
        opens = datetime.combine(day, self.start, tzinfo=self.zone).astimezone(UTC)
        closes = datetime.combine(day, self.end, tzinfo=self.zone).astimezone(UTC)
        return opens, closes

    def local_date(self, moment: datetime) -> date:
        return ensure_utc(moment).astimezone(self.zone).date()

    def add(self, moment: datetime, work: timedelta) -> datetime:
        """The instant ``work`` of working time after ``moment``.

        A deadline that is reached exactly at closing time stays there (Friday 16:00),
        rather than moving to the next morning: both mean the same to the handler.
        """
        moment = ensure_utc(moment)
        left = work
        day = self.local_date(moment)
        for _ in range(SEARCH_DAYS):
            hours = self.hours_of(day)
            if hours is not None and moment < hours[1]:
                opens = max(hours[0], moment)
                if left <= hours[1] - opens:
                    return opens + left
                left -= hours[1] - opens
            day += timedelta(days=1)
        raise InvalidInput(
            "The working calendar has no working time in the next three years.",
            field="work_days",
        )

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Working time from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
        a, b = ensure_utc(a), ensure_utc(b)
        if b < a:
            return -self.between(b, a)
        total = timedelta(0)
        day, last = self.local_date(a), self.local_date(b)
        while day <= last:
            hours = self.hours_of(day)
            if hours is not None:
                opens, closes = max(hours[0], a), min(hours[1], b)
                if closes > opens:
                    total += closes - opens
            day += timedelta(days=1)
        return total


@lru_cache(maxsize=64)
def _calendar(
    zone: str,
    start: str,
    end: str,
    days: tuple[int, ...],
    country: str | None,
    extra: tuple[str, ...],
) -> WorkCalendar:
    try:
        tz = ZoneInfo(zone)
    except (ValueError, KeyError, OSError):
        raise InvalidInput("Unknown time zone %(value)s.", field="timezone", value=zone) from None
    try:
        extra_dates = frozenset(date.fromisoformat(d) for d in extra)
    except ValueError:
        raise InvalidInput(
            "Give dates as YYYY-MM-DD, one per line.", field="extra_holidays"
        ) from None
    if country and country not in holidays.list_supported_countries():
        raise InvalidInput(
            "Public holidays of %(value)s are not known.", field="holiday_country", value=country
        )
    return WorkCalendar(
        zone=tz,
        start=parse_clock(start, "work_start"),
        end=parse_clock(end, "work_end"),
        days=frozenset(days),
        country=country or None,
        extra=extra_dates,
    )


def calendar_of(settings: CaseSettings) -> WorkCalendar:
    """The working calendar of ``settings`` (cached: holidays are computed once a year)."""
    return _calendar(
        settings.timezone or "Europe/Helsinki",
        settings.work_start or "08:00",
        settings.work_end or "16:00",
        tuple(sorted({int(d) for d in settings.work_days or ()})),
        settings.holiday_country or None,
        tuple(sorted(settings.extra_holidays or ())),
    )


def deadlines(settings: CaseSettings, opened_at: datetime) -> tuple[datetime, datetime]:
    """(acknowledge due, resolve due) of a case opened at ``opened_at``, in UTC."""
    cal = calendar_of(settings)
    acknowledge = cal.add(opened_at, timedelta(hours=settings.acknowledge_hours))
    resolve = cal.add(opened_at, cal.day_length * settings.resolve_days)
    return acknowledge, resolve


def working_time_between(settings: CaseSettings, a: datetime, b: datetime) -> timedelta:
    """The working time between two instants on the organisation's calendar."""
    return calendar_of(settings).between(a, b)


def breaching_soon(settings: CaseSettings, due: datetime | None, now: datetime) -> bool:
    """Whether a deadline not yet passed falls within the warning time (wall clock)."""
    if due is None:
        return False
    due = ensure_utc(due)
    return now <= due <= now + timedelta(hours=settings.warn_before_hours)
