"""Keeping the analytics store fresh inside the server process.

A background thread syncs the store (``analytics.sync``) shortly after a response is
finished in this process (it hears of it from ``surveys.responses.subscribe``, after
the commit; wake-ups within :data:`DEBOUNCE_S` are folded into one sync) and every
``analytics_poll_s`` seconds for writes of other processes (workers, imports, the
command line). A finished response is so in the store well within five seconds.

Where the background sync is off (test mode by default, see
``Settings.analytics_background_sync``), :func:`current_source` syncs before it returns,
so a page or API call still reads what was committed before it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from kohtaamo.analytics import text_catchup  # noqa: F401  (registers its jobs)
from kohtaamo.analytics.operational import operational_source
from kohtaamo.analytics.source import Source
from kohtaamo.analytics.store import AnalyticsStore, StoreBusy, close_store, get_store
from kohtaamo.analytics.sync import sync
from kohtaamo.config import Settings
from kohtaamo.errors import Unavailable
from kohtaamo.storage.db import Database
from kohtaamo.surveys import responses

log = logging.getLogger("kohtaamo.analytics")

DEBOUNCE_S = 0.3


def background_enabled(settings: Settings) -> bool:
    if settings.analytics_background_sync is not None:
        return settings.analytics_background_sync
    return settings.mode != "test"


class Syncer:
    """The store's one writer in the server: a daemon thread woken by finished
    responses and by a timer."""

    def __init__(
        self,
        store: AnalyticsStore,
        db: Database,
        *,
        poll_s: float = 2.0,
        debounce_s: float = DEBOUNCE_S,
    ) -> None:
        self.store = store
        self.db = db
        self.poll_s = poll_s
        self.debounce_s = debounce_s
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._unsubscribe: Any = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._unsubscribe = responses.subscribe(lambda _event: self._wake.set())
        self._thread = threading.Thread(target=self._loop, name="analytics-sync", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stopping.is_set():
            woken = self._wake.wait(self.poll_s)
            if self._stopping.is_set():
                break
            if woken:
                # Several responses finishing together: one sync for all of them.
                self._stopping.wait(self.debounce_s)
            self._wake.clear()
            try:
                sync(self.store, self.db)
            except Exception:
                log.exception("analytics sync failed")


_syncers: dict[int, Syncer] = {}


def start_background_sync(settings: Settings, db: Database) -> Syncer | None:
    """Open the store and start its sync thread (app startup); None if it is off."""
    if not background_enabled(settings):
        return None
    try:
        store = get_store(settings)
    except StoreBusy as exc:
        # Another process owns the file (a second server process, a rebuild): serve
        # without keeping it in step rather than refuse to start.
        log.error("analytics store not synced by this process: %s", exc)
        return None
    syncer = Syncer(store, db, poll_s=settings.analytics_poll_s)
    syncer.start()
    syncer.wake()  # catch up at once with what was written while the server was down
    return syncer


def stop_background_sync(syncer: Syncer | None, settings: Settings) -> None:
    """Stop the sync thread and close the store (app shutdown)."""
    if syncer is not None:
        syncer.stop()
    close_store(settings)


_operational = threading.local()


def _operational_source(db: Database) -> Source:
    """This thread's source over the operational PostgreSQL (its own connection)."""
    source: Source | None = getattr(_operational, "source", None)
    if source is None:
        source = operational_source(db.engine)
        _operational.source = source
    return source


def current_source(settings: Settings, db: Database) -> Source:
    """The store to read now, for the calling thread (pages, API, reports).

    Without the background sync (tests, one-off tools) the store is synced first, so
    whatever was committed before the call is in it. A process that cannot have the
    store (another server process owns the file) reads the operational PostgreSQL
    through the same queries: slower, never stale. On SQLite, where one process serves,
    that is a rebuild or a second server: the caller is asked to retry.
    """
    try:
        store = get_store(settings)
    except StoreBusy:
        if db.engine.dialect.name == "postgresql":
            return _operational_source(db)
        raise Unavailable(
            "The analytics are being rebuilt by another process. Try again shortly."
        ) from None
    if not background_enabled(settings):
        sync(store, db)
    return store.source()
