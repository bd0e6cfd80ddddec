"""Queries of endpoints and deliveries; the session's tenant scopes every one of them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kohtaamo.webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoints(session: Session) -> Sequence[WebhookEndpoint]:
    return session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.created_at)).all()


def endpoint(session: Session, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
    return session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
    ).one_or_none()


def active_endpoints(session: Session) -> Sequence[WebhookEndpoint]:
    return session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))).all()


def delivery(session: Session, delivery_id: uuid.UUID) -> WebhookDelivery | None:
    return session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
    ).one_or_none()


def endpoints_with_event(session: Session, event_id: str) -> set[uuid.UUID]:
    """The endpoints that already have a delivery of ``event_id`` (emit is idempotent)."""
    found = session.scalars(
        select(WebhookDelivery.endpoint_id).where(WebhookDelivery.event_id == event_id)
    )
    return set(found)


def deliveries(
    session: Session, endpoint_id: uuid.UUID, *, limit: int = 50, offset: int = 0
) -> Sequence[WebhookDelivery]:
    """An endpoint's delivery log, newest first."""
    return session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()


def delivery_counts(session: Session) -> dict[tuple[uuid.UUID, str], int]:
    """(endpoint, status) -> how many deliveries, for the endpoint list."""
    rows = session.execute(
        select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count()).group_by(
            WebhookDelivery.endpoint_id, WebhookDelivery.status
        )
    )
    return {(endpoint_id, status): n for endpoint_id, status, n in rows}
