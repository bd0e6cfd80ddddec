"""What the case pages show of a case: labels of states, priorities, views and sources in
the reader's language, the SLA badge of a case, and the inbox row.

The state labels and the buttons come from ``cases.workflow``; this module only says
them in words, so a change of the workflow table changes the pages with it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.cases import workflow
from kohtaamo.cases.models import Case, CaseSettings
from kohtaamo.i18n import N_, gettext
from kohtaamo.kit.clock import utcnow
from kohtaamo.web.text_view import language_label

PRIORITIES: dict[str, str] = {
    "low": N_("Low"),
    "normal": N_("Normal"),
    "high": N_("High"),
    "urgent": N_("Urgent"),
}
# The inbox's views, in tab order; "touchpoint" is a filter on any of them.
VIEWS: dict[str, str] = {
    "mine": N_("Mine"),
    "team": N_("My team's"),
    "breaching": N_("Breaching soon"),
    "all": N_("All open"),
    "closed": N_("Closed"),
}
SOURCES: dict[str, str] = {
    "rule": N_("Rule"),
    "complaint": N_("Complaint"),
    "manual": N_("Manual"),
    "api": N_("API"),
}
# The languages a case's customer may have (their names come from CLDR: see language_label).
CASE_LANGUAGES: tuple[str, ...] = ("fi", "en", "sv")
EVENT_KINDS: dict[str, str] = {
    "opened": N_("Opened"),
    "transition": N_("Moved"),
    "assigned": N_("Assigned"),
    "note": N_("Note"),
    "message": N_("Message sent"),
    "reply": N_("Customer replied"),
    "breach": N_("Service level breached"),
    "escalated": N_("Escalated"),
    "followup": N_("Follow-up answered"),
    "duplicate": N_("Triggered again"),
}
FOLLOWUP_OUTCOMES: dict[str, str] = {
    "put_right": N_("Put right"),
    "partly": N_("Partly put right"),
    "not_put_right": N_("Not put right"),
}
BADGE_BREACHED = N_("Breached")
BADGE_SOON = N_("Breaching soon")
DEFAULT_WARN_HOURS = 2


def state_label(locale: str, state: str) -> str:
    try:
        return gettext(locale, workflow.STATE_LABELS[workflow.State(state)])
    except ValueError:
        return state


def label(locale: str, table: dict[str, str], key: str | None) -> str:
    """``key`` said in words from one of the tables above (the key itself if unknown)."""
    if key is None:
        return ""
    return gettext(locale, table[key]) if key in table else key


def warn_before(session: Session) -> timedelta:
    """How long before a due time a case counts as breaching soon (read, never created:
    the pages open read-only transactions)."""
    hours = session.scalar(select(CaseSettings.warn_before_hours))
    return timedelta(hours=DEFAULT_WARN_HOURS if hours is None else hours)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@dataclass(frozen=True)
class Due:
    """One service-level clock of a case: when it is due and how it stands."""

    kind: str  # "acknowledge" | "resolve"
    at: datetime | None
    done: bool
    badge: str  # "" | "breached" | "soon"


def clocks(case: Case, warn: timedelta, now: datetime | None = None) -> list[Due]:
    """The case's two clocks. A clock stops when its step is done; a running one is
    breached when marked so (the SLA job) or past due, soon when due within ``warn``."""
    now = now or utcnow()
    open_ = case.state in workflow.OPEN_STATES
    out = []
    for kind, due, done, breached in (
        (
            "acknowledge",
            case.acknowledge_due_at,
            case.acknowledged_at is not None,
            case.acknowledge_breached,
        ),
        ("resolve", case.resolve_due_at, case.resolved_at is not None, case.resolve_breached),
    ):
        due = _aware(due)
        running = open_ and not done
        badge = ""
        if breached or (running and due is not None and due <= now):
            badge = "breached"
        elif running and due is not None and due - warn <= now:
            badge = "soon"
        out.append(Due(kind, due, done, badge))
    return out


def badge_of(dues: list[Due]) -> str:
    """The case's one badge in a list: breached wins over soon."""
    badges = {d.badge for d in dues}
    return "breached" if "breached" in badges else ("soon" if "soon" in badges else "")


@dataclass(frozen=True)
class InboxRow:
    id: uuid.UUID
    number: int
    title: str
    state: str
    state_label: str
    priority: str
    priority_label: str
    team: str
    assignee: str
    touchpoint: str
    language: str
    opened_at: datetime
    next_due: datetime | None
    badge: str


def inbox_row(
    locale: str,
    case: Case,
    *,
    teams: dict[uuid.UUID, str],
    people: dict[uuid.UUID, str],
    touchpoints: dict[uuid.UUID, str],
    warn: timedelta,
    now: datetime,
) -> InboxRow:
    dues = clocks(case, warn, now)
    running = [d.at for d in dues if not d.done and d.at is not None]
    return InboxRow(
        id=case.id,
        number=case.number,
        title=case.title,
        state=case.state,
        state_label=state_label(locale, case.state),
        priority=case.priority,
        priority_label=label(locale, PRIORITIES, case.priority),
        team=teams.get(case.team_id, "") if case.team_id else "",
        assignee=people.get(case.assignee_id, "") if case.assignee_id else "",
        touchpoint=touchpoints.get(case.touchpoint_id, "") if case.touchpoint_id else "",
        language=language_label(locale, case.language),
        opened_at=case.opened_at,
        next_due=min(running) if running and case.state in workflow.OPEN_STATES else None,
        badge=badge_of(dues),
    )
