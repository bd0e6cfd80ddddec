"""The audit log's one table."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.base import Base, IdMixin, TenantScoped
from kohtaamo.storage.types import JSONDoc


class AuditEvent(IdMixin, TenantScoped, Base):
    """One thing done: by whom (a user, an API key, or the system), what, to which object.

    ``detail`` names what changed (a role, a key's name and scopes, an export's row count)
    and never holds the personal data itself: an entry about a customer names the
    customer's id, which erasure replaces with a keyed hash. Rows are never updated or
    deleted through the application (see :mod:`kohtaamo.audit.service`)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_org_at", "organisation_id", "at"),)

    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(60))
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    actor_api_key_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"), default=None
    )
    actor_label: Mapped[str] = mapped_column(String(200), default="")  # name or e-mail then
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
