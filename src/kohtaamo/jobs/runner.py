"""The embedded runner: a thread in the app process, for SQLite and small installs.

It wakes when a job is committed in this process (and polls, for jobs committed by
other processes or falling due later), claims due jobs one at a time and runs them.
Several runners — threads, processes, ``kohtaamo worker --embedded`` — may share a
database: the claim lets exactly one of them run each job.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from kohtaamo.config import Settings
from kohtaamo.jobs.execution import claim, execute, release_jobs_of, running_workers
from kohtaamo.jobs.outbox import add_waker, remove_waker
from kohtaamo.jobs.registry import discover
from kohtaamo.jobs.scheduler import Scheduler
from kohtaamo.kit.ids import token
from kohtaamo.storage.db import Database

log = logging.getLogger("kohtaamo.jobs")

DEFAULT_LEASE = timedelta(minutes=5)


def worker_name(kind: str) -> str:
    return f"{kind}:{socket.gethostname()[:60]}:{os.getpid()}:{token(4)}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def release_orphans(db: Database) -> int:
    """Hand back at once the jobs that a dead process of this host had claimed.

    A job's lease lets another worker take it over when its worker dies, but only when
    the lease runs out (minutes). A process on this host that no longer exists cannot be
    running anything, so its jobs are made claimable now: after a crash and restart the
    outbox resumes without waiting. Handlers are idempotent (jobs run at least once), so
    a misjudged pid (another PID namespace sharing the host name) only runs a job twice.
    """
    host = socket.gethostname()[:60]
    dead = [
        worker
        for worker in running_workers(db)
        if (parts := worker.split(":"))
        and len(parts) >= 4
        and parts[1] == host
        and parts[2].isdigit()
        and int(parts[2]) != os.getpid()
        and not _pid_alive(int(parts[2]))
    ]
    return release_jobs_of(db, dead)


class Runner:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        lease: timedelta = DEFAULT_LEASE,
        poll_interval: float = 1.0,
        name: str | None = None,
        extra_task_modules: tuple[str, ...] = (),
        schedule: bool = True,
    ) -> None:
        self.db = db
        self.settings = settings
        self.lease = lease
        self.poll_interval = poll_interval
        self.name = name or worker_name("embedded")
        self.extra_task_modules = extra_task_modules
        self.scheduler = Scheduler(db) if schedule else None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run_pending(self, limit: int | None = None) -> int:
        """Run due jobs in the calling thread until none is left; returns how many ran."""
        ran = 0
        while limit is None or ran < limit:
            if self._stopping.is_set():
                break
            claimed = claim(self.db, self.name, self.lease)
            if claimed is None:
                break
            execute(self.db, claimed, self.settings)
            ran += 1
        return ran

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            discover(self.extra_task_modules)
            released = release_orphans(self.db)
            if released:
                log.info("job runner %s: took back %d jobs of a dead process", self.name, released)
            self._stopping.clear()
            add_waker(self._wake.set)
            self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop taking jobs and wait for the current one (at most ``timeout`` seconds)."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is None:
                return
            remove_waker(self._wake.set)
            self._stopping.set()
            self._wake.set()
        thread.join(timeout if timeout is not None else self.lease.total_seconds())

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                if self.scheduler is not None:
                    self.scheduler.tick()
                self.run_pending()
            except Exception:
                # A database hiccup must not kill the thread; the next round retries.
                log.exception("job runner %s: round failed", self.name)
            self._wake.wait(self.poll_interval)
