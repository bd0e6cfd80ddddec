"""Production mode: ``kohtaamo worker`` processes on PostgreSQL, carried by procrastinate.

The outbox stays the source of truth; procrastinate carries the execution (its workers,
LISTEN/NOTIFY wake-ups, concurrency, graceful shutdown). A relay in every worker
process hands due outbox rows to procrastinate as jobs of one task whose
``queueing_lock`` is the outbox id, so a row waits in the queue at most once. That task
runs the row through the same claim-run-mark-done transaction as the embedded runner:
a duplicate delivery finds nothing to claim, so no job runs twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import procrastinate
import psycopg
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Status
from procrastinate.schema import SchemaManager
from sqlalchemy import or_, select, update
from sqlalchemy.engine import make_url

from kohtaamo.config import Settings
from kohtaamo.jobs.execution import claim, claimable, execute
from kohtaamo.jobs.models import Job, JobStatus
from kohtaamo.jobs.outbox import NOTIFY_CHANNEL
from kohtaamo.jobs.registry import discover
from kohtaamo.jobs.scheduler import Scheduler
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS

log = logging.getLogger("kohtaamo.jobs")

QUEUE_TASK = "kohtaamo.run_outbox_job"
# pg_advisory_xact_lock key: workers starting together apply the schema once.
_SCHEMA_LOCK = 0x6B6F6874  # "koht"
RELAY_BATCH = 500
STALLED_CHECK = timedelta(minutes=1)


def conninfo(database_url: str) -> str:
    """``postgresql+psycopg://…`` (SQLAlchemy) as a libpq connection URI."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError("the worker needs a PostgreSQL database")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_queue_schema(database_url: str) -> bool:
    """Create procrastinate's tables unless present; True if they were created."""
    with psycopg.connect(conninfo(database_url)) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        present = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        if present is not None and present[0] is not None:
            return False
        # Without parameters psycopg sends the script as is, several statements at once.
        conn.execute(SchemaManager.get_schema())
    log.info("created the job queue schema (procrastinate)")
    return True


def make_queue_app(db: Database, settings: Settings, *, lease: timedelta, name: str) -> Any:
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(settings.database_url))
    )

    @app.task(name=QUEUE_TASK)
    def run_outbox_job(job_id: str) -> None:
        claimed = claim(db, name, lease, job_id=uuid.UUID(job_id))
        if claimed is None:
            return  # done, being run, or not due: a duplicate delivery
        execute(db, claimed, settings)

    return app


class Relay:
    """Hands due outbox rows to the queue; also runs the periodic scheduler."""

    def __init__(self, db: Database, app: Any, *, lease: timedelta, poll_interval: float):
        self.db = db
        self.app = app
        self.lease = lease
        self.poll_interval = poll_interval
        self.scheduler = Scheduler(db)
        self._last_stalled_check = utcnow() - STALLED_CHECK

    def take_due(self) -> list[uuid.UUID]:
        """Mark a batch of due rows as handed over, so other relays pass them by.

        Marked before handing over: if this process dies in between, the rows are handed
        over again once ``queued_until`` passes (one lease later) — late, never lost.
        """
        now = utcnow()
        with self.db.transaction(ALL_TENANTS) as session:
            due = (
                select(Job.id)
                .where(claimable(now), or_(Job.queued_until.is_(None), Job.queued_until < now))
                .order_by(Job.run_after)
                .limit(RELAY_BATCH)
                .with_for_update(skip_locked=True)
            )
            return list(
                session.execute(
                    update(Job)
                    .where(Job.id.in_(due.scalar_subquery()))
                    .values(queued_until=now + self.lease)
                    .returning(Job.id)
                    .execution_options(synchronize_session=False)
                ).scalars()
            )

    def release(self, ids: Sequence[uuid.UUID]) -> None:
        with self.db.transaction(ALL_TENANTS) as session:
            session.execute(
                update(Job)
                .where(Job.id.in_(ids), Job.status == JobStatus.PENDING)
                .values(queued_until=None)
                .execution_options(synchronize_session=False)
            )

    async def relay_once(self) -> int:
        await asyncio.to_thread(self.scheduler.tick)
        ids = await asyncio.to_thread(self.take_due)
        if not ids:
            await self._fail_stalled()
            return 0
        task = self.app.tasks[QUEUE_TASK]
        jobs = [
            task.configure(queueing_lock=str(job_id)).make_new_job(job_id=str(job_id))
            for job_id in ids
        ]
        manager = self.app.job_manager
        try:
            try:
                await manager.batch_defer_jobs_async(jobs)
            except AlreadyEnqueued:
                # Some row is already waiting in the queue (handed over by a relay that
                # died before its mark): hand the rest over one by one.
                for job in jobs:
                    with contextlib.suppress(AlreadyEnqueued):
                        await manager.defer_job_async(job)
        except Exception:
            await asyncio.to_thread(self.release, ids)
            raise
        await self._fail_stalled()
        return len(ids)

    async def _fail_stalled(self) -> None:
        """Close queue jobs of dead workers; their outbox rows come back by lease."""
        if utcnow() - self._last_stalled_check < STALLED_CHECK:
            return
        self._last_stalled_check = utcnow()
        manager = self.app.job_manager
        for job in await manager.get_stalled_jobs(task_name=QUEUE_TASK):
            await manager.finish_job(job, Status.FAILED, delete_job=False)

    async def run(self) -> None:
        async with await psycopg.AsyncConnection.connect(
            conninfo(self.db.url), autocommit=True
        ) as listener:
            await listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
            while True:
                try:
                    await self.relay_once()
                except Exception:
                    log.exception("job relay: round failed")
                # Wake on the first commit of a job anywhere, or poll.
                async for _ in listener.notifies(timeout=self.poll_interval, stop_after=1):
                    pass


async def serve(
    db: Database,
    settings: Settings,
    *,
    name: str,
    concurrency: int = 4,
    lease: timedelta = timedelta(minutes=5),
    poll_interval: float = 1.0,
    extra_task_modules: Sequence[str] = (),
) -> None:
    """Run one worker process until SIGTERM/SIGINT (procrastinate stops gracefully)."""
    discover(tuple(extra_task_modules))
    ensure_queue_schema(settings.database_url)
    app = make_queue_app(db, settings, lease=lease, name=name)
    relay = Relay(db, app, lease=lease, poll_interval=poll_interval)
    async with app.open_async():
        relay_task = asyncio.create_task(relay.run())
        try:
            await app.run_worker_async(
                name=name,
                concurrency=concurrency,
                delete_jobs="successful",  # the outbox keeps the history
                fetch_job_polling_interval=poll_interval,
                install_signal_handlers=True,
            )
        finally:
            relay_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relay_task
