"""Tables of the webhooks domain: endpoints and their deliveries (the delivery log)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.base import Base, IdMixin, TenantScoped, TimestampMixin
from kohtaamo.storage.types import JSONDoc


class WebhookEndpoint(IdMixin, TenantScoped, TimestampMixin, Base):
    """A receiver URL of the organisation and the events it subscribes to."""

    __tablename__ = "webhook_endpoints"

    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(300), default="")
    secret: Mapped[str] = mapped_column(String(120))  # "whsec_" + base64, Standard Webhooks
    event_types: Mapped[list[str]] = mapped_column(JSONDoc, default=list)  # empty: all
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # An administrator's explicit permission to deliver to a private range (CIDR), or None.
    allowed_private_range: Mapped[str | None] = mapped_column(String(64), default=None)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    disabled_reason: Mapped[str | None] = mapped_column(Text, default=None)


class WebhookDelivery(IdMixin, TenantScoped, Base):
    """One event to one endpoint: what was sent, every attempt's outcome, the status."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # An event reaches an endpoint through one delivery row, however often emitted.
        UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_event"),
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "created_at"),
    )

    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event_id: Mapped[str] = mapped_column(String(80))  # the webhook-id header ("msg_…")
    event_type: Mapped[str] = mapped_column(String(60))  # e.g. case.opened, response.finished
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|delivered|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
