"""What would make the overview fast: the same two statements the query layer runs
(sufficient statistics per touchpoint × segment × month × role, and distinct responses
per touchpoint × segment × month), timed in one DuckDB process on

- ``contract``: the store as ``schema.py`` declares it (VARCHAR ids and codes);
- ``typed``: ids as UUID, codes as ENUM, rows sorted by organisation and time;
- ``rollup``: a monthly rollup table (one row per organisation × month × touchpoint ×
  segment × role with n, Σx, Σx², the NPS/top-2/gap counts, and distinct responses,
  which add up across these keys because every one of them is a property of the whole
  response) that the sync could maintain.

Used by ``bench/analytics.py --variants``; prints its figures, returns them as a dict.
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

STATS = """
  count(*) AS n, sum(value) AS s1, sum(value * value) AS s2,
  count(*) FILTER (WHERE value >= 9) AS prom, count(*) FILTER (WHERE value <= 6) AS det,
  count(*) FILTER (WHERE value >= scale_max - 1) AS top2,
  count(*) FILTER (WHERE value > 0) AS pos, count(*) FILTER (WHERE value = 0) AS zero,
  count(*) FILTER (WHERE value < 0) AS neg"""
ROLES = "('ces', 'csat', 'gap', 'nps', 'repurchase_intent', 'trust')"


def _statements(table: str, org: str, start: datetime, end: datetime) -> list[str]:
    where = (
        f"organisation_id = '{org}' AND answered_at >= TIMESTAMP '{start:%Y-%m-%d}' "
        f"AND answered_at < TIMESTAMP '{end:%Y-%m-%d}'"
    )
    month = "CAST(date_trunc('month', answered_at) AS DATE)"
    return [
        f"SELECT touchpoint_id, segment, {month} AS period, role, {STATS} FROM {table} "
        f"WHERE {where} AND role IN {ROLES} GROUP BY ALL",
        f"SELECT touchpoint_id, segment, {month} AS period, count(DISTINCT response_id) AS r "
        f"FROM {table} WHERE {where} GROUP BY ALL",
    ]


def _time(con: duckdb.DuckDBPyConnection, sqls: list[str], repeat: int) -> float:
    runs = []
    for i in range(repeat + 1):
        started = time.perf_counter()
        for sql in sqls:
            con.execute(sql).fetch_arrow_table()
        if i:
            runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def measure(store: Path, org: str, start: datetime, end: datetime, repeat: int) -> dict[str, Any]:
    con = duckdb.connect()
    con.execute(f"ATTACH '{store}' AS s (READ_ONLY)")
    out: dict[str, Any] = {}
    out["contract_ms"] = _time(con, _statements("s.measures", org, start, end), repeat) * 1000
    roles = [r for (r,) in con.execute("SELECT DISTINCT role FROM s.measures").fetchall()]
    segments = [r for (r,) in con.execute("SELECT DISTINCT segment FROM s.measures").fetchall()]
    enum = lambda values: "ENUM(" + ", ".join(f"'{v}'" for v in values) + ")"  # noqa: E731
    started = time.perf_counter()
    con.execute(
        f"""CREATE TABLE typed AS SELECT organisation_id::UUID AS organisation_id,
        response_id::UUID AS response_id, touchpoint_id::UUID AS touchpoint_id,
        role::{enum(roles)} AS role, segment::{enum(segments)} AS segment,
        value, scale_max, answered_at
        FROM s.measures ORDER BY organisation_id, answered_at"""
    )
    out["typed_build_s"] = time.perf_counter() - started
    out["typed_ms"] = _time(con, _statements("typed", org, start, end), repeat) * 1000
    started = time.perf_counter()
    month = "CAST(date_trunc('month', answered_at) AS DATE)"
    con.execute(
        f"""CREATE TABLE rollup AS
        WITH r AS (SELECT organisation_id, touchpoint_id, segment, {month} AS month,
                          count(DISTINCT response_id) AS responses
                   FROM s.measures GROUP BY ALL)
        SELECT m.organisation_id, m.touchpoint_id, m.segment, {month} AS month, m.role, {STATS},
               any_value(r.responses) AS responses
        FROM s.measures m JOIN r ON m.organisation_id = r.organisation_id
          AND m.touchpoint_id IS NOT DISTINCT FROM r.touchpoint_id
          AND m.segment IS NOT DISTINCT FROM r.segment AND {month} = r.month
        GROUP BY ALL ORDER BY 1, 4"""
    )
    out["rollup_build_s"] = time.perf_counter() - started
    out["rollup_rows"] = con.execute("SELECT count(*) FROM rollup").fetchone()[0]  # type: ignore[index]
    where = (
        f"organisation_id = '{org}' AND month >= DATE '{start:%Y-%m-%d}'"
        f" AND month < DATE '{end:%Y-%m-%d}'"
    )
    rollup_sql = [
        f"SELECT touchpoint_id, segment, month, role, sum(n), sum(s1), sum(s2), sum(prom), "
        f"sum(det), sum(top2), sum(pos), sum(zero), sum(neg) FROM rollup "
        f"WHERE {where} AND role IN {ROLES} GROUP BY ALL",
        f"SELECT touchpoint_id, segment, month, any_value(responses) FROM rollup "
        f"WHERE {where} GROUP BY ALL",
    ]
    out["rollup_ms"] = _time(con, rollup_sql, repeat) * 1000
    con.close()
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in out.items()}
