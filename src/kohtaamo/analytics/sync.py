"""Copy the operational database into the analytics store, incrementally.

Measures come from the view ``analytics_measures`` (which already derives the ``gap``
rows; a gap row reuses its experience or compared measure's id, so the pair
(``measure_id``, ``role``) is the key). They are read in chunks of whole measure ids
(never splitting one id's roles across chunks) above the watermark, the largest id in
the store, and appended through Arrow.

Ids are allocated when a row is inserted, not when it commits, so on PostgreSQL a
slower transaction may commit an id below one the store already has. Each sync
therefore reads again the last :data:`LOOKBACK_IDS` ids below the watermark and inserts
only (``measure_id``, ``role``) pairs not yet present: nothing is missed, nothing is
doubled.

Dimension tables are small. Touchpoints (with team names), placements and surveys are
replaced whole; customers and invitations, which grow with the business, are upserted
by their change times (with an overlap for clocks and transactions in flight). They
are refreshed when measures or erasures arrived, and at least every
:data:`DIMENSION_MAX_AGE_S` seconds for plain edits.

Analysed survey comments (``comments``, ``comment_themes``) are copied with the
dimensions, by their analysis time (``analytics.comments_sync``): a re-analysis
replaces a comment's rows.

Erasures arrive as ``analytics_tombstones`` above their own watermark: a response's
measures are deleted; an erased customer's dimension row is deleted and their measures
lose the customer (``customer_id`` and ``segment`` become NULL), which is exactly what
the operational database keeps after the erasure (``ON DELETE SET NULL``), so a store
rebuilt afterwards holds the same rows.

The store holds every organisation: this module reads across tenants with Core queries
on a connection of its own, outside the ORM's tenant filter (reviewed in
tests/storage/test_tenancy_bypasses.py).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import Connection, bindparam, text

from kohtaamo.analytics import comments_sync
from kohtaamo.analytics.schema import TABLES
from kohtaamo.analytics.store import AnalyticsStore, now_text
from kohtaamo.storage.db import Database
from kohtaamo.storage.types import UTCDateTime

CHUNK_IDS = 50_000
LOOKBACK_IDS = 5_000  # ids of transactions that may still commit below the watermark
DIMENSION_OVERLAP = timedelta(minutes=2)
DIMENSION_MAX_AGE_S = 30.0

Progress = Callable[[str, int, int | None], None]
"""``progress(phase, done, total)``: phase is "measures", "dimensions" or "erasures"."""


@dataclass
class SyncResult:
    measures_added: int = 0
    comments_placed: int = 0
    erasures_applied: int = 0
    dimensions_refreshed: bool = False
    watermark: int = 0
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)


def _cast(name: str, kind: str) -> str:
    col = f'"{name}"'
    if kind == "VARCHAR" and name.endswith("_id"):
        # SQLite keeps uuids as 32 hex digits, PostgreSQL's text has dashes.
        return f"CAST(CAST({col} AS UUID) AS VARCHAR)"
    return f"CAST({col} AS {kind})"


def _select_cast(table: str) -> str:
    return ", ".join(_cast(name, kind) for name, kind in TABLES[table])


def _arrow(table: str, rows: Sequence[Sequence[Any]]) -> pa.Table:
    names = [name for name, _ in TABLES[table]]
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    arrays = []
    for values in columns:
        try:
            arrays.append(pa.array(values))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            # Mixed Python types (a driver's Decimal next to a float): go through text.
            arrays.append(pa.array([None if v is None else str(v) for v in values]))
    return pa.Table.from_arrays(arrays, names=names)


def _append(cur: duckdb.DuckDBPyConnection, table: str, batch: pa.Table, where: str = "") -> int:
    cur.register("kohtaamo_batch", batch)
    try:
        before = _count(cur, table)
        cur.execute(
            f'INSERT INTO "{table}" SELECT {_select_cast(table)} FROM kohtaamo_batch b {where}'
        )
        return _count(cur, table) - before
    finally:
        cur.unregister("kohtaamo_batch")


def _count(cur: duckdb.DuckDBPyConnection, table: str) -> int:
    row = cur.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    return int(row[0]) if row else 0


class _Sql:
    """The dialect's spelling of what differs between SQLite and PostgreSQL."""

    def __init__(self, dialect: str) -> None:
        self.pg = dialect == "postgresql"

    def id(self, col: str) -> str:
        return f"CAST({col} AS TEXT)"

    def time(self, col: str) -> str:
        return f"({col} AT TIME ZONE 'UTC')" if self.pg else col

    def json(self, col: str) -> str:
        return f"CAST({col} AS TEXT)"


def _measures_sql(q: _Sql) -> str:
    return f"""
        SELECT {q.id("organisation_id")}, measure_id, {q.id("response_id")},
               {q.id("survey_id")}, question_key, role, value, scale_min, scale_max,
               {q.id("touchpoint_id")}, {q.id("customer_id")}, {q.time("answered_at")},
               language, response_channel, segment
        FROM analytics_measures WHERE measure_id > :lo AND measure_id <= :hi"""


def _dimension_sql(q: _Sql) -> dict[str, str]:
    return {
        "touchpoints": f"""
            SELECT {q.id("t.organisation_id")}, {q.id("t.id")}, t.key, t.name_fi, t.name_en,
                   t.name_sv, t.channel, t.factor_group, {q.id("t.owner_team_id")}, tm.name,
                   t.critical
            FROM touchpoints t LEFT JOIN teams tm ON tm.id = t.owner_team_id""",
        "placements": f"""
            SELECT {q.id("p.organisation_id")}, {q.id("p.touchpoint_id")},
                   {q.id("j.id")}, j.key, j.name, {q.id("s.id")}, s.position,
                   s.name_fi, s.name_en
            FROM journey_touchpoints p
            JOIN journeys j ON j.id = p.journey_id
            JOIN journey_stages s ON s.id = p.stage_id""",
        "surveys": f"""
            SELECT {q.id("organisation_id")}, {q.id("id")}, key, name, kind FROM surveys""",
        "customers": f"""
            SELECT {q.id("organisation_id")}, {q.id("id")}, segment, region, plan,
                   customer_since, purchases, lifetime_value, {q.json("attributes")}
            FROM customers WHERE updated_at >= :since""",
        "invitations": f"""
            SELECT {q.id("organisation_id")}, {q.id("id")}, {q.id("survey_id")},
                   {q.time("sent_at")}, finished_at IS NOT NULL
            FROM survey_invitations
            WHERE sent_at IS NOT NULL
              AND (sent_at >= :since OR finished_at >= :since OR created_at >= :since)""",
    }


REPLACED = ("touchpoints", "placements", "surveys")
UPSERTED = {"customers": "customer_id", "invitations": "invitation_id"}


def _operational(db: Database) -> Connection:
    # Core on a connection of its own: the store copies every organisation's rows.
    return db.engine.connect().execution_options(
        all_tenants="the analytics store holds every organisation; queries filter by org"
    )


def _origin(conn: Connection) -> str | None:
    """Which operational database this is: its first organisation's id."""
    row = conn.execute(
        text("SELECT CAST(id AS TEXT) FROM organisations ORDER BY created_at, id LIMIT 1")
    ).first()
    return None if row is None else str(uuid.UUID(row[0]))


def _state_int(store: AnalyticsStore, key: str) -> int:
    value = store.get_state(key)
    return int(value) if value else 0


def sync(
    store: AnalyticsStore,
    db: Database,
    *,
    progress: Progress | None = None,
    chunk_ids: int = CHUNK_IDS,
    refresh_dimensions: bool | None = None,
) -> SyncResult:
    """Bring ``store`` up to date with ``db``; safe to call any time, from any thread.

    ``refresh_dimensions``: None refreshes them when something arrived or they are
    older than :data:`DIMENSION_MAX_AGE_S`; True and False force the choice.
    """
    started = time.monotonic()
    result = SyncResult()
    q = _Sql(db.dialect)
    with store.write_lock, _operational(db) as conn:
        origin = _origin(conn)
        known = store.get_state("origin")
        if known is not None and known != origin:
            # Another database than the one this store was filled from (a demo reset, a
            # restore): its watermarks mean nothing here.
            store.reset()
        if origin is not None and known != origin:
            with store.cursor() as cur:
                store.set_state(cur, "origin", origin)
        result.measures_added = _sync_measures(store, conn, q, chunk_ids, progress)
        result.erasures_applied = _apply_tombstones(store, conn, progress)
        with store.cursor() as cur:
            # Days a first fill (or an interrupted sync) left to recompute.
            cur.execute("BEGIN")
            store.refresh_rollup(cur)
            cur.execute("COMMIT")
        last = store.get_state("dimensions_at")
        stale = (
            last is None
            or (
                datetime.now(UTC).replace(tzinfo=None) - datetime.fromisoformat(last)
            ).total_seconds()
            >= DIMENSION_MAX_AGE_S
        )
        if refresh_dimensions is None:
            refresh_dimensions = stale or bool(result.measures_added or result.erasures_applied)
        if refresh_dimensions:
            _refresh_dimensions(store, conn, q, progress)
            result.comments_placed = comments_sync.sync_comments(
                store, conn, q.time, q.id, _arrow, _append
            )
            result.dimensions_refreshed = True
        conn.rollback()
        with store.cursor() as cur:
            store.set_state(cur, "synced_at", now_text())
        result.watermark = _state_int(store, "measures_watermark")
    result.seconds = time.monotonic() - started
    return result


def rebuild(store: AnalyticsStore, db: Database, *, progress: Progress | None = None) -> SyncResult:
    """Empty the store and copy everything again (``kohtaamo analytics rebuild``)."""
    with store.write_lock:
        store.reset()
        return sync(store, db, progress=progress, refresh_dimensions=True)


def _sync_measures(
    store: AnalyticsStore,
    conn: Connection,
    q: _Sql,
    chunk_ids: int,
    progress: Progress | None,
) -> int:
    watermark = _state_int(store, "measures_watermark")
    # A first fill recomputes the rollups once at the end (sync()), not per chunk.
    filling = watermark == 0
    lo = max(0, watermark - LOOKBACK_IDS)
    total = None
    if progress is not None:
        total = conn.execute(
            text("SELECT count(*) FROM survey_measures WHERE id > :lo"), {"lo": lo}
        ).scalar_one()
        progress("measures", 0, total)
    next_hi = text(
        "SELECT max(id), count(*) FROM "
        "(SELECT id FROM survey_measures WHERE id > :lo ORDER BY id LIMIT :n) ids"
    )
    fetch = text(_measures_sql(q))
    added = done = 0
    while True:
        hi, n = conn.execute(next_hi, {"lo": lo, "n": chunk_ids}).one()
        if hi is None:
            break
        rows = conn.execute(fetch, {"lo": lo, "hi": hi}).all()
        # Only the re-read window below the old watermark can hold pairs already there.
        where = (
            ""
            if lo >= watermark
            else "WHERE NOT EXISTS (SELECT 1 FROM measures m WHERE m.measure_id = "
            f"b.measure_id AND m.role = b.role AND m.measure_id > {int(lo)})"
        )
        with store.cursor() as cur:
            cur.execute("BEGIN")
            added += _append(cur, "measures", _arrow("measures", rows), where)
            store.mark_dirty(cur, "measure_id > ? AND measure_id <= ?", [int(lo), int(hi)])
            if not filling:
                store.refresh_rollup(cur)
            watermark = max(watermark, int(hi))
            store.set_state(cur, "measures_watermark", str(watermark))
            cur.execute("COMMIT")
        lo = int(hi)
        done += int(n)
        if progress is not None:
            progress("measures", done, total)
    return added


def _apply_tombstones(store: AnalyticsStore, conn: Connection, progress: Progress | None) -> int:
    mark = _state_int(store, "tombstones_watermark")
    rows = conn.execute(
        text(
            "SELECT id, kind, CAST(ref_id AS TEXT) FROM analytics_tombstones "
            "WHERE id > :mark ORDER BY id"
        ),
        {"mark": mark},
    ).all()
    if not rows:
        return 0
    responses = [str(uuid.UUID(ref)) for _, kind, ref in rows if kind == "response"]
    customers = [str(uuid.UUID(ref)) for _, kind, ref in rows if kind == "customer"]
    with store.cursor() as cur:
        cur.execute("BEGIN")
        if responses:
            store.mark_dirty(cur, "list_contains(?, response_id)", [responses])
            cur.execute("DELETE FROM measures WHERE list_contains(?, response_id)", [responses])
        if customers:
            store.mark_dirty(cur, "list_contains(?, customer_id)", [customers])
            cur.execute(
                "UPDATE measures SET customer_id = NULL, segment = NULL "
                "WHERE list_contains(?, customer_id)",
                [customers],
            )
            cur.execute("DELETE FROM customers WHERE list_contains(?, customer_id)", [customers])
        comments_sync.erase(cur, responses, customers)
        store.refresh_rollup(cur)
        store.set_state(cur, "tombstones_watermark", str(max(r[0] for r in rows)))
        cur.execute("COMMIT")
    if progress is not None:
        progress("erasures", len(rows), len(rows))
    return len(rows)


def _refresh_dimensions(
    store: AnalyticsStore, conn: Connection, q: _Sql, progress: Progress | None
) -> None:
    began = datetime.now(UTC)
    last = store.get_state("dimensions_at")
    since = (
        datetime(1970, 1, 1, tzinfo=UTC)
        if last is None
        else datetime.fromisoformat(last).replace(tzinfo=UTC) - DIMENSION_OVERLAP
    )
    sql = _dimension_sql(q)
    fetched = {}
    for table in (*REPLACED, *UPSERTED):
        stmt = text(sql[table])
        if table in UPSERTED:
            stmt = stmt.bindparams(bindparam("since", type_=UTCDateTime()))
        fetched[table] = conn.execute(stmt, {"since": since} if table in UPSERTED else {}).all()
    with store.cursor() as cur:
        cur.execute("BEGIN")
        for table, rows in fetched.items():
            batch = _arrow(table, rows)
            if table in REPLACED:
                cur.execute(f'DELETE FROM "{table}"')
            else:
                key = UPSERTED[table]
                cur.register("kohtaamo_keys", batch.select([key]))
                cur.execute(
                    f'DELETE FROM "{table}" WHERE {key} IN '
                    f"(SELECT {_cast(key, 'VARCHAR')} FROM kohtaamo_keys)"
                )
                cur.unregister("kohtaamo_keys")
            _append(cur, table, batch)
        store.set_state(cur, "dimensions_at", began.replace(tzinfo=None).isoformat())
        cur.execute("COMMIT")
    if progress is not None:
        n = sum(len(rows) for rows in fetched.values())
        progress("dimensions", n, n)
