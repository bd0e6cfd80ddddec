"""The analytics store: a DuckDB database file with the tables of ``schema.TABLES``, kept
in step with the operational database by ``analytics.sync``.

One writer. DuckDB lets only one process open a database file for writing, so the
server process owns the store: its background sync (``analytics.tasks``) is the only
writer and its request threads read. Command-line tools (``kohtaamo analytics
rebuild|sync|status``, the demo) open the file themselves and therefore need the
server stopped; if the server has the file open they fail with :class:`StoreBusy`
saying so instead of waiting or corrupting anything.

Threads. A DuckDB connection must not be used by two threads at once, but cursors of
one connection may: every thread gets its own cursor (and ibis backend over it) from
:meth:`AnalyticsStore.source`, kept per thread because building an ibis backend costs
about 10 ms. Writers take :attr:`AnalyticsStore.write_lock` so syncs never overlap.
DuckDB's MVCC gives readers a consistent snapshot while a sync appends.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import ibis

from kohtaamo.analytics.schema import TABLES
from kohtaamo.analytics.source import Source, source_of
from kohtaamo.config import Settings

MEMORY = ":memory:"


class StoreBusy(RuntimeError):
    """Another process (normally the running server) has the store file open."""


def _create_sql() -> list[str]:
    statements = []
    for table, columns in TABLES.items():
        cols = ", ".join(f'"{name}" {kind}' for name, kind in columns)
        statements.append(f'CREATE TABLE IF NOT EXISTS "{table}" ({cols})')
    # Watermarks and the last sync time, as text: a handful of keys.
    statements.append(
        "CREATE TABLE IF NOT EXISTS sync_state (key VARCHAR PRIMARY KEY, value VARCHAR)"
    )
    return statements


class AnalyticsStore:
    """A DuckDB analytics store at ``path`` (a file, or ``":memory:"`` for tests).

    (``measure_id``, ``role``) is unique in ``measures``. It is kept so by the sync
    (it inserts only pairs not yet present), not by a DuckDB primary key: the index
    would triple the time to load ten million rows and grow the file fivefold.
    """

    def __init__(self, path: str | Path = MEMORY) -> None:
        self.path = str(path)
        if self.path != MEMORY:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(self.path)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreBusy(
                    f"The analytics store {self.path} is open in another process (normally "
                    "the running Kohtaamo server, which keeps it in step by itself). Stop "
                    "that process first, or run the command in it."
                ) from exc
            raise
        self.write_lock = threading.RLock()
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._cursors_lock = threading.Lock()
        self._closed = False
        self.create_tables()

    # --- schema ------------------------------------------------------------------------

    def create_tables(self) -> None:
        with self.write_lock, self.cursor() as cur:
            for statement in _create_sql():
                cur.execute(statement)

    def reset(self) -> None:
        """Drop every table and create them empty (``kohtaamo analytics rebuild``)."""
        with self.write_lock, self.cursor() as cur:
            for table in (*TABLES, "sync_state"):
                cur.execute(f'DROP TABLE IF EXISTS "{table}"')
        self._forget_sources()
        self.create_tables()

    # --- access ------------------------------------------------------------------------

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for the calling thread's short piece of work."""
        if self._closed:
            raise RuntimeError("the analytics store is closed")
        cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def source(self) -> Source:
        """The store's tables as a :class:`Source`, for the calling thread.

        The source is cached per thread (each has its own DuckDB cursor); do not hand it
        to another thread.
        """
        if self._closed:
            raise RuntimeError("the analytics store is closed")
        cached: Source | None = getattr(self._local, "source", None)
        if cached is None:
            cur = self._con.cursor()
            with self._cursors_lock:
                self._cursors.append(cur)
            cached = source_of(ibis.duckdb.from_connection(cur))
            self._local.source = cached
        return cached

    def _forget_sources(self) -> None:
        # Tables were dropped: cached ibis tables point at the old ones.
        with self._cursors_lock:
            for cur in self._cursors:
                cur.close()
            self._cursors.clear()
        self._local = threading.local()

    # --- state -------------------------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        with self.cursor() as cur:
            row = cur.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def set_state(self, cur: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
        cur.execute("INSERT OR REPLACE INTO sync_state VALUES (?, ?)", [key, value])

    def status(self) -> dict[str, object]:
        """Row counts per table, the watermarks and the last sync time."""
        with self.cursor() as cur:
            counts = {
                table: int(cur.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])  # type: ignore[index]
                for table in TABLES
            }
            state = dict(cur.execute("SELECT key, value FROM sync_state").fetchall())
        return {"path": self.path, "rows": counts, "state": state}

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._forget_sources()
        self._con.close()


def now_text() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def store_path(settings: Settings) -> str:
    """Where the store lives: ``analytics_path`` if set, else next to the SQLite
    database, else ``./kohtaamo-analytics.duckdb``; tests keep it in memory."""
    if settings.analytics_path:
        return settings.analytics_path
    if settings.mode == "test":
        return MEMORY
    sqlite = settings.sqlite_path()
    if sqlite is not None and str(sqlite) != MEMORY:
        return str(sqlite.with_name(sqlite.stem + "-analytics.duckdb"))
    return "./kohtaamo-analytics.duckdb"


_stores: dict[str, AnalyticsStore] = {}
_stores_lock = threading.Lock()


def get_store(settings: Settings) -> AnalyticsStore:
    """The process-wide store for these settings' path (opened on first use; closed
    by :func:`close_store` when the app shuts down). An in-memory store lives until
    then too, so an app under test and the test itself see the same data."""
    path = store_path(settings)
    with _stores_lock:
        store = _stores.get(path)
        if store is None or store._closed:
            store = AnalyticsStore(path)
            _stores[path] = store
        return store


def close_store(settings: Settings) -> None:
    """Close the process-wide store (app shutdown), so another process may open it."""
    path = store_path(settings)
    with _stores_lock:
        store = _stores.pop(path, None)
    if store is not None:
        store.close()
