"""The SLA clock's jobs: find the cases whose deadline has passed, mark the breach, put
it on the timeline and escalate, each exactly once however often the job runs.

- ``cases.sla_check`` (periodic, every minute, no tenant): enqueues one
  ``cases.sla_breaches`` job per organisation that has an open case past a deadline it
  has not yet been marked for.
- ``cases.sla_breaches`` (per organisation): :func:`check_breaches`.

A breach is claimed by a conditional UPDATE (``… WHERE acknowledge_breached = false``):
of two jobs racing for the same case only one changes the row, and only that one writes
the timeline lines and enqueues the e-mail, in the same transaction, so a crash before
commit leaves nothing and a rerun after commit finds nothing to do.

The acknowledgement clock stops when the case leaves ``new`` (acknowledged, or "no
contact possible"); the resolution clock runs while the case is open
(:data:`~kohtaamo.cases.workflow.OPEN_STATES`). Each breach escalates once: the priority
goes up one step (to at most urgent), ``escalated_at`` records the first escalation, and
the team's members and the organisation's escalation address are told by e-mail.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from kohtaamo.accounts.models import Membership, Organisation, User
from kohtaamo.cases import sla, timeline
from kohtaamo.cases.models import Case, TeamMember
from kohtaamo.cases.workflow import OPEN_STATES, State
from kohtaamo.i18n import N_, gettext
from kohtaamo.jobs import current_job, enqueue, periodic, task
from kohtaamo.kit.clock import utcnow
from kohtaamo.mail.service import enqueue_mail
from kohtaamo.storage.tenancy import require_tenant

CHECK_TASK = "cases.sla_check"
BREACHES_TASK = "cases.sla_breaches"
EVERY = timedelta(minutes=1)
BATCH = 200  # cases per job; a fuller batch enqueues the next one

PRIORITY_UP = {"low": "normal", "normal": "high", "high": "urgent", "urgent": "urgent"}
_OPEN = sorted(s.value for s in OPEN_STATES)

CLOCKS = {
    "acknowledge": N_("acknowledge"),
    "resolve": N_("resolve"),
}
SUBJECT = N_("Case #%(number)s missed its deadline to %(clock)s")
BODY = N_(
    "Case #%(number)s (%(title)s) was due to %(clock)s by %(due)s and has not been. "
    "Its priority is now %(priority)s.\n\nOpen the case: %(link)s"
)


@dataclass(frozen=True)
class Breach:
    case_id: uuid.UUID
    clock: str  # acknowledge | resolve


def _acknowledge_due(now: datetime) -> Any:
    return and_(
        Case.state == State.NEW.value,
        Case.acknowledge_breached.is_(False),
        Case.acknowledge_due_at.is_not(None),
        Case.acknowledge_due_at <= now,
    )


def _resolve_due(now: datetime) -> Any:
    return and_(
        Case.state.in_(_OPEN),
        Case.resolve_breached.is_(False),
        Case.resolve_due_at.is_not(None),
        Case.resolve_due_at <= now,
    )


def organisations_due(session: Session, now: datetime) -> list[uuid.UUID]:
    """Organisations with an unmarked breach (an all-tenants session)."""
    stmt = (
        select(Case.organisation_id).where(or_(_acknowledge_due(now), _resolve_due(now))).distinct()
    )
    return sorted(session.scalars(stmt))


def _claim(session: Session, case_id: uuid.UUID, clock: str, now: datetime) -> bool:
    """Mark one breach if nobody has; True when this call did (compare-and-set)."""
    due = _acknowledge_due(now) if clock == "acknowledge" else _resolve_due(now)
    flag = "acknowledge_breached" if clock == "acknowledge" else "resolve_breached"
    result = session.execute(
        update(Case)
        .where(Case.id == case_id, due)
        .values({flag: True})
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def check_breaches(
    session: Session, now: datetime | None = None, *, base_url: str = "", limit: int = BATCH
) -> list[Breach]:
    """Mark, record and escalate every breach of the session's organisation not yet
    marked at ``now``; returns the breaches this call marked (empty on a rerun)."""
    now = now or utcnow()
    rows = session.execute(
        select(Case.id, Case.acknowledge_due_at, Case.resolve_due_at, Case.state)
        .where(or_(_acknowledge_due(now), _resolve_due(now)))
        .order_by(Case.opened_at, Case.id)
        .limit(limit)
    ).all()
    marked: list[Breach] = []
    for row in rows:
        for clock in ("acknowledge", "resolve"):
            if _claim(session, row.id, clock, now):
                marked.append(Breach(row.id, clock))
    for breach in marked:
        case = session.get(Case, breach.case_id, populate_existing=True)
        if case is not None:
            _record_and_escalate(session, case, breach.clock, now, base_url)
    return marked


def _record_and_escalate(
    session: Session, case: Case, clock: str, now: datetime, base_url: str
) -> None:
    due = case.acknowledge_due_at if clock == "acknowledge" else case.resolve_due_at
    data = {"sla": clock, "due_at": due.isoformat() if due else None}
    timeline.record(session, case, "breach", label=timeline.SYSTEM, data=data)
    before = case.priority
    case.priority = PRIORITY_UP.get(case.priority, "urgent")
    if case.escalated_at is None:
        case.escalated_at = now
    timeline.record(
        session,
        case,
        "escalated",
        label=timeline.SYSTEM,
        data=data | {"priority_from": before, "priority_to": case.priority},
    )
    _notify(session, case, clock, base_url)


def recipients(session: Session, case: Case) -> list[str]:
    """The active members of the case's team and the escalation address, once each."""
    found: list[str] = []
    if case.team_id is not None:
        stmt = (
            select(User.email)
            .join(TeamMember, TeamMember.user_id == User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(
                TeamMember.team_id == case.team_id,
                Membership.is_active.is_(True),
                User.is_active.is_(True),
            )
            .order_by(User.email)
        )
        found += list(session.scalars(stmt))
    escalation = sla.settings_of(session).escalation_email
    if escalation:
        found.append(escalation)
    return list(dict.fromkeys(a.strip().lower() for a in found if a and a.strip()))


def _notify(session: Session, case: Case, clock: str, base_url: str) -> None:
    to = recipients(session, case)
    if not to:
        return
    org = session.get(Organisation, require_tenant(session))
    locale = org.default_locale if org is not None else "fi"
    settings = sla.settings_of(session)
    due = case.acknowledge_due_at if clock == "acknowledge" else case.resolve_due_at
    zone = sla.calendar_of(settings).zone
    params = {
        "number": case.number,
        "title": case.title,
        "clock": gettext(locale, CLOCKS[clock]),
        "due": due.astimezone(zone).strftime("%Y-%m-%d %H:%M") if due else "",
        "priority": case.priority,
        "link": f"{base_url.rstrip('/')}/cases/{case.id}",
    }
    # One message to all: each address sees the others, so the team knows who was told.
    enqueue_mail(
        session,
        to=to,
        subject=gettext(locale, SUBJECT, **params),
        text=gettext(locale, BODY, **params),
    )


@periodic(CHECK_TASK, every=EVERY)
def sla_check(session: Session, payload: dict[str, Any]) -> None:
    """Give each organisation with a deadline just passed its breach job (per slot)."""
    now = utcnow()
    slot = int(now.timestamp() // EVERY.total_seconds())
    for org_id in organisations_due(session, now):
        enqueue(
            session,
            BREACHES_TASK,
            {},
            organisation_id=org_id,
            dedupe_key=f"{BREACHES_TASK}:{org_id}:{slot}",
        )


@task(BREACHES_TASK, max_attempts=5, backoff=timedelta(seconds=30))
def sla_breaches(session: Session, payload: dict[str, Any]) -> None:
    base_url = current_job().settings.base_url
    now = utcnow()
    check_breaches(session, now, base_url=base_url)
    more = session.scalar(
        select(Case.id).where(or_(_acknowledge_due(now), _resolve_due(now))).limit(1)
    )
    if more is not None:  # more than a batch was due: the rest right after this commits
        enqueue(session, BREACHES_TASK, {})
