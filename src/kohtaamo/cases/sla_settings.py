"""Changing the SLA settings: working hours and days, public holidays, extra days off,
the service levels, the warning time and the escalation address. Each field is checked
on its own, so a form can show every reason next to its field at once; the calendar as
a whole is then built once, so nothing is saved that the SLA clock could not count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import holidays
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from kohtaamo.cases import sla
from kohtaamo.cases.models import CaseSettings
from kohtaamo.errors import FieldProblem, InvalidInput

LIMITS = {
    "acknowledge_hours": (1, 400),
    "resolve_days": (1, 120),
    "warn_before_hours": (0, 72),
}


@dataclass(frozen=True)
class SlaSettingsIn:
    """The form's values as typed (strings), checked by :func:`check`."""

    work_start: str
    work_end: str
    work_days: tuple[int, ...]
    holiday_country: str
    extra_holidays: str  # one YYYY-MM-DD per line (or separated by commas)
    acknowledge_hours: str
    resolve_days: str
    warn_before_hours: str
    escalation_email: str


@dataclass(frozen=True)
class SlaValues:
    work_start: str
    work_end: str
    work_days: list[int]
    holiday_country: str | None
    extra_holidays: list[str]
    acknowledge_hours: int
    resolve_days: int
    warn_before_hours: int
    escalation_email: str | None


def _whole(value: str, name: str, problems: list[FieldProblem]) -> int:
    low, high = LIMITS[name]
    try:
        number = int(value.strip())
    except ValueError:
        problems.append(FieldProblem(name, "Give a whole number."))
        return low
    if not low <= number <= high:
        problems.append(
            FieldProblem(
                name, "Give a number from %(low)s to %(high)s.", {"low": low, "high": high}
            )
        )
    return number


def check(data: SlaSettingsIn) -> SlaValues:
    """The values to store, or InvalidInput with one problem per wrong field."""
    problems: list[FieldProblem] = []
    clocks = {}
    for name in ("work_start", "work_end"):
        try:
            clocks[name] = sla.parse_clock(getattr(data, name), name).strftime("%H:%M")
        except InvalidInput as exc:
            problems += exc.problems
    if len(clocks) == 2 and clocks["work_end"] <= clocks["work_start"]:
        problems.append(FieldProblem("work_end", "The working day must end after it starts."))
    days = sorted(set(data.work_days))
    if not days or any(d not in range(7) for d in days):
        problems.append(FieldProblem("work_days", "Choose at least one working day."))
    country = data.holiday_country.strip().upper() or None
    if country and country not in holidays.list_supported_countries():
        problems.append(
            FieldProblem(
                "holiday_country", "Public holidays of %(value)s are not known.", {"value": country}
            )
        )
    extra: list[str] = []
    for part in data.extra_holidays.replace(",", "\n").splitlines():
        if not part.strip():
            continue
        try:
            extra.append(date.fromisoformat(part.strip()).isoformat())
        except ValueError:
            problems.append(
                FieldProblem("extra_holidays", "Give dates as YYYY-MM-DD, one per line.")
            )
            break
    numbers = {name: _whole(getattr(data, name), name, problems) for name in LIMITS}
    email = data.escalation_email.strip() or None
    if email is not None:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            problems.append(FieldProblem("escalation_email", "Give a valid e-mail address."))
    if problems:
        raise InvalidInput(problems=problems)
    return SlaValues(
        work_start=clocks["work_start"],
        work_end=clocks["work_end"],
        work_days=days,
        holiday_country=country,
        extra_holidays=sorted(set(extra)),
        acknowledge_hours=numbers["acknowledge_hours"],
        resolve_days=numbers["resolve_days"],
        warn_before_hours=numbers["warn_before_hours"],
        escalation_email=email,
    )


def do_update(session: Session, data: SlaSettingsIn) -> CaseSettings:
    """Save the organisation's SLA settings. Deadlines of cases already open stay as
    they were promised; new cases get the new ones."""
    values = check(data)
    settings = sla.settings_of(session)
    for name, value in vars(values).items():
        setattr(settings, name, value)
    sla.calendar_of(settings)  # the whole calendar counts (e.g. a known time zone)
    session.flush()
    return settings
