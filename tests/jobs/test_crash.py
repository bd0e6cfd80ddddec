"""Crashes and concurrency, with real processes killed by SIGKILL.

Each test runs against both runners: the embedded one (``kohtaamo worker --embedded``)
and, on PostgreSQL, the production worker carried by procrastinate.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kohtaamo.jobs import Job, JobStatus, enqueue
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from tests.jobs.conftest import (
    REPO,
    WORKER_MODES,
    Workers,
    effects,
    mode_args,
    subprocess_env,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

# Enqueue and commit, then die by SIGKILL before the job runs. The runner in that
# process is alive, but the first after-commit callback kills the process before the
# runner's wake-up (registered by enqueue) can run the job.
ENQUEUE_THEN_DIE = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import timedelta
    from kohtaamo.config import Settings
    from kohtaamo.jobs import enqueue
    from kohtaamo.jobs.runner import Runner
    from kohtaamo.storage.db import Database, after_commit
    from kohtaamo.storage.tenancy import ALL_TENANTS
    import tests.jobs.sample_tasks

    settings = Settings()
    db = Database(settings.database_url)
    Runner(db, settings, poll_interval=60, schedule=False).start()
    with db.transaction(ALL_TENANTS) as session:
        after_commit(session, lambda: os.kill(os.getpid(), signal.SIGKILL))
        enqueue(session, "test.effect", {"key": sys.argv[1]})
    raise SystemExit("not reached: the process is killed right after the commit")
    """
)


def _job(db: Database) -> Job:
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        job = session.execute(select(Job).where(Job.task.like("test.%"))).scalar_one()
        session.expunge(job)  # keep it readable after the read-only rollback
        return job


@pytest.mark.parametrize("mode", WORKER_MODES)
def test_a_job_survives_a_crash_between_commit_and_execution(
    mode: str, jobs_db: Database, database_url: str, workers: Workers
) -> None:
    died = subprocess.run(
        [sys.executable, "-c", ENQUEUE_THEN_DIE, "after-crash"],
        env=subprocess_env(database_url),
        cwd=REPO,
        capture_output=True,
        timeout=60,
    )
    assert died.returncode == -signal.SIGKILL, died.stderr.decode()
    job = _job(jobs_db)
    assert (job.status, job.attempts) == (JobStatus.PENDING, 0)  # committed, never run
    assert effects(jobs_db) == []

    workers.start(*mode_args(mode))
    wait_for(lambda: _job(jobs_db).status == JobStatus.DONE, 30, "the job after the crash")

    assert effects(jobs_db, "after-crash") == [("after-crash", 1)]
    assert _job(jobs_db).attempts == 1


@pytest.mark.parametrize("mode", WORKER_MODES)
def test_a_worker_killed_mid_job_is_replaced_after_its_lease(
    mode: str, jobs_db: Database, workers: Workers, tmp_path: Path
) -> None:
    marker = tmp_path / "in-handler"
    with jobs_db.transaction(ALL_TENANTS) as session:
        enqueue(session, "test.stall", {"key": "stalled", "marker": str(marker)})

    first = workers.start(*mode_args(mode), lease=2)
    wait_for(marker.exists, 30, "the first worker inside the handler")
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    job = _job(jobs_db)
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)
    assert effects(jobs_db) == []  # the handler's write died uncommitted

    workers.start(*mode_args(mode), lease=2)
    wait_for(lambda: _job(jobs_db).status == JobStatus.DONE, 30, "the job after the lease")

    assert effects(jobs_db, "stalled") == [("stalled", 2)]
    assert _job(jobs_db).attempts == 2


@pytest.mark.parametrize("mode", WORKER_MODES)
def test_two_workers_run_every_job_exactly_once(
    mode: str, jobs_db: Database, workers: Workers
) -> None:
    # SQLite serialises writers: fewer jobs keep that variant quick.
    count = 60 if mode == "embedded" and jobs_db.dialect == "sqlite" else 200
    workers.start(*mode_args(mode), "--concurrency", "4")
    workers.start(*mode_args(mode), "--concurrency", "4")
    workers.wait_until_started()
    with jobs_db.transaction(ALL_TENANTS) as session:
        for i in range(count):
            enqueue(session, "test.effect", {"key": f"job-{i}", "sleep": 0.01})

    def done() -> int:
        with jobs_db.transaction(ALL_TENANTS, readonly=True) as session:
            return session.execute(
                select(func.count())
                .select_from(Job)
                .where(Job.task == "test.effect", Job.status == JobStatus.DONE)
            ).scalar_one()

    wait_for(lambda: done() == count, 90, f"{count} jobs")

    keys = sorted(key for key, _ in effects(jobs_db))
    assert keys == sorted(f"job-{i}" for i in range(count))  # each once, none missing
    with jobs_db.transaction(ALL_TENANTS, readonly=True) as session:
        ours = select(Job).where(Job.task == "test.effect")
        # Worker names are kind:host:pid:token; one process may run several runners.
        ran_by = {(job.locked_by or "").split(":")[2] for job in session.execute(ours).scalars()}
        attempts = {job.attempts for job in session.execute(ours).scalars()}
    assert attempts == {1}
    assert len(ran_by) == 2, ran_by  # both worker processes took part
