"""Write and read the audit log.

``record`` adds an entry inside the caller's transaction, so an entry exists exactly
when the change it tells of was committed. Entries are append-only: a flush that would
update or delete one is refused (the database's own cascades when an organisation is
removed are the only way rows go).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final, Protocol

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from kohtaamo.audit.models import AuditEvent
from kohtaamo.i18n import N_

#: Every action the log knows, with its label (an English msgid).
ACTIONS: Final[dict[str, str]] = {
    "member.invited": N_("Added a member"),
    "member.role_changed": N_("Changed a member's role"),
    "member.disabled": N_("Removed a member"),
    "apikey.created": N_("Created an API key"),
    "apikey.revoked": N_("Revoked an API key"),
    "webhook.created": N_("Added a webhook"),
    "webhook.changed": N_("Changed a webhook"),
    "webhook.deleted": N_("Deleted a webhook"),
    "webhook.secret_rotated": N_("Rotated a webhook's secret"),
    "webhook.enabled": N_("Enabled a webhook"),
    "webhook.disabled": N_("Disabled a webhook"),
    "personal.viewed": N_("Viewed personal data"),
    "personal.exported": N_("Exported personal data"),
    "audit.exported": N_("Exported the audit log"),
    "customer.exported": N_("Exported a customer's data"),
    "customer.erased": N_("Erased a customer's data"),
    "retention.changed": N_("Changed the retention rules"),
    "retention.applied": N_("Applied the retention rules"),
}


class Who(Protocol):
    """Whoever acts: an ``accounts.actor.Actor`` fits."""

    @property
    def user_id(self) -> uuid.UUID | None: ...

    @property
    def api_key_id(self) -> uuid.UUID | None: ...


def record(
    session: Session,
    action: str,
    who: Who | None = None,
    *,
    object_type: str = "",
    object_id: object = "",
    detail: dict[str, Any] | None = None,
    user_id: uuid.UUID | None = None,
) -> AuditEvent:
    """Add an entry for ``action`` (a key of :data:`ACTIONS`) by ``who`` (or ``user_id``;
    neither: the system). ``detail`` must not hold personal data."""
    if action not in ACTIONS:
        raise KeyError(f"undeclared audit action {action!r}")
    entry = AuditEvent(
        action=action,
        actor_user_id=who.user_id if who is not None else user_id,
        actor_api_key_id=who.api_key_id if who is not None else None,
        object_type=object_type,
        object_id=str(object_id) if object_id else "",
        detail=detail or {},
    )
    session.add(entry)
    return entry


def entries(
    session: Session,
    *,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[AuditEvent]:
    """The organisation's entries, newest first."""
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id).limit(limit).offset(offset)
    return session.scalars(query).all()


def count(session: Session, *, action: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    return int(session.scalar(query) or 0)


class AuditTampering(RuntimeError):
    """An attempt to change or delete an audit entry through the application."""


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, _context: object, _instances: object) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent):
            raise AuditTampering("audit entries are append-only")
