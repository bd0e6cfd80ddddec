"""Where analytical queries read from: the tables of ``schema.TABLES`` as ibis
tables, whatever the engine behind them (the DuckDB store, the operational PostgreSQL,
Spark). Every query in this package takes a ``Source`` and an organisation id, so one
expression runs unchanged on each engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ibis
from ibis.backends import BaseBackend

from kohtaamo.analytics.schema import TABLES


@dataclass(frozen=True)
class Source:
    con: BaseBackend
    measures: ibis.Table
    touchpoints: ibis.Table
    placements: ibis.Table
    customers: ibis.Table
    surveys: ibis.Table
    invitations: ibis.Table
    comments: ibis.Table
    comment_themes: ibis.Table
    #: The DuckDB store's daily rollups by table name (``store.ROLLUP_TABLES``), which
    #: ``query`` uses when they answer a spec; None on other engines.
    rollup: Mapping[str, ibis.Table] | None = field(default=None, compare=False)

    def execute(self, expr: ibis.Expr) -> Any:
        """Run an expression on this source's engine (a pandas DataFrame for tables)."""
        return self.con.execute(expr)


def source_of(con: BaseBackend, names: Mapping[str, str] | None = None) -> Source:
    """A source over tables (or views) the connection already has; ``names`` maps a
    contract table to the engine's name for it when they differ."""
    names = names or {}
    tables = {t: con.table(names.get(t, t)) for t in TABLES}
    return Source(con=con, **tables)


def memory_source(rows: Mapping[str, Iterable[Mapping[str, Any]]] | None = None) -> Source:
    """An in-memory DuckDB source with the contract's tables, filled with ``rows``
    (tables not given stay empty): for tests and small computations."""
    import duckdb

    raw = duckdb.connect(":memory:")
    for table, columns in TABLES.items():
        cols = ", ".join(f'"{name}" {kind}' for name, kind in columns)
        raw.execute(f'CREATE TABLE "{table}" ({cols})')
        data = list((rows or {}).get(table, ()))
        if data:
            names = [name for name, _ in columns]
            marks = ", ".join("?" for _ in names)
            raw.executemany(
                f'INSERT INTO "{table}" VALUES ({marks})',
                [[r.get(n) for n in names] for r in data],
            )
    return source_of(ibis.duckdb.from_connection(raw))
