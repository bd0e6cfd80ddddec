"""Claim a job, run its handler, and record the outcome — shared by every runner.

The claim is a short transaction that sets a lease. The handler then runs in its own
transaction, which also marks the job done, but only if this claim still holds the
lease: a worker that was too slow (or is a duplicate delivery) rolls its work back.
So whatever a handler does in the database happens exactly once, even if a worker
dies at any point.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from kohtaamo.config import Settings
from kohtaamo.jobs.context import JobContext, _current
from kohtaamo.jobs.models import Job, JobStatus
from kohtaamo.jobs.registry import RetryPolicy, TaskDef, UnknownTask, get_task
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS

log = logging.getLogger("kohtaamo.jobs")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@dataclass(frozen=True)
class Claim:
    """One worker's hold on one job, valid until ``lease_until``."""

    job_id: uuid.UUID
    task: str
    payload: dict[str, Any]
    organisation_id: uuid.UUID | None
    attempt: int
    worker: str
    lease_until: datetime


class LeaseLost(RuntimeError):
    """Another worker took the job over; this run's work is rolled back."""


def claimable(now: datetime) -> ColumnElement[bool]:
    """Due and pending, or running under a lease that has run out (its worker died)."""
    return or_(
        and_(Job.status == JobStatus.PENDING, Job.run_after <= now),
        and_(Job.status == JobStatus.RUNNING, Job.locked_until < now),
    )


def running_workers(db: Database) -> list[str]:
    """The workers named on running jobs."""
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        query = select(Job.locked_by).where(Job.status == JobStatus.RUNNING).distinct()
        return [w for w in session.scalars(query) if w]


def release_jobs_of(db: Database, workers: list[str]) -> int:
    """End the leases of these (dead) workers' running jobs: claimable at once."""
    if not workers:
        return 0
    with db.transaction(ALL_TENANTS) as session:
        result = session.execute(
            update(Job)
            .where(Job.status == JobStatus.RUNNING, Job.locked_by.in_(workers))
            .values(locked_until=utcnow() - timedelta(seconds=1))
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def claim(
    db: Database, worker: str, lease: timedelta, *, job_id: uuid.UUID | None = None
) -> Claim | None:
    """Take the next due job (or the given one, if it is due) for ``lease``."""
    now = utcnow()
    if job_id is None and not _any_due(db, now):
        return None
    with db.transaction(ALL_TENANTS) as session:
        query = select(Job.id).where(claimable(now))
        if job_id is not None:
            # A named job is waited for: skipping it while, say, the relay updates the
            # row would drop this delivery.
            query = query.where(Job.id == job_id).with_for_update()
        else:
            # SKIP LOCKED (PostgreSQL): concurrent runners pass over each other's
            # candidates instead of queueing behind them. SQLite serialises writers.
            query = query.order_by(Job.run_after).limit(1).with_for_update(skip_locked=True)
        found = session.execute(query).scalar_one_or_none()
        if found is None:
            return None
        row = session.execute(
            update(Job)
            .where(Job.id == found, claimable(now))
            .values(
                status=JobStatus.RUNNING,
                attempts=Job.attempts + 1,
                locked_by=worker,
                locked_until=now + lease,
                queued_until=None,  # after a failure, the relay may hand it over when due
            )
            .returning(Job.task, Job.payload, Job.organisation_id, Job.attempts)
            .execution_options(synchronize_session=False)
        ).one_or_none()
        if row is None:
            return None
        return Claim(
            found, row.task, row.payload, row.organisation_id, row.attempts, worker, now + lease
        )


def _any_due(db: Database, now: datetime) -> bool:
    # An idle poll only reads: on SQLite a claim takes the database's write lock.
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        return session.execute(select(Job.id).where(claimable(now)).limit(1)).first() is not None


def _holds(c: Claim) -> ColumnElement[bool]:
    return and_(
        Job.id == c.job_id,
        Job.status == JobStatus.RUNNING,
        Job.locked_by == c.worker,
        Job.attempts == c.attempt,
    )


def execute(db: Database, c: Claim, settings: Settings) -> JobStatus | None:
    """Run a claimed job; returns its new status (``None`` if the lease was lost)."""
    try:
        definition = get_task(c.task)
    except UnknownTask as exc:
        return _record_failure(db, c, exc, None)
    if c.attempt > definition.retry.max_attempts:
        # The previous worker died during the last allowed attempt.
        return _record_failure(db, c, LeaseLost("worker lost during the last attempt"), definition)
    context = JobContext(c.job_id, c.task, c.attempt, c.organisation_id, settings)
    tenant = c.organisation_id or ALL_TENANTS
    try:
        with db.transaction(tenant) as session:
            token = _current.set(context)
            try:
                definition.func(session, c.payload)
            finally:
                _current.reset(token)
            session.flush()
            done = session.execute(
                update(Job)
                .where(_holds(c))
                .values(
                    status=JobStatus.DONE,
                    finished_at=utcnow(),
                    locked_until=None,
                    last_error=None,
                    **({"payload": {}} if definition.scrub_payload else {}),
                )
                .execution_options(synchronize_session=False)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise LeaseLost("the lease ran out before the job finished")
    except LeaseLost:
        log.warning("job %s (%s) lost its lease; its work was rolled back", c.job_id, c.task)
        return None
    except Exception as exc:
        return _record_failure(db, c, exc, definition)
    log.info("job %s (%s) done on attempt %d", c.job_id, c.task, c.attempt)
    return JobStatus.DONE


def describe_error(exc: BaseException) -> str:
    """Exception class and a short message, e-mail addresses masked."""
    message = _EMAIL.sub("<address>", str(exc))[:200]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _record_failure(
    db: Database, c: Claim, exc: BaseException, definition: TaskDef | None
) -> JobStatus | None:
    now = utcnow()
    error = describe_error(exc)
    # An unknown task gets the default policy: during a rolling deploy the next worker
    # may know it.
    policy = definition.retry if definition is not None else RetryPolicy()
    final = c.attempt >= policy.max_attempts
    values: dict[str, Any] = {"last_error": error, "locked_until": None}
    if final:
        values.update(status=JobStatus.FAILED, finished_at=now)
    else:
        values.update(status=JobStatus.PENDING, run_after=now + policy.delay(c.attempt))
    with db.transaction(ALL_TENANTS) as session:
        changed = session.execute(
            update(Job)
            .where(_holds(c))
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
    if changed != 1:
        return None
    status = values["status"]
    level = logging.ERROR if final else logging.WARNING
    log.log(
        level,
        "job %s (%s) attempt %d failed: %s; now %s",
        c.job_id,
        c.task,
        c.attempt,
        error,
        status,
    )
    return JobStatus(status)
