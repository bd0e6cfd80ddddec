"""Queries of the cases domain. Tenant scoping is automatic (storage.tenancy); what is
left here is which cases each inbox view shows, and in which order."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from kohtaamo.cases.models import Case, CaseEvent, CaseRule, CaseSettings, TeamMember
from kohtaamo.cases.workflow import OPEN_STATES, State
from kohtaamo.errors import InvalidInput
from kohtaamo.kit.clock import utcnow

VIEWS = ("mine", "team", "breaching", "all", "closed")
DEFAULT_WARN_HOURS = 2  # CaseSettings' default, for an organisation without settings yet
_PRIORITY_RANK = case({"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=Case.priority, else_=4)


def get(session: Session, case_id: uuid.UUID, *, lock: bool = False) -> Case | None:
    """One case of the session's organisation; ``lock`` holds its row until commit
    (PostgreSQL; SQLite's writer already holds the whole database)."""
    stmt = select(Case).where(Case.id == case_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def by_open_key(session: Session, open_key: str) -> Case | None:
    return session.scalar(select(Case).where(Case.open_key == open_key))


def by_origin_key(session: Session, origin_key: str) -> Case | None:
    return session.scalar(select(Case).where(Case.origin_key == origin_key))


def next_number(session: Session) -> int:
    """The organisation's next case number (the caller retries on a collision)."""
    found = session.scalar(select(func.max(Case.number)))
    return int(found or 0) + 1


def events(session: Session, case_id: uuid.UUID) -> list[CaseEvent]:
    stmt = (
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.at, CaseEvent.id)
    )
    return list(session.scalars(stmt))


def events_of_kind(session: Session, case_id: uuid.UUID, kind: str) -> list[CaseEvent]:
    stmt = select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == kind)
    return list(session.scalars(stmt))


def team_ids_of(session: Session, user_id: uuid.UUID) -> list[uuid.UUID]:
    """The teams ``user_id`` belongs to in the session's organisation."""
    stmt = select(TeamMember.team_id).where(TeamMember.user_id == user_id)
    return list(session.scalars(stmt))


def warn_before_hours(session: Session) -> int:
    found = session.scalar(select(CaseSettings.warn_before_hours))
    return DEFAULT_WARN_HOURS if found is None else int(found)


def _inbox_filter(
    session: Session,
    stmt: Select[Any],
    *,
    view: str,
    user_id: uuid.UUID | None,
    touchpoint_id: uuid.UUID | None,
    state: str | None,
) -> Select[Any]:
    if view not in VIEWS:
        raise InvalidInput("Unknown inbox view.", field="view")
    if view in ("mine", "team") and user_id is None:
        raise InvalidInput("This view needs a signed-in person.", field="view")
    if state is not None:
        try:
            state = State(state).value
        except ValueError:
            raise InvalidInput("Unknown case state.", field="state") from None
        stmt = stmt.where(Case.state == state)
    elif view == "closed":
        stmt = stmt.where(Case.state == State.CLOSED.value)
    else:
        stmt = stmt.where(Case.state != State.CLOSED.value)
    if view == "mine":
        stmt = stmt.where(Case.assignee_id == user_id)
    elif view == "team":
        assert user_id is not None
        stmt = stmt.where(Case.team_id.in_(team_ids_of(session, user_id)))
    elif view == "breaching":
        horizon = utcnow() + timedelta(hours=warn_before_hours(session))
        stmt = stmt.where(
            Case.state.in_([s.value for s in OPEN_STATES]),
            or_(
                (Case.state == State.NEW.value) & (Case.acknowledge_due_at <= horizon),
                Case.resolve_due_at <= horizon,
            ),
        )
    if touchpoint_id is not None:
        stmt = stmt.where(Case.touchpoint_id == touchpoint_id)
    return stmt


def inbox(
    session: Session,
    *,
    view: str,
    user_id: uuid.UUID | None = None,
    touchpoint_id: uuid.UUID | None = None,
    state: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Case]:
    """Cases of one inbox view: ``mine`` (assigned to ``user_id``), ``team`` (the teams
    ``user_id`` is a member of), ``breaching`` (an open case whose deadline is past or
    within the organisation's warning time), ``all`` (not closed), ``closed``. Open
    views put the most urgent first, then the nearest deadline; ``closed`` the latest."""
    stmt = _inbox_filter(
        session,
        select(Case),
        view=view,
        user_id=user_id,
        touchpoint_id=touchpoint_id,
        state=state,
    )
    if view == "closed":
        stmt = stmt.order_by(Case.closed_at.desc(), Case.number.desc())
    else:
        stmt = stmt.order_by(
            _PRIORITY_RANK,
            Case.resolve_due_at.is_(None),
            Case.resolve_due_at,
            Case.number,
        )
    return list(session.scalars(stmt.limit(max(1, min(limit, 500))).offset(max(0, offset))))


def count_inbox(
    session: Session,
    *,
    view: str,
    user_id: uuid.UUID | None = None,
    touchpoint_id: uuid.UUID | None = None,
    state: str | None = None,
) -> int:
    """How many cases :func:`inbox` has in all for the same filters."""
    stmt = _inbox_filter(
        session,
        select(func.count()).select_from(Case),
        view=view,
        user_id=user_id,
        touchpoint_id=touchpoint_id,
        state=state,
    )
    return int(session.scalar(stmt) or 0)


def rules(
    session: Session, *, active_only: bool = False, kind: str | None = None
) -> list[CaseRule]:
    stmt = select(CaseRule).order_by(CaseRule.kind, CaseRule.key)
    if active_only:
        stmt = stmt.where(CaseRule.active.is_(True))
    if kind is not None:
        stmt = stmt.where(CaseRule.kind == kind)
    return list(session.scalars(stmt))


def has_active_rule(session: Session, kinds: tuple[str, ...]) -> bool:
    """Whether any active rule of these kinds exists (one indexed look-up: the hooks on
    finished responses and analysed comments ask it before enqueueing anything)."""
    stmt = select(CaseRule.id).where(CaseRule.active.is_(True), CaseRule.kind.in_(kinds))
    return session.scalar(stmt.limit(1)) is not None


def rule(session: Session, rule_id: uuid.UUID) -> CaseRule | None:
    return session.scalar(select(CaseRule).where(CaseRule.id == rule_id))


def rule_by_key(session: Session, key: str) -> CaseRule | None:
    return session.scalar(select(CaseRule).where(CaseRule.key == key))
