"""Webhook use cases: emit an event, manage the organisation's endpoints.

``emit`` is what the domains call, inside their own transaction: a delivery row per
subscribed endpoint and a job per delivery leave together with the caller's data, or
not at all. Services flush, never commit.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from kohtaamo.audit.service import Who, record
from kohtaamo.errors import InvalidInput, NotFound
from kohtaamo.i18n import N_
from kohtaamo.jobs import enqueue
from kohtaamo.kit.clock import utcnow
from kohtaamo.kit.ids import token
from kohtaamo.storage.tenancy import require_tenant
from kohtaamo.webhooks import repository as repo
from kohtaamo.webhooks import signing, ssrf
from kohtaamo.webhooks.models import WebhookDelivery, WebhookEndpoint
from kohtaamo.webhooks.schemas import EVENT_TYPE_TITLES, TEST_EVENT, EndpointIn, EndpointPatch
from kohtaamo.webhooks.tasks import DELIVER_TASK

DISABLED_BY_ADMIN = N_("Disabled by an administrator.")


def new_event_id() -> str:
    return "msg_" + token(18)


def emit(
    session: Session, event_type: str, data: dict[str, Any], *, event_id: str | None = None
) -> int:
    """Queue ``event_type`` for every active endpoint that subscribes to it.

    Returns how many deliveries were added. With the same ``event_id`` a second call
    adds nothing for an endpoint that already has it: the id is the ``webhook-id`` the
    receiver sees, so a retried caller never sends an event twice.
    """
    if event_type not in EVENT_TYPE_TITLES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    # Fail closed: in an all-tenants session the endpoints of every organisation would
    # be "subscribed", and one organisation's event would reach the others.
    require_tenant(session)
    msg_id = event_id or new_event_id()
    if len(msg_id) > 80:
        raise ValueError("a webhook event id is at most 80 characters")
    payload = {"type": event_type, "timestamp": utcnow().isoformat(), "data": data}
    signing.body_of(payload)  # only JSON leaves; refuse anything else in the caller
    already = repo.endpoints_with_event(session, msg_id)
    added = 0
    for endpoint in repo.active_endpoints(session):
        if endpoint.id in already:
            continue
        if endpoint.event_types and event_type not in endpoint.event_types:
            continue
        _queue(session, endpoint, msg_id, event_type, payload)
        added += 1
    return added


def _queue(
    session: Session,
    endpoint: WebhookEndpoint,
    msg_id: str,
    event_type: str,
    payload: dict[str, Any],
) -> WebhookDelivery:
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id, event_id=msg_id, event_type=event_type, payload=payload
    )
    session.add(delivery)
    session.flush()
    enqueue(
        session,
        DELIVER_TASK,
        {"delivery_id": str(delivery.id)},
        dedupe_key=f"webhook-delivery:{delivery.id}",
    )
    return delivery


# --- endpoints ---------------------------------------------------------------------


def get_endpoint(session: Session, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    found = repo.endpoint(session, endpoint_id)
    if found is None:
        raise NotFound("No such webhook endpoint.")
    return found


def check_destination(url: str, allowed_range: str | None) -> str | None:
    """Refuse a URL or range the sender would refuse; returns the range normalised.

    The same check runs before every attempt; saving is checked too so that whoever
    types a private address hears why at once, not from a delivery log days later.
    """
    try:
        network = ssrf.parse_range(allowed_range)
    except ssrf.Refused as refused:
        raise refused.as_invalid_input("allowed_private_range") from None
    normalised = str(network) if network is not None else None
    try:
        ssrf.check(url, normalised)
    except ssrf.Refused as refused:
        raise refused.as_invalid_input("url") from None
    return normalised


def do_create_endpoint(
    session: Session, data: EndpointIn, who: Who | None = None
) -> WebhookEndpoint:
    """A new active endpoint with a fresh secret (shown to its creator once)."""
    allowed = check_destination(data.url, data.allowed_private_range)
    endpoint = WebhookEndpoint(
        url=data.url.strip(),
        description=data.description.strip(),
        secret=signing.new_secret(),
        event_types=list(data.event_types),
        active=True,
        allowed_private_range=allowed,
        consecutive_failures=0,
    )
    session.add(endpoint)
    session.flush()
    _audit(session, "webhook.created", who, endpoint)
    return endpoint


def do_update_endpoint(
    session: Session, endpoint_id: uuid.UUID, data: EndpointPatch, who: Who | None = None
) -> WebhookEndpoint:
    endpoint = get_endpoint(session, endpoint_id)
    sent = data.model_fields_set
    url = data.url if "url" in sent and data.url is not None else endpoint.url
    allowed_range = (
        data.allowed_private_range
        if "allowed_private_range" in sent
        else endpoint.allowed_private_range
    )
    endpoint.allowed_private_range = check_destination(url, allowed_range)
    endpoint.url = url.strip()
    if data.description is not None:
        endpoint.description = data.description.strip()
    if data.event_types is not None:
        endpoint.event_types = list(data.event_types)
    session.flush()
    _audit(session, "webhook.changed", who, endpoint)
    return endpoint


def do_delete_endpoint(session: Session, endpoint_id: uuid.UUID, who: Who | None = None) -> None:
    """Remove an endpoint and its delivery log; queued jobs find nothing and end."""
    endpoint = get_endpoint(session, endpoint_id)
    _audit(session, "webhook.deleted", who, endpoint)
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    session.delete(endpoint)
    session.flush()


def do_rotate_secret(
    session: Session, endpoint_id: uuid.UUID, who: Who | None = None
) -> WebhookEndpoint:
    """A new secret at once: deliveries from now on are signed with it."""
    endpoint = get_endpoint(session, endpoint_id)
    endpoint.secret = signing.new_secret()
    session.flush()
    _audit(session, "webhook.secret_rotated", who, endpoint)
    return endpoint


def do_enable(session: Session, endpoint_id: uuid.UUID, who: Who | None = None) -> WebhookEndpoint:
    """Turn an endpoint back on with a clean failure count (after its receiver is fixed)."""
    endpoint = get_endpoint(session, endpoint_id)
    _audit(session, "webhook.enabled", who, endpoint)
    endpoint.active = True
    endpoint.consecutive_failures = 0
    endpoint.disabled_at = None
    endpoint.disabled_reason = None
    session.flush()
    return endpoint


def do_disable(session: Session, endpoint_id: uuid.UUID, who: Who | None = None) -> WebhookEndpoint:
    endpoint = get_endpoint(session, endpoint_id)
    if endpoint.active:
        _audit(session, "webhook.disabled", who, endpoint)
        endpoint.active = False
        endpoint.disabled_at = utcnow()
        endpoint.disabled_reason = DISABLED_BY_ADMIN
        session.flush()
    return endpoint


def _audit(session: Session, action: str, who: Who | None, endpoint: WebhookEndpoint) -> None:
    # The host names the endpoint; a URL's path or query may carry a token.
    host = endpoint.url.split("://", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1]
    record(
        session,
        action,
        who,
        object_type="webhook",
        object_id=endpoint.id,
        detail={"host": host, "events": list(endpoint.event_types)},
    )


def do_send_test(
    session: Session, endpoint_id: uuid.UUID, who: Who | None = None
) -> WebhookDelivery:
    """Queue a ``webhook.test`` event to this endpoint alone, so its owner can see it."""
    endpoint = get_endpoint(session, endpoint_id)
    if not endpoint.active:
        raise InvalidInput("Enable the endpoint before sending a test event.")
    msg_id = new_event_id()
    payload = {
        "type": TEST_EVENT,
        "timestamp": utcnow().isoformat(),
        "data": {"endpoint_id": str(endpoint.id), "message": "Kohtaamo test event"},
    }
    return _queue(session, endpoint, msg_id, TEST_EVENT, payload)


def deliveries_of(
    session: Session, endpoint_id: uuid.UUID, *, limit: int = 50, offset: int = 0
) -> list[WebhookDelivery]:
    endpoint = get_endpoint(session, endpoint_id)
    return list(repo.deliveries(session, endpoint.id, limit=limit, offset=offset))
