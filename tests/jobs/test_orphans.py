"""A restarted process takes back at once the jobs a dead process of its host held,
instead of waiting for their leases to run out; a live process's jobs stay its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import select

from kohtaamo.jobs import Job, JobStatus, enqueue
from kohtaamo.jobs.execution import claim
from kohtaamo.jobs.runner import release_orphans
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _running(db: Database, key: str, worker: str) -> None:
    with db.transaction(ALL_TENANTS) as session:
        job_id = enqueue(session, "test.effect", {"key": key})
        session.flush()
        job = session.get(Job, job_id)
        assert job is not None
        job.status = JobStatus.RUNNING
        job.locked_by = worker
        job.locked_until = utcnow() + timedelta(minutes=5)


def test_jobs_of_a_dead_process_are_claimable_at_once(db: Database) -> None:
    host = socket.gethostname()[:60]
    _running(db, "dead", f"embedded:{host}:{_dead_pid()}:abcd")
    _running(db, "alive", f"embedded:{host}:{os.getppid()}:efgh")
    _running(db, "elsewhere", f"embedded:another-host:{_dead_pid()}:ijkl")
    assert claim(db, "me", timedelta(minutes=1)) is None  # every lease still runs

    assert release_orphans(db) == 1
    taken = claim(db, "me", timedelta(minutes=1))
    assert taken is not None and taken.payload == {"key": "dead"}
    assert claim(db, "me", timedelta(minutes=1)) is None
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        owners = {j.payload["key"]: j.locked_by for j in session.scalars(select(Job))}
    assert str(owners["alive"]).endswith(":efgh")
    assert str(owners["elsewhere"]).endswith(":ijkl")
