"""Writing a case's timeline and telling the outside world: every change of a case
leaves one line (who, when, what) and, for the workflow's steps, one webhook event
whose id is the line's, so a receiver can tell a redelivery from a new event."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import User
from kohtaamo.cases.models import Case, CaseEvent, CaseRule
from kohtaamo.journeys.models import Customer
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.tenancy import require_tenant
from kohtaamo.webhooks import service as webhooks

SYSTEM = "system"
API_LABEL = "API"


def actor_label(session: Session, actor: Actor | None, rule: CaseRule | None = None) -> str:
    """A readable "who" for the timeline that survives the user's deletion."""
    if actor is not None and actor.user_id is not None:
        name = session.scalar(select(User.name).where(User.id == actor.user_id))
        return (name or "")[:200]
    if actor is not None and actor.is_api_key:
        return API_LABEL
    if rule is not None:
        return rule.name[:200]
    return SYSTEM


def record(
    session: Session,
    case: Case,
    kind: str,
    *,
    actor: Actor | None = None,
    label: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    body: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """Add one timeline line to ``case`` (flushed, so its id names the webhook event)."""
    event = CaseEvent(
        organisation_id=require_tenant(session),
        case_id=case.id,
        at=utcnow(),
        kind=kind,
        actor_id=actor.user_id if actor is not None else None,
        actor_label=label if label is not None else actor_label(session, actor),
        from_state=from_state,
        to_state=to_state,
        body=body,
        data=data or {},
    )
    session.add(event)
    session.flush()
    return event


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _str(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def payload(session: Session, case: Case) -> dict[str, Any]:
    """What a webhook receiver is told of a case: ids, state and deadlines. Not the
    customer's address nor what they wrote: a receiver that needs more asks the API."""
    external = None
    if case.customer_id is not None:
        external = session.scalar(
            select(Customer.external_id).where(Customer.id == case.customer_id)
        )
    return {
        "id": str(case.id),
        "number": case.number,
        "state": case.state,
        "priority": case.priority,
        "topic": case.topic,
        "source": case.source,
        "customer_external_id": external,
        "customer_id": _str(case.customer_id),
        "response_id": _str(case.response_id),
        "touchpoint_id": _str(case.touchpoint_id),
        "team_id": _str(case.team_id),
        "assignee_id": _str(case.assignee_id),
        "opened_at": _iso(case.opened_at),
        "acknowledge_due_at": _iso(case.acknowledge_due_at),
        "resolve_due_at": _iso(case.resolve_due_at),
        "closed_at": _iso(case.closed_at),
    }


def emit(session: Session, case: Case, event_type: str, event: CaseEvent) -> None:
    """Send ``event_type`` to the organisation's webhook endpoints in this transaction.
    The event id is the timeline line's: a retried job that rolled back wrote neither."""
    data = payload(session, case)
    if event.from_state is not None:
        data["previous_state"] = event.from_state
    webhooks.emit(session, event_type, data, event_id=str(event.id))
