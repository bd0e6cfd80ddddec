"""The ``webhooks.deliver`` job: one attempt per run, retried with backoff by the jobs.

Delivery is at least once. The attempt is counted in its own short transaction before
the request leaves, and success is recorded in the job's transaction, which also marks
the job done. If the worker dies after the receiver answered but before that commit,
the job runs again and the receiver gets the same event again, with the same
``webhook-id`` so that it can drop the duplicate; the log shows both attempts.

No write transaction is open while the request is on the network: on SQLite the job's
transaction holds the write lock from its first statement, so the handler touches the
job's session only after the request, and failures (which roll the job's transaction
back to retry it) are recorded in a short transaction of their own.

An endpoint whose ``DISABLE_AFTER`` deliveries in a row each failed every attempt (with
``MAX_ATTEMPTS`` over about four hours, that is a receiver down for hours, not a blip)
is disabled with the reason; an administrator turns it back on in the settings.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from kohtaamo.i18n import N_
from kohtaamo.jobs import current_job, task
from kohtaamo.jobs.registry import get_task
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.tenancy import require_tenant
from kohtaamo.webhooks import delivery as sender
from kohtaamo.webhooks import repository as repo
from kohtaamo.webhooks import signing

DELIVER_TASK = "webhooks.deliver"
# 30 s, 1, 2, 4 … min, capped at 2 h: ten attempts span about four hours.
MAX_ATTEMPTS = 10
BACKOFF = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=2)
DISABLE_AFTER = 5
DISABLED_AFTER_FAILURES = N_("Disabled after five failed deliveries in a row.")
ENDPOINT_GONE = "the endpoint was disabled before this delivery"


class DeliveryFailed(RuntimeError):
    """This attempt did not reach the receiver; the job is retried (or gives up)."""


@dataclass(frozen=True)
class Attempt:
    """What the request needs, read before the request so no transaction stays open."""

    url: str
    allowed_range: str | None
    secret: str
    event_id: str
    body: str


@contextmanager
def _own_transaction(session: Session) -> Iterator[Session]:
    """A short transaction of the job's organisation beside the job's own."""
    with Session(session.get_bind(), expire_on_commit=False) as side:
        side.info["tenant"] = require_tenant(session)
        with side.begin():
            yield side


def _start(session: Session, delivery_id: uuid.UUID) -> Attempt | None:
    """Count the attempt (committed at once) and return what to send, or None if done."""
    with _own_transaction(session) as side:
        delivery = repo.delivery(side, delivery_id)
        if delivery is None or delivery.status != "pending":
            return None  # delivered, given up, or its endpoint was deleted
        endpoint = repo.endpoint(side, delivery.endpoint_id)
        if endpoint is None or not endpoint.active:
            delivery.status = "failed"
            delivery.last_error = ENDPOINT_GONE
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = utcnow()
        return Attempt(
            endpoint.url,
            endpoint.allowed_private_range,
            endpoint.secret,
            delivery.event_id,
            signing.body_of(delivery.payload),
        )


def _record_success(session: Session, delivery_id: uuid.UUID, outcome: sender.Outcome) -> None:
    delivery = repo.delivery(session, delivery_id)
    if delivery is None:
        return
    delivery.status = "delivered"
    delivery.delivered_at = utcnow()
    delivery.last_status_code = outcome.status_code
    delivery.last_error = None
    endpoint = repo.endpoint(session, delivery.endpoint_id)
    if endpoint is not None:
        endpoint.consecutive_failures = 0


def _record_failure(
    session: Session, delivery_id: uuid.UUID, outcome: sender.Outcome, *, final: bool
) -> None:
    with _own_transaction(session) as side:
        delivery = repo.delivery(side, delivery_id)
        if delivery is None:
            return
        delivery.last_status_code = outcome.status_code
        delivery.last_error = outcome.error
        if not final:
            return
        delivery.status = "failed"
        endpoint = repo.endpoint(side, delivery.endpoint_id)
        if endpoint is None:
            return
        endpoint.consecutive_failures += 1
        if endpoint.active and endpoint.consecutive_failures >= DISABLE_AFTER:
            endpoint.active = False
            endpoint.disabled_at = utcnow()
            endpoint.disabled_reason = DISABLED_AFTER_FAILURES


@task(DELIVER_TASK, max_attempts=MAX_ATTEMPTS, backoff=BACKOFF, backoff_cap=BACKOFF_CAP)
def deliver(session: Session, payload: dict[str, Any]) -> None:
    delivery_id = uuid.UUID(payload["delivery_id"])
    attempt = _start(session, delivery_id)
    if attempt is None:
        return
    outcome = sender.attempt(
        attempt.url, attempt.allowed_range, attempt.secret, attempt.event_id, attempt.body
    )
    if outcome.delivered:
        _record_success(session, delivery_id, outcome)
        return
    job = current_job()
    final = job.attempt >= _max_attempts()
    _record_failure(session, delivery_id, outcome, final=final)
    raise DeliveryFailed(outcome.error or "not delivered")


def _max_attempts() -> int:
    # Read from the registry, not the constant, so the policy has one source.
    return get_task(DELIVER_TASK).retry.max_attempts
