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

Rollups. Besides the contract's tables the store keeps daily rollups of ``measures``
(:data:`ROLLUP_TABLES`): the sufficient statistics per organisation, day, touchpoint,
segment and role, and distinct responses per organisation, day and segment (with and
without the touchpoint: a response can answer at several touchpoints, so its count adds
up over days and segments but not over touchpoints). They are a DuckDB-store
optimisation, not part of the portable contract (``schema.TABLES``): ``source()``
offers them as ``Source.rollup`` and ``query`` answers the specs they cover from them
(``query_rollup``). The sync marks the (organisation, day) pairs it changes in
``rollup_dirty`` and :meth:`AnalyticsStore.refresh_rollup` recomputes those days from
``measures``; a store that has measures but no rollups (an older file, one filled by
hand) gets them computed when it is opened.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis
from ibis.backends.duckdb import Backend as DuckDBBackend

from kohtaamo.analytics.schema import TABLES
from kohtaamo.analytics.source import Source, source_of
from kohtaamo.config import Settings

MEMORY = ":memory:"


COMPILED_CACHE_SIZE = 512


class _Backend(DuckDBBackend):
    """ibis's DuckDB backend remembering the SQL of the expressions it compiled.

    Compiling an expression (ibis → sqlglot → SQL) costs 100–250 ms, more than running
    it on the store; dashboards ask the same questions again and again (the same
    organisation, whole-day windows), so the SQL is kept per expression, whose ibis
    node compares structurally (the organisation and dates are part of it).
    """

    _compiled: OrderedDict[tuple[Any, Any], str]

    def compile(
        self,
        expr: ibis.Expr,
        /,
        *,
        limit: int | None = None,
        params: Mapping[ibis.Expr, Any] | None = None,
        pretty: bool = False,
    ) -> str:
        if params or pretty:
            return super().compile(expr, limit=limit, params=params, pretty=pretty)
        cache = self.__dict__.setdefault("_compiled", OrderedDict())
        key = (expr.op(), limit)
        sql = cache.get(key)
        if sql is None:
            sql = super().compile(expr, limit=limit)
            cache[key] = sql
            if len(cache) > COMPILED_CACHE_SIZE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(key)
        return sql


class StoreBusy(RuntimeError):
    """Another process (normally the running server) has the store file open."""


_ROLLUP_KEYS = "organisation_id VARCHAR, day DATE"
ROLLUP_TABLES: dict[str, str] = {
    "measures_daily": f"{_ROLLUP_KEYS}, touchpoint_id VARCHAR, segment VARCHAR, "
    "role VARCHAR, n BIGINT, s1 DOUBLE, s2 DOUBLE, prom BIGINT, det BIGINT, top2 BIGINT, "
    "pos BIGINT, zero BIGINT, neg BIGINT",
    "responses_daily": f"{_ROLLUP_KEYS}, segment VARCHAR, responses BIGINT",
    "responses_daily_tp": f"{_ROLLUP_KEYS}, touchpoint_id VARCHAR, segment VARCHAR, "
    "responses BIGINT",
}
"""The rollup tables (name → columns); see the module docstring."""

# The statistics are those query_frame.role_stats computes from single measures.
_ROLLUP_SELECT: dict[str, str] = {
    "measures_daily": """
        SELECT organisation_id, CAST(answered_at AS DATE) AS day, touchpoint_id, segment,
               role, count(value), sum(value), sum(value * value), count_if(value >= 9),
               count_if(value <= 6), count_if(value >= scale_max - 1), count_if(value > 0),
               count_if(value = 0), count_if(value < 0)
        FROM measures m {where} GROUP BY ALL""",
    "responses_daily": """
        SELECT organisation_id, CAST(answered_at AS DATE) AS day, segment,
               count(DISTINCT response_id)
        FROM measures m {where} GROUP BY ALL""",
    "responses_daily_tp": """
        SELECT organisation_id, CAST(answered_at AS DATE) AS day, touchpoint_id, segment,
               count(DISTINCT response_id)
        FROM measures m {where} GROUP BY ALL""",
}
_DIRTY = (
    "EXISTS (SELECT 1 FROM rollup_dirty d WHERE d.organisation_id = {t}.organisation_id "
    "AND d.day = {day})"
)


def _create_sql() -> list[str]:
    statements = []
    for table, columns in TABLES.items():
        cols = ", ".join(f'"{name}" {kind}' for name, kind in columns)
        statements.append(f'CREATE TABLE IF NOT EXISTS "{table}" ({cols})')
    # Watermarks and the last sync time, as text: a handful of keys.
    statements.append(
        "CREATE TABLE IF NOT EXISTS sync_state (key VARCHAR PRIMARY KEY, value VARCHAR)"
    )
    for table, cols in ROLLUP_TABLES.items():
        statements.append(f"CREATE TABLE IF NOT EXISTS {table} ({cols})")
    statements.append(f"CREATE TABLE IF NOT EXISTS rollup_dirty ({_ROLLUP_KEYS})")
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
            had = {r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
            for statement in _create_sql():
                cur.execute(statement)
            if not set(ROLLUP_TABLES) <= had and _has_rows(cur, "measures"):
                self.refresh_rollup(cur, full=True)

    def mark_dirty(self, cur: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> None:
        """Note the (organisation, day) pairs of the measures matching ``where`` (SQL
        over ``measures``) for :meth:`refresh_rollup`; call before they change."""
        cur.execute(
            "INSERT INTO rollup_dirty SELECT DISTINCT organisation_id, "
            f"CAST(answered_at AS DATE) FROM measures WHERE {where}",
            params,
        )

    def refresh_rollup(self, cur: duckdb.DuckDBPyConnection, *, full: bool = False) -> None:
        """Recompute the rollup rows of the days in ``rollup_dirty`` (all if ``full``)
        from ``measures``, in the caller's transaction."""
        if not full and not _has_rows(cur, "rollup_dirty"):
            return
        for table, select in _ROLLUP_SELECT.items():
            if full:
                cur.execute(f"DELETE FROM {table}")
                cur.execute(f"INSERT INTO {table} " + select.format(where=""))
                continue
            cur.execute(f"DELETE FROM {table} WHERE " + _DIRTY.format(t=table, day=f"{table}.day"))
            where = "WHERE " + _DIRTY.format(t="m", day="CAST(m.answered_at AS DATE)")
            cur.execute(f"INSERT INTO {table} " + select.format(where=where))
        cur.execute("DELETE FROM rollup_dirty")

    def reset(self) -> None:
        """Drop every table and create them empty (``kohtaamo analytics rebuild``)."""
        with self.write_lock, self.cursor() as cur:
            for table in (*TABLES, *ROLLUP_TABLES, "rollup_dirty", "sync_state"):
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
            con = _Backend.from_connection(cur)
            rollup = {table: con.table(table) for table in ROLLUP_TABLES}
            cached = replace(source_of(con), rollup=rollup)
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


def _has_rows(cur: duckdb.DuckDBPyConnection, table: str) -> bool:
    return cur.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone() is not None


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
