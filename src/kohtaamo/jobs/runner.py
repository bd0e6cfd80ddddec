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
from kohtaamo.jobs.execution import claim, execute
from kohtaamo.jobs.outbox import add_waker, remove_waker
from kohtaamo.jobs.registry import discover
from kohtaamo.jobs.scheduler import Scheduler
from kohtaamo.kit.ids import token
from kohtaamo.storage.db import Database

log = logging.getLogger("kohtaamo.jobs")

DEFAULT_LEASE = timedelta(minutes=5)


def worker_name(kind: str) -> str:
    return f"{kind}:{socket.gethostname()[:60]}:{os.getpid()}:{token(4)}"


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
