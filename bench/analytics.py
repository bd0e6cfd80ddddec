"""Benchmark: the analytics engine at 10,000,000 measures.

Issue #5's targets, on the machine the row names:
- the overview's aggregates (every metric by touchpoint × month × segment,
  ``analytics.query.overview_cells``) in at most 200 ms p50 warm on the DuckDB store,
  and at least 30× faster than the same ibis expression on PostgreSQL, side by side;
- key drivers over 1,000,000 respondents with 20 drivers: relative weights ≤ 300 ms,
  exact LMG ≤ 3 s (``bench/drivers.py``'s simulation, the same functions);
- a dashboard page at p95 < 500 ms in the browser (``--page``: ``bench/analytics_page.py``).

The measures (``bench/analytics_data.py``: one big organisation and a small one, 30
touchpoints, 4 segments, 24 months) are loaded into a DuckDB file of the store's
contract (``analytics/schema.py``) and, with COPY, into tables of the same shape in a
PostgreSQL schema. ``--reuse`` skips generating and loading when both already hold
that many rows.

    .venv/bin/python bench/analytics.py [--measures 10000000] [--repeat 7] [--pg-repeat 3]
        [--no-pg] [--reuse] [--page] [--variants] [--no-drivers]

``--variants`` also times the overview's two statements on UUID/ENUM-typed, sorted
columns and on a monthly rollup (``bench/analytics_variants.py``): what would make it fast.

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa
import pyarrow.csv as pacsv
from analytics_data import generate, make_org

from kohtaamo.analytics.schema import TABLES
from kohtaamo.analytics.source import Source, source_of

HERE = Path(__file__).resolve().parent
TARGET_P50_S = 0.200
TARGET_RATIO = 30.0
PG_URL = "host=127.0.0.1 port=55432 user=kohtaamo dbname=kohtaamo_bench"
PG_SCHEMA_PREFIX = "analytics_bench"
PG_SCHEMA = PG_SCHEMA_PREFIX  # set per size in main(): runs of other sizes keep theirs
END = datetime(2026, 11, 1)
PG_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "DOUBLE": "double precision",
    "TIMESTAMP": "timestamp",
    "BOOLEAN": "boolean",
    "DATE": "date",
}


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


USED: dict[str, str] = {}


def overview(source: Source, org_id: str, start: datetime, end: datetime) -> Any:
    """The benchmarked question: the query layer's ``overview_cells``; while that is
    missing or fails, the one group-by it is made of (the JSON says which ran)."""
    if USED.get("query") != "fallback":
        try:
            from kohtaamo.analytics.query import overview_cells

            cells = overview_cells(source, org_id, start, end)
            USED["query"] = "analytics.query.overview_cells"
            return cells
        except Exception as exc:  # a benchmark reports, it does not stop
            say(f"  overview_cells failed ({exc!r}): timing the fallback group-by instead")
            USED.update(query="fallback", error=repr(exc)[:200])
    return fallback_overview(source, org_id, start, end)


def fallback_overview(source: Source, org_id: str, start: datetime, end: datetime) -> Any:
    m = source.measures
    m = m.filter(m.organisation_id == org_id, m.answered_at >= start, m.answered_at < end)
    month = m.answered_at.truncate("M").name("month")
    expr = m.group_by([m.touchpoint_id, month, m.segment, m.role]).aggregate(
        n=m.count(),
        total=m.value.sum(),
        top=m.count(where=m.value >= m.scale_max - 1),
        promoters=m.count(where=m.value >= 9),
        detractors=m.count(where=m.value <= 6),
        above=m.count(where=m.value > 0),
        zero=m.count(where=m.value == 0),
    )
    return source.execute(expr)


def timed(fn: Callable[[], Any], repeat: int, label: str) -> tuple[list[float], Any]:
    times, result = [], None
    for i in range(repeat + 1):  # the first run warms caches and is not counted
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
        say(f"  {label} run {i}{' (warm-up)' if i == 0 else ''}: {elapsed * 1000:,.0f} ms")
        if i:
            times.append(elapsed)
    return times, result


def load_duckdb(path: Path, tables: dict[str, pa.Table]) -> float:
    """A DuckDB file with the contract's tables, as the store creates them."""
    started = time.perf_counter()
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    for name, columns in TABLES.items():
        cols = ", ".join(f'"{c}" {kind}' for c, kind in columns)
        con.execute(f'CREATE TABLE "{name}" ({cols})')
        con.register("incoming", tables[name])
        con.execute(f'INSERT INTO "{name}" SELECT * FROM incoming')
        con.unregister("incoming")
    con.execute("CHECKPOINT")
    con.close()
    return time.perf_counter() - started


def load_postgres(tables: dict[str, pa.Table], dsn: str) -> float:
    """Tables of the same shape in schema ``analytics_bench``, filled with COPY."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
        con.execute(f"CREATE SCHEMA {PG_SCHEMA}")
        for name, columns in TABLES.items():
            cols = ", ".join(f'"{c}" {PG_TYPES[kind]}' for c, kind in columns)
            con.execute(f'CREATE UNLOGGED TABLE {PG_SCHEMA}."{name}" ({cols})')
            table = tables[name]
            batch = 250_000
            with (
                con.cursor() as cur,
                cur.copy(f'COPY {PG_SCHEMA}."{name}" FROM STDIN (FORMAT csv)') as copy,
            ):
                for offset in range(0, table.num_rows, batch):
                    buffer = io.BytesIO()
                    options = pacsv.WriteOptions(include_header=False)
                    pacsv.write_csv(table.slice(offset, batch), buffer, write_options=options)
                    copy.write(buffer.getvalue())
                    if table.num_rows > batch:
                        done = min(offset + batch, table.num_rows) / table.num_rows
                        print(f"\r  COPY {name}: {done:6.1%}", end="", file=sys.stderr, flush=True)
            if table.num_rows > batch:
                print(file=sys.stderr)
        # The operational database would have these indexes on its measures.
        con.execute(f"CREATE INDEX ON {PG_SCHEMA}.measures (organisation_id, answered_at)")
        con.execute("ANALYZE")
    return time.perf_counter() - started


def count_duckdb(path: Path) -> int:
    if not path.exists():
        return -1
    with duckdb.connect(str(path), read_only=True) as con:
        row = con.execute("SELECT count(*) FROM measures").fetchone()
    return int(row[0]) if row else -1


def count_postgres(dsn: str) -> int:
    import psycopg

    try:
        with psycopg.connect(dsn) as con:
            row = con.execute(f"SELECT count(*) FROM {PG_SCHEMA}.measures").fetchone()
    except psycopg.Error:
        return -1
    return int(row[0]) if row else -1


def postgres_source(dsn: str) -> Source:
    parts = dict(p.split("=", 1) for p in dsn.split())
    con = ibis.postgres.connect(
        host=parts["host"],
        port=int(parts["port"]),
        user=parts["user"],
        database=parts["dbname"],
        options=f"-c search_path={PG_SCHEMA}",
    )
    return source_of(con)


def bench_drivers(respondents: int, drivers: int, repeat: int) -> dict[str, Any]:
    """Key drivers on ``bench/drivers.py``'s simulation, timed the same way."""
    from drivers import simulate

    from kohtaamo.metrics.drivers import driver_analysis

    say(f"drivers: simulating {respondents:,} respondents × {drivers} drivers")
    data = simulate(respondents, drivers, 1)
    names = [f"tp{i:02d}" for i in range(drivers)]
    out: dict[str, Any] = {}
    for method in ("relative_weights", "lmg"):
        times, result = timed(
            lambda m=method: driver_analysis(data, "ltr", names, method=m),  # type: ignore[misc]
            repeat,
            method,
        )
        out[method] = statistics.median(times)
        out[f"{method}_first"] = min(result.drivers, key=lambda d: d.rank).name
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--measures", type=int, default=10_000_000)
    parser.add_argument("--touchpoints", type=int, default=30)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--store", type=Path, default=None, help="DuckDB file (bench/out/…)")
    parser.add_argument("--pg", default=PG_URL, help="libpq connection string")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep stores of the right size")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pg-repeat", type=int, default=3)
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--drivers", type=int, default=20)
    parser.add_argument("--no-drivers", action="store_true")
    parser.add_argument("--page", action="store_true", help="also time /analytics in Chromium")
    parser.add_argument("--page-loads", type=int, default=30)
    parser.add_argument("--variants", action="store_true", help="typed columns, rollup")
    args = parser.parse_args()

    global PG_SCHEMA
    PG_SCHEMA = f"{PG_SCHEMA_PREFIX}_{args.measures}"
    store = args.store or HERE / "out" / f"analytics-{args.measures}.duckdb"
    store.parent.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {"measures": args.measures}
    need_duck = not (args.reuse and count_duckdb(store) == args.measures)
    need_pg = not args.no_pg and not (args.reuse and count_postgres(args.pg) == args.measures)
    if need_duck or need_pg:
        say(f"generating {args.measures:,} measures …")
        started = time.perf_counter()
        tables, _ = generate(args.measures, args.touchpoints, args.months, progress=say)
        figures["generate_s"] = round(time.perf_counter() - started, 1)
        say(f"generated in {figures['generate_s']} s")
        if need_duck:
            figures["load_duckdb_s"] = round(load_duckdb(store, tables), 1)
            say(f"DuckDB store {store} loaded in {figures['load_duckdb_s']} s")
        if need_pg:
            figures["load_postgres_s"] = round(load_postgres(tables, args.pg), 1)
            say(f"PostgreSQL {PG_SCHEMA} loaded in {figures['load_postgres_s']} s")
        del tables

    org_id = make_org(1, args.touchpoints, 7).id
    start = datetime(END.year - args.months // 12, END.month, 1)
    duck = source_of(ibis.duckdb.connect(str(store), read_only=True))
    say(f"overview on DuckDB ({store.name}), {start:%Y-%m} … {END:%Y-%m}")
    duck_times, cells = timed(lambda: overview(duck, org_id, start, END), args.repeat, "DuckDB")
    duck_p50 = statistics.median(duck_times)
    figures.update(
        duckdb_p50_ms=round(duck_p50 * 1000, 1),
        duckdb_min_ms=round(min(duck_times) * 1000, 1),
        cells=len(cells),
        duckdb_threads=duckdb.connect(str(store), read_only=True)
        .execute("SELECT current_setting('threads')")
        .fetchone()[0],  # type: ignore[index]
    )
    print(f"measures {args.measures:,}; overview cells {len(cells):,}")
    print(
        f"DuckDB overview p50 {duck_p50 * 1000:,.0f} ms (min {min(duck_times) * 1000:,.0f});"
        f" target {TARGET_P50_S * 1000:.0f} ms, ratio {TARGET_P50_S / duck_p50:.2f}x"
    )
    figures["query"] = USED.get("query")
    if "error" in USED:
        figures["query_error"] = USED["error"]
    if args.variants:
        from analytics_variants import measure

        say("variants: contract / typed / rollup …")
        variants = measure(store, org_id, start, END, args.repeat)
        figures.update(variants)
        print(
            f"same two statements: contract types {variants['contract_ms']:,.0f} ms,"
            f" UUID/ENUM + sorted {variants['typed_ms']:,.0f} ms,"
            f" monthly rollup {variants['rollup_ms']:,.0f} ms ({variants['rollup_rows']:,} rows)"
        )
    if not args.no_pg:
        pg = postgres_source(args.pg)
        say("overview on PostgreSQL (same expression)")
        pg_times, pg_cells = timed(
            lambda: overview(pg, org_id, start, END), args.pg_repeat, "PostgreSQL"
        )
        pg_p50 = statistics.median(pg_times)
        ratio = pg_p50 / duck_p50
        figures.update(
            postgres_p50_ms=round(pg_p50 * 1000, 1),
            postgres_cells=len(pg_cells),
            duckdb_vs_postgres=round(ratio, 1),
            same_cell_count=len(pg_cells) == len(cells),
        )
        print(
            f"PostgreSQL overview p50 {pg_p50 * 1000:,.0f} ms; DuckDB is {ratio:.1f}x faster"
            f" (target {TARGET_RATIO:.0f}x)"
        )
    if not args.no_drivers:
        d = bench_drivers(args.respondents, args.drivers, 3)
        figures.update(
            respondents=args.respondents,
            drivers=args.drivers,
            relative_weights_ms=round(d["relative_weights"] * 1000, 1),
            lmg_exact_s=round(d["lmg"], 3),
            planted_driver_found=d["relative_weights_first"] == d["lmg_first"] == "tp00",
        )
        print(
            f"drivers ({args.respondents:,} × {args.drivers}): relative weights"
            f" {d['relative_weights'] * 1000:.0f} ms (target 300 ms, ratio"
            f" {0.3 / d['relative_weights']:.2f}x); exact LMG {d['lmg']:.2f} s (target 3 s,"
            f" ratio {3 / d['lmg']:.2f}x)"
        )
    if args.page:
        from analytics_page import measure_page

        page = measure_page(store, org_id, loads=args.page_loads)
        figures.update(page)
        print(
            f"/analytics in Chromium: p50 {page['page_p50_ms']} ms,"
            f" p95 {page['page_p95_ms']} ms (target 500 ms)"
        )
    figures.update(
        load_1min=round(os.getloadavg()[0], 2),
        machine=f"{platform.machine()}, {os.cpu_count()} cores",
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
