"""Enqueueing: a row in the caller's transaction, and a wake-up once it commits."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kohtaamo.jobs.models import Job, JobStatus
from kohtaamo.jobs.registry import get_task
from kohtaamo.kit.clock import ensure_utc, utcnow
from kohtaamo.kit.ids import new_id
from kohtaamo.storage.db import after_commit
from kohtaamo.storage.tenancy import ALL_TENANTS, TenancyViolation, session_tenant

# PostgreSQL NOTIFY is transactional: workers elsewhere hear it only after the commit.
NOTIFY_CHANNEL = "kohtaamo_jobs"

_wakers: set[Callable[[], None]] = set()
_wakers_lock = threading.Lock()


def add_waker(wake: Callable[[], None]) -> None:
    with _wakers_lock:
        _wakers.add(wake)


def remove_waker(wake: Callable[[], None]) -> None:
    with _wakers_lock:
        _wakers.discard(wake)


def _wake_local_runners() -> None:
    with _wakers_lock:
        wakers = list(_wakers)
    for wake in wakers:
        wake()


def enqueue(
    session: Session,
    task: str,
    payload: dict[str, Any] | None = None,
    *,
    run_after: datetime | None = None,
    dedupe_key: str | None = None,
    organisation_id: uuid.UUID | None = None,
) -> uuid.UUID | None:
    """Add a job to the caller's transaction; it leaves only if that commits.

    The job's organisation is the session's (or ``organisation_id`` in an all-tenants
    session). With ``dedupe_key``, a second job with the same key is not added and
    ``None`` is returned — the key stays taken while the row exists.
    """
    get_task(task)  # fail in the request, not later in a worker
    payload = payload or {}
    json.dumps(payload)  # only JSON reaches the row; refuse anything else now
    tenant = session_tenant(session)
    if isinstance(tenant, uuid.UUID):
        if organisation_id not in (None, tenant):
            raise TenancyViolation("job enqueued for another organisation")
        organisation_id = tenant
    elif tenant is not ALL_TENANTS and organisation_id is not None:
        raise TenancyViolation("a job for an organisation needs a tenant-scoped session")

    job_id = new_id()
    values = {
        "id": job_id,
        "organisation_id": organisation_id,
        "task": task,
        "payload": payload,
        "status": JobStatus.PENDING,
        "attempts": 0,
        "run_after": ensure_utc(run_after) if run_after else utcnow(),
        "dedupe_key": dedupe_key,
        "created_at": utcnow(),
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(Job).values(**values)
    if dedupe_key is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=["dedupe_key"])
    inserted = session.execute(stmt.returning(Job.id)).scalar_one_or_none()
    if inserted is None:
        return None
    if dialect == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})
    after_commit(session, _wake_local_runners)
    return job_id


def job_status(session: Session, job_id: uuid.UUID) -> JobStatus | None:
    return session.execute(select(Job.status).where(Job.id == job_id)).scalar_one_or_none()
