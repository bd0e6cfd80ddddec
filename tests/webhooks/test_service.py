"""emit: one delivery and one job per subscribed endpoint, once per event, in the
caller's transaction; endpoints and logs stay within their organisation."""

from __future__ import annotations

import json
import uuid

import pytest

from kohtaamo.accounts.models import Organisation
from kohtaamo.cases import webhook_events
from kohtaamo.errors import NotFound
from kohtaamo.jobs.runner import Runner
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS, TenancyViolation
from kohtaamo.surveys.responses import FinishedResponse
from kohtaamo.webhooks import service
from kohtaamo.webhooks.schemas import EndpointPatch
from tests.factories import Factory
from tests.webhooks.conftest import (
    Receiver,
    deliveries,
    emit,
    jobs,
    make_endpoint,
    run_until_settled,
)


def test_emit_reaches_subscribed_active_endpoints_only(
    db: Database, org: Organisation, receiver: Receiver
) -> None:
    everything, _ = make_endpoint(db, org, receiver.url)
    cases_only, _ = make_endpoint(db, org, receiver.url, event_types=["case.opened"])
    make_endpoint(db, org, receiver.url, event_types=["response.finished"])
    disabled, _ = make_endpoint(db, org, receiver.url)
    with db.transaction(org.id) as session:
        service.do_disable(session, uuid.UUID(disabled))

    assert emit(db, org, "case.opened") == 2

    got = {str(d.endpoint_id) for d in deliveries(db, org)}
    assert got == {everything, cases_only}
    assert len(jobs(db)) == 2


def test_the_same_event_id_is_queued_once(db: Database, org: Organisation) -> None:
    make_endpoint(db, org, "http://127.0.0.1:9/hook")
    assert emit(db, org, event_id="case-event-1") == 1
    assert emit(db, org, event_id="case-event-1") == 0
    with db.transaction(org.id) as session:  # twice in one transaction, too
        assert service.emit(session, "case.closed", {}, event_id="case-event-2") == 1
        assert service.emit(session, "case.closed", {}, event_id="case-event-2") == 0
    assert len(deliveries(db, org)) == 2
    assert len(jobs(db)) == 2


def test_a_rolled_back_caller_leaves_no_delivery_and_no_job(
    db: Database, org: Organisation
) -> None:
    make_endpoint(db, org, "http://127.0.0.1:9/hook")
    with pytest.raises(RuntimeError), db.transaction(org.id) as session:
        service.emit(session, "case.opened", {"case_id": "x"})
        raise RuntimeError("the case could not be stored")
    assert deliveries(db, org) == [] and jobs(db) == []


def test_unknown_event_types_are_a_programming_error(db: Database, org: Organisation) -> None:
    with db.transaction(org.id) as session, pytest.raises(ValueError):
        service.emit(session, "case.exploded", {})


def test_another_organisation_neither_sees_nor_receives(
    db: Database, org: Organisation, factory: Factory, receiver: Receiver, runner: Runner
) -> None:
    other = factory.organisation("Toinen Oy")
    mine, _ = make_endpoint(db, org, receiver.url)

    assert emit(db, other, "case.opened") == 0  # B's events never reach A's endpoints
    with db.transaction(other.id) as session:
        with pytest.raises(NotFound):
            service.get_endpoint(session, uuid.UUID(mine))
        with pytest.raises(NotFound):
            service.do_update_endpoint(session, uuid.UUID(mine), EndpointPatch(description="x"))
        with pytest.raises(NotFound):
            service.deliveries_of(session, uuid.UUID(mine))
    emit(db, org)
    run_until_settled(db, runner)
    assert deliveries(db, other) == []
    assert len(deliveries(db, org)) == 1 and len(receiver.received) == 1


def test_a_finished_response_emits_response_finished_once(
    db: Database, org: Organisation, receiver: Receiver, runner: Runner
) -> None:
    make_endpoint(db, org, receiver.url, event_types=["response.finished"])
    finished = FinishedResponse(
        organisation_id=org.id,
        response_id=uuid.uuid4(),
        survey_id=uuid.uuid4(),
        customer_id=None,
        touchpoint_id=uuid.uuid4(),
    )
    for _ in range(2):  # a replayed submit runs the hook again: still one event
        with db.transaction(org.id) as session:
            webhook_events.on_response_finished(session, finished)
    run_until_settled(db, runner)

    [got] = receiver.received
    assert got.headers["webhook-id"] == webhook_events.event_id_of(finished)
    body = json.loads(got.body)
    assert body["type"] == "response.finished"
    assert body["data"]["response_id"] == str(finished.response_id)
    assert body["data"]["customer_id"] is None


def test_rotating_the_secret_signs_with_the_new_one(
    db: Database, org: Organisation, receiver: Receiver, runner: Runner
) -> None:
    from standardwebhooks import Webhook

    endpoint_id, old = make_endpoint(db, org, receiver.url)
    with db.transaction(org.id) as session:
        new = service.do_rotate_secret(session, uuid.UUID(endpoint_id)).secret
    assert new != old and new.startswith("whsec_")
    emit(db, org)
    run_until_settled(db, runner)
    [got] = receiver.received
    Webhook(new).verify(got.body, got.headers)
    with pytest.raises(Exception, match="signature"):
        Webhook(old).verify(got.body, got.headers)


def test_enabling_again_clears_the_failure_state(db: Database, org: Organisation) -> None:
    endpoint_id, _ = make_endpoint(db, org, "http://127.0.0.1:9/hook")
    with db.transaction(org.id) as session:
        endpoint = service.get_endpoint(session, uuid.UUID(endpoint_id))
        endpoint.active, endpoint.consecutive_failures = False, 5
        endpoint.disabled_reason = "Disabled after five failed deliveries in a row."
    with db.transaction(org.id) as session:
        again = service.do_enable(session, uuid.UUID(endpoint_id))
        assert (again.active, again.consecutive_failures, again.disabled_reason) == (
            True,
            0,
            None,
        )
    assert emit(db, org) == 1


def test_emit_refuses_an_all_tenants_session(db: Database, org: Organisation) -> None:
    """Such a session sees every organisation's endpoints: emitting there would leak."""
    make_endpoint(db, org, "http://127.0.0.1:9/hook")
    with db.transaction(ALL_TENANTS) as session, pytest.raises(TenancyViolation):
        service.emit(session, "case.opened", {})
    assert deliveries(db, org) == []
