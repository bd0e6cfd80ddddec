"""Delivery to a real receiver on 127.0.0.1: signatures, retries, timeouts, a worker
crash, redirects and disabling, with exactly the deliveries each case should give."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest
from standardwebhooks import Webhook

from kohtaamo.accounts.models import Organisation
from kohtaamo.jobs import JobStatus
from kohtaamo.jobs.registry import RetryPolicy, _tasks
from kohtaamo.jobs.runner import Runner
from kohtaamo.storage.db import Database
from kohtaamo.webhooks import delivery, tasks
from tests.webhooks.conftest import (
    Receiver,
    deliveries,
    emit,
    endpoint_row,
    jobs,
    make_endpoint,
    run_until_settled,
)


def test_a_delivery_is_signed_after_standard_webhooks(
    db: Database, org: Organisation, receiver: Receiver, runner: Runner
) -> None:
    _, secret = make_endpoint(db, org, receiver.url)

    assert emit(db, org, "case.opened") == 1
    run_until_settled(db, runner)

    [got] = receiver.received
    payload = Webhook(secret).verify(got.body, got.headers)
    assert payload["type"] == "case.opened"
    assert payload["data"] == {"case_id": "c-1", "number": 7}
    assert "timestamp" in payload
    assert got.headers["content-type"] == "application/json"
    [row] = deliveries(db, org)
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 1, 200)
    assert row.event_id == got.headers["webhook-id"]
    with pytest.raises(Exception, match="signature"):
        Webhook(secret).verify(got.body.replace("c-1", "c-2"), got.headers)


def test_a_receiver_outage_is_bridged_by_retries(
    db: Database, org: Organisation, receiver: Receiver, runner: Runner
) -> None:
    make_endpoint(db, org, receiver.url)
    receiver.script = [500, 503]

    emit(db, org)
    runner.run_pending()
    [row] = deliveries(db, org)
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == (
        "pending",
        1,
        500,
        "HTTP 500",
    )
    [job] = jobs(db)
    assert row.last_attempt_at is not None
    assert job.status == JobStatus.PENDING and job.run_after > row.last_attempt_at  # backoff

    run_until_settled(db, runner)

    assert len(receiver.received) == 3
    assert len(set(receiver.ids())) == 1  # one event, one webhook-id
    [row] = deliveries(db, org)
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == (
        "delivered",
        3,
        200,
        None,
    )
    assert [j.status for j in jobs(db)] == [JobStatus.DONE]


def test_a_hanging_receiver_times_out_and_is_retried(
    db: Database,
    org: Organisation,
    receiver: Receiver,
    runner: Runner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(delivery, "READ_TIMEOUT_S", 0.3)
    receiver.script = ["hang", 200]
    receiver.hang_seconds = 2.0
    make_endpoint(db, org, receiver.url)
    emit(db, org)

    started = time.monotonic()
    runner.run_pending()
    assert time.monotonic() - started < 1.5  # the timeout, not the receiver, decided
    [row] = deliveries(db, org)
    assert row.status == "pending" and row.attempts == 1
    assert row.last_error is not None and row.last_error.startswith("timed out")

    run_until_settled(db, runner)
    [row] = deliveries(db, org)
    assert (row.status, row.attempts) == ("delivered", 2)
    assert len(receiver.received) == 2


class WorkerDied(BaseException):
    """Not an Exception: like a killed process, nothing in the runner records it."""


def test_a_worker_crash_after_sending_delivers_again_with_the_same_id(
    db: Database,
    org: Organisation,
    receiver: Receiver,
    runner: Runner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_endpoint(db, org, receiver.url)
    emit(db, org)
    record_success = tasks._record_success

    def die_once(*args: object, **kwargs: object) -> None:
        monkeypatch.setattr(tasks, "_record_success", record_success)
        raise WorkerDied()

    monkeypatch.setattr(tasks, "_record_success", die_once)
    with pytest.raises(WorkerDied):
        runner.run_pending()

    # The receiver has the event; the job's transaction (and its "delivered") did not
    # commit. The counted attempt did, so the log shows it.
    assert len(receiver.received) == 1
    [row] = deliveries(db, org)
    assert (row.status, row.attempts) == ("pending", 1)
    [job] = jobs(db)
    assert job.status == JobStatus.RUNNING  # held by the dead worker until its lease ends

    time.sleep(1.1)  # the runner's lease is one second
    run_until_settled(db, runner)

    assert len(receiver.received) == 2
    assert receiver.ids()[0] == receiver.ids()[1] == row.event_id  # receivers dedupe on it
    [row] = deliveries(db, org)
    assert (row.status, row.attempts) == ("delivered", 2)
    [job] = jobs(db)
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    run_until_settled(db, runner)
    assert len(receiver.received) == 2  # and nothing more


def test_a_redirect_is_not_followed(
    db: Database, org: Organisation, receiver: Receiver, runner: Runner
) -> None:
    receiver.script = [302]
    make_endpoint(db, org, receiver.url)
    emit(db, org)

    runner.run_pending()

    assert [r.path for r in receiver.received] == ["/hook"]  # never /elsewhere
    [row] = deliveries(db, org)
    assert (row.status, row.last_status_code) == ("pending", 302)
    assert row.last_error is not None and "not followed" in row.last_error


@pytest.fixture
def one_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give up after the first attempt, so that each failed delivery is final at once."""
    definition = _tasks[tasks.DELIVER_TASK]
    monkeypatch.setitem(
        _tasks, tasks.DELIVER_TASK, replace(definition, retry=RetryPolicy(max_attempts=1))
    )


@pytest.mark.usefixtures("one_attempt")
def test_persistent_failure_disables_the_endpoint(
    db: Database, org: Organisation, receiver: Receiver, runner: Runner
) -> None:
    endpoint_id, _ = make_endpoint(db, org, receiver.url)
    receiver.script = [500] * tasks.DISABLE_AFTER

    for n in range(1, tasks.DISABLE_AFTER + 1):
        assert emit(db, org) == 1
        run_until_settled(db, runner)
        endpoint = endpoint_row(db, org, endpoint_id)
        assert endpoint.consecutive_failures == n
        assert endpoint.active is (n < tasks.DISABLE_AFTER)

    assert endpoint.disabled_reason == tasks.DISABLED_AFTER_FAILURES
    assert endpoint.disabled_at is not None
    assert {d.status for d in deliveries(db, org)} == {"failed"}
    assert [j.status for j in jobs(db)] == [JobStatus.FAILED] * tasks.DISABLE_AFTER
    assert emit(db, org) == 0  # a disabled endpoint gets nothing more
    assert len(receiver.received) == tasks.DISABLE_AFTER


@pytest.mark.usefixtures("one_attempt")
def test_a_success_resets_the_failure_count(
    db: Database, org: Organisation, receiver: Receiver, runner: Runner
) -> None:
    endpoint_id, _ = make_endpoint(db, org, receiver.url)
    receiver.script = [*[500] * (tasks.DISABLE_AFTER - 1), 200, 500]
    for _ in range(tasks.DISABLE_AFTER + 1):
        emit(db, org)
        run_until_settled(db, runner)
    endpoint = endpoint_row(db, org, endpoint_id)
    assert (endpoint.active, endpoint.consecutive_failures) == (True, 1)


def test_the_disabled_reason_names_the_threshold() -> None:
    # The reason is a translated sentence that spells the number out.
    assert tasks.DISABLE_AFTER == 5 and "five" in tasks.DISABLED_AFTER_FAILURES


def test_delivery_payload_is_the_standard_shape(
    db: Database, org: Organisation, receiver: Receiver, runner: Runner
) -> None:
    make_endpoint(db, org, receiver.url)
    emit(db, org, "case.resolved", event_id="evt-123")
    run_until_settled(db, runner)
    body = json.loads(receiver.received[0].body)
    assert set(body) == {"type", "timestamp", "data"}
    assert receiver.ids() == ["evt-123"]
