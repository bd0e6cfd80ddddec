"""A :class:`Source` over the operational database itself, for the side-by-side
benchmark and for organisations that would rather query PostgreSQL than keep a store.

The shapes are the contract's (``schema.TABLES``): ``measures`` is the view
``analytics_measures`` with ids as text and times as UTC without a zone, the dimensions
are the same queries the sync copies. Every query over it must filter
``organisation_id``, as over the store. PostgreSQL only: SQLite installs are small and
read the DuckDB store.
"""

from __future__ import annotations

from typing import Any

import ibis
from ibis.backends import BaseBackend
from sqlalchemy import Engine

from kohtaamo.analytics.comments_sync import comments_sql, themes_sql
from kohtaamo.analytics.schema import TABLES
from kohtaamo.analytics.source import Source

# Columns as the contract names them, in the operational database's spelling.
_MEASURES = """
SELECT CAST(organisation_id AS TEXT) AS organisation_id, measure_id,
       CAST(response_id AS TEXT) AS response_id, CAST(survey_id AS TEXT) AS survey_id,
       question_key, role, value, scale_min, scale_max,
       CAST(touchpoint_id AS TEXT) AS touchpoint_id, CAST(customer_id AS TEXT) AS customer_id,
       {answered_at} AS answered_at, language, response_channel, segment
FROM analytics_measures"""

_DIMENSIONS = {
    "touchpoints": """
SELECT CAST(t.organisation_id AS TEXT) AS organisation_id, CAST(t.id AS TEXT) AS touchpoint_id,
       t.key, t.name_fi, t.name_en, t.name_sv, t.channel, t.factor_group,
       CAST(t.owner_team_id AS TEXT) AS team_id, tm.name AS team_name, t.critical
FROM touchpoints t LEFT JOIN teams tm ON tm.id = t.owner_team_id""",
    "placements": """
SELECT CAST(p.organisation_id AS TEXT) AS organisation_id,
       CAST(p.touchpoint_id AS TEXT) AS touchpoint_id, CAST(j.id AS TEXT) AS journey_id,
       j.key AS journey_key, j.name AS journey_name, CAST(s.id AS TEXT) AS stage_id,
       s.position AS stage_position, s.name_fi AS stage_name_fi, s.name_en AS stage_name_en
FROM journey_touchpoints p
JOIN journeys j ON j.id = p.journey_id JOIN journey_stages s ON s.id = p.stage_id""",
    "customers": """
SELECT CAST(organisation_id AS TEXT) AS organisation_id, CAST(id AS TEXT) AS customer_id,
       segment, region, plan, customer_since, purchases, lifetime_value,
       CAST(attributes AS TEXT) AS attributes
FROM customers""",
    "surveys": """
SELECT CAST(organisation_id AS TEXT) AS organisation_id, CAST(id AS TEXT) AS survey_id,
       key, name, kind FROM surveys""",
    "invitations": """
SELECT CAST(organisation_id AS TEXT) AS organisation_id, CAST(id AS TEXT) AS invitation_id,
       CAST(survey_id AS TEXT) AS survey_id, {sent_at} AS sent_at,
       finished_at IS NOT NULL AS finished
FROM survey_invitations WHERE sent_at IS NOT NULL""",
}


def _connect(engine: Engine) -> BaseBackend:
    url = engine.url
    if url.get_backend_name() == "postgresql":
        return ibis.postgres.connect(
            host=url.host or "localhost",
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            database=url.database,
        )
    raise ValueError(f"the operational source needs PostgreSQL, not {url.get_backend_name()}")


def operational_source(engine: Engine) -> Source:
    """The contract's tables as ibis expressions over the operational database
    (a connection of its own; close it with ``source.con.disconnect()``)."""
    con = _connect(engine)

    def utc(col: str) -> str:
        return f"({col} AT TIME ZONE 'UTC')"

    sql = {"measures": _MEASURES.format(answered_at=utc("answered_at"))}
    sql |= {name: text for name, text in _DIMENSIONS.items() if name != "invitations"}
    sql["invitations"] = _DIMENSIONS["invitations"].format(sent_at=utc("sent_at"))

    def ident(col: str) -> str:
        return f"CAST({col} AS TEXT)"

    for name, query in (
        ("comments", comments_sql(utc, ident, "")),
        ("comment_themes", themes_sql(ident, "")),
    ):
        # The same queries the sync copies, their columns named as the contract names them.
        names = ", ".join(c for c, _ in TABLES[name])
        sql[name] = f"SELECT * FROM ({query}) AS x({names})"
    tables: dict[str, Any] = {}
    for name, columns in TABLES.items():
        tables[name] = con.sql(sql[name]).select([c for c, _ in columns])
    return Source(con=con, **tables)
