"""Copy analysed survey comments (``comment_analyses``, ``comment_themes``) into the
store's ``comments`` and ``comment_themes`` tables (see ``schema.py``).

Comments change after they arrive: a re-analysis (a saved theme, a new learned model,
``kohtaamo text reanalyze``) rewrites a comment's sentiment and themes and stamps a new
``analysed_at``. The sync therefore reads the comments analysed since its watermark
(the latest ``analysed_at`` it has seen, less :data:`OVERLAP` for transactions that
committed after a later one) in chunks, and replaces in the store exactly those whose
``analysed_at`` differs from the stored one: the comment row and its theme rows go and
come back together. Re-reading the overlap changes nothing.

Only comments of finished, unflagged responses are copied (the others are not survey
comments a metric could be sliced by). Erasures follow ``analytics_tombstones`` in
``sync``: :func:`erase` deletes an erased response's comments and takes the customer off
an erased customer's comments, as the operational database does.

Runs on the sync's connection of its own, across organisations (see ``sync.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
from sqlalchemy import Connection, Uuid, bindparam, text

from kohtaamo.analytics.store import AnalyticsStore
from kohtaamo.storage.types import UTCDateTime

CHUNK = 5_000
OVERLAP = timedelta(minutes=2)
STATE_KEY = "comments_analysed_at"
_EPOCH = datetime(1970, 1, 1)


def comments_sql(time: Callable[[str], str], ident: Callable[[str], str], where: str) -> str:
    """The contract's ``comments`` columns from the operational tables; ``time`` and
    ``ident`` spell a UTC time and an id as text in the dialect."""
    return f"""
        SELECT {ident("c.organisation_id")}, {ident("c.id")}, {ident("c.response_id")},
               {ident("c.survey_id")}, {ident("c.touchpoint_id")}, {ident("c.customer_id")},
               {time("c.answered_at")}, r.language, r.channel, cu.segment, c.language,
               c.sentiment, c.score, {time("c.analysed_at")}
        FROM comment_analyses c
        JOIN survey_responses r ON r.id = c.response_id
        LEFT JOIN customers cu ON cu.id = c.customer_id
        WHERE c.source = 'response' AND c.analysed_at IS NOT NULL
          AND r.finished_at IS NOT NULL AND NOT r.flagged {where}"""


def themes_sql(ident: Callable[[str], str], where: str) -> str:
    """The contract's ``comment_themes`` columns from the operational tables."""
    return f"""
        SELECT {ident("t.organisation_id")}, {ident("t.analysis_id")},
               {ident("c.response_id")}, t.key, t.sentiment, t.score
        FROM comment_themes t JOIN comment_analyses c ON c.id = t.analysis_id {where}"""


def _chunk_sql(time: Callable[[str], str], ident: Callable[[str], str]) -> str:
    # Keyset over (analysed_at, id): a chunk boundary never splits or skips a comment.
    return (
        comments_sql(
            time,
            ident,
            "AND (c.analysed_at > :at OR (c.analysed_at = :at AND c.id > :after))",
        )
        + " ORDER BY c.analysed_at, c.id LIMIT :n"
    )


def sync_comments(
    store: AnalyticsStore,
    conn: Connection,
    time: Callable[[str], str],
    ident: Callable[[str], str],
    arrow: Callable[[str, Sequence[Sequence[Any]]], Any],
    append: Callable[[duckdb.DuckDBPyConnection, str, Any, str], int],
    *,
    chunk: int | None = None,
) -> int:
    """Bring the store's comments up to date; returns how many were (re)placed."""
    chunk = chunk or CHUNK
    mark = store.get_state(STATE_KEY)
    since = _EPOCH if mark is None else datetime.fromisoformat(mark) - OVERLAP
    fetch = text(_chunk_sql(time, ident)).bindparams(
        bindparam("at", type_=UTCDateTime()), bindparam("after", type_=Uuid())
    )
    fetch_themes = text(themes_sql(ident, "WHERE t.analysis_id IN :ids")).bindparams(
        bindparam("ids", expanding=True, type_=Uuid())
    )
    at, after = since.replace(tzinfo=UTC), uuid.UUID(int=0)
    latest = None if mark is None else datetime.fromisoformat(mark)
    placed = 0
    while True:
        rows = conn.execute(fetch, {"at": at, "after": after, "n": chunk}).all()
        if not rows:
            break
        ids = [uuid.UUID(str(r[1])) for r in rows]
        themes = conn.execute(fetch_themes, {"ids": ids}).all()
        with store.cursor() as cur:
            cur.execute("BEGIN")
            placed += _replace(
                cur, arrow("comments", rows), arrow("comment_themes", themes), append
            )
            last = _naive(rows[-1][13])
            latest = last if latest is None else max(latest, last)
            store.set_state(cur, STATE_KEY, latest.isoformat())
            cur.execute("COMMIT")
        at, after = last.replace(tzinfo=UTC), ids[-1]
        if len(rows) < chunk:
            break
    return placed


def _naive(value: Any) -> datetime:
    """A UTC time from the driver (SQLite gives text, PostgreSQL a datetime)."""
    found = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return found.astimezone(UTC).replace(tzinfo=None) if found.tzinfo else found


def _replace(
    cur: duckdb.DuckDBPyConnection,
    comments: Any,
    themes: Any,
    append: Callable[[duckdb.DuckDBPyConnection, str, Any, str], int],
) -> int:
    """Replace the comments of the batch that are new or analysed again."""
    cur.register("kohtaamo_comments", comments)
    try:
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE kohtaamo_changed AS "
            "SELECT CAST(CAST(b.analysis_id AS UUID) AS VARCHAR) AS id FROM kohtaamo_comments b "
            "WHERE NOT EXISTS (SELECT 1 FROM comments c WHERE c.analysis_id = "
            "CAST(CAST(b.analysis_id AS UUID) AS VARCHAR) "
            "AND c.analysed_at = CAST(b.analysed_at AS TIMESTAMP))"
        )
    finally:
        cur.unregister("kohtaamo_comments")
    changed = "(SELECT id FROM kohtaamo_changed)"
    cur.execute(f"DELETE FROM comments WHERE analysis_id IN {changed}")
    cur.execute(f"DELETE FROM comment_themes WHERE analysis_id IN {changed}")
    where = f"WHERE CAST(CAST(b.analysis_id AS UUID) AS VARCHAR) IN {changed}"
    placed = append(cur, "comments", comments, where)
    append(cur, "comment_themes", themes, where)
    cur.execute("DROP TABLE kohtaamo_changed")
    return placed


def erase(cur: duckdb.DuckDBPyConnection, responses: list[str], customers: list[str]) -> None:
    """Apply erasures (in the caller's transaction): see the module docstring."""
    if responses:
        for table in ("comments", "comment_themes"):
            cur.execute(f"DELETE FROM {table} WHERE list_contains(?, response_id)", [responses])
    if customers:
        cur.execute(
            "UPDATE comments SET customer_id = NULL, segment = NULL "
            "WHERE list_contains(?, customer_id)",
            [customers],
        )
