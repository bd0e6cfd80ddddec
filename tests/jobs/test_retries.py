"""Failures: retried with capped, jittered backoff; failed for good after max attempts."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from kohtaamo.jobs import Job, JobStatus, enqueue
from kohtaamo.jobs.execution import claim, execute
from kohtaamo.jobs.registry import RetryPolicy
from kohtaamo.jobs.runner import Runner
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from tests.jobs.conftest import effects, wait_for


def _job(db: Database) -> Job:
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        job = session.execute(select(Job)).scalar_one()
        session.expunge(job)  # keep it readable after the read-only rollback
        return job


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy(max_attempts=10, base=timedelta(seconds=10), cap=timedelta(minutes=1))
    for attempt, ceiling in [(1, 10), (2, 20), (3, 40), (4, 60), (9, 60)]:
        delays = [policy.delay(attempt).total_seconds() for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays), attempt
        assert max(delays) - min(delays) > ceiling / 10  # jittered, not lockstep


def test_a_failing_job_is_retried_later_and_then_succeeds(
    jobs_db: Database, make_runner: Callable[..., Runner]
) -> None:
    with jobs_db.transaction(ALL_TENANTS) as session:
        enqueue(session, "test.flaky", {"key": "flaky", "succeed_on": 3})
    runner = make_runner()

    assert runner.run_pending() == 1
    job = _job(jobs_db)
    assert (job.status, job.attempts) == (JobStatus.PENDING, 1)
    assert job.run_after > job.created_at  # waits before the next attempt
    # The message is kept for inspection, the address in it is not.
    assert job.last_error == "RuntimeError: SMTP said no to <address>"
    assert runner.run_pending() == 0  # not due yet

    wait_for(lambda: runner.run_pending() > 0 and _job(jobs_db).attempts == 2, 5, "retry 2")
    wait_for(lambda: runner.run_pending() >= 0 and _job(jobs_db).status == JobStatus.DONE, 5)

    job = _job(jobs_db)
    assert (job.attempts, job.last_error) == (3, None)
    # Failed attempts rolled their writes back: the effect happened once, on attempt 3.
    assert effects(jobs_db, "flaky") == [("flaky", 3)]


def test_after_max_attempts_a_job_is_failed_and_kept(
    jobs_db: Database, make_runner: Callable[..., Runner]
) -> None:
    with jobs_db.transaction(ALL_TENANTS) as session:
        enqueue(session, "test.broken", {"key": "broken"})
    runner = make_runner(poll_interval=0.02)
    runner.start()

    wait_for(lambda: _job(jobs_db).status == JobStatus.FAILED, 10, "failed")
    runner.stop()
    job = _job(jobs_db)
    assert job.attempts == 3
    assert job.finished_at is not None
    assert job.last_error == "ValueError: broken for <address>, always"
    assert effects(jobs_db) == []


def test_a_worker_whose_lease_was_taken_over_cannot_finish_the_job(
    jobs_db: Database, settings: object
) -> None:
    with jobs_db.transaction(ALL_TENANTS) as session:
        enqueue(session, "test.effect", {"key": "lease"})
    slow = claim(jobs_db, "slow-worker", timedelta(milliseconds=100))
    assert slow is not None
    assert claim(jobs_db, "other", timedelta(seconds=30)) is None  # leased
    time.sleep(0.15)
    fast = claim(jobs_db, "fast-worker", timedelta(seconds=30))
    assert fast is not None and fast.attempt == 2

    assert execute(jobs_db, fast, settings) == JobStatus.DONE  # type: ignore[arg-type]
    # The slow worker wakes up late: its run is rolled back, not counted twice.
    assert execute(jobs_db, slow, settings) is None  # type: ignore[arg-type]
    assert effects(jobs_db, "lease") == [("lease", 2)]
    assert _job(jobs_db).status == JobStatus.DONE
