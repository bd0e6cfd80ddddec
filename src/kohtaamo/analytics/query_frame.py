"""The one aggregation behind every metric query: the organisation's measures, sliced by
the asked dimensions and period, grouped once into sufficient statistics per cell and
role (n, Σx, Σx², the counts NPS, top-2-box and the gap shares need). Everything is an
ibis expression, so it runs unchanged on DuckDB, PostgreSQL and Spark; the metrics are
then computed from these few rows in NumPy (``query_values``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final, Literal

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from kohtaamo.analytics.query_comments import (
    COMMENT_DIMENSIONS,
    comment_facts,
    measure_comment_keys,
)
from kohtaamo.analytics.source import Source
from kohtaamo.errors import InvalidInput

Period = Literal["day", "week", "month", "quarter"]
PERIODS: Final[tuple[str, ...]] = ("day", "week", "month", "quarter")
_TRUNCATE: Final[dict[str, str]] = {"day": "D", "week": "W", "month": "M", "quarter": "Q"}

# dimension -> (table it comes from, column there)
_MEASURE_DIMENSIONS: Final[dict[str, str]] = {
    "touchpoint": "touchpoint_id",
    "segment": "segment",
    "survey": "survey_id",
    "language": "language",
    "response_channel": "response_channel",
}
_TOUCHPOINT_DIMENSIONS: Final[dict[str, str]] = {
    "channel": "channel",
    "factor_group": "factor_group",
    "team": "team_id",
}
_PLACEMENT_DIMENSIONS: Final[dict[str, str]] = {"journey": "journey_id", "stage": "stage_id"}
_CUSTOMER_DIMENSIONS: Final[dict[str, str]] = {"region": "region", "plan": "plan"}
ATTRIBUTE_PREFIX: Final = "attribute:"
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$")

DIMENSIONS: Final[tuple[str, ...]] = (
    *_MEASURE_DIMENSIONS,
    *_TOUCHPOINT_DIMENSIONS,
    *_PLACEMENT_DIMENSIONS,
    *_CUSTOMER_DIMENSIONS,
    *COMMENT_DIMENSIONS,
)
"""The named dimensions; ``attribute:<name>`` slices by any customer attribute too."""

#: Dimensions the invitations table has (response rates can be sliced only by these).
INVITATION_DIMENSIONS: Final[frozenset[str]] = frozenset({"survey"})

#: The key column of the period (the first day of the period, as YYYY-MM-DD).
PERIOD_KEY: Final = "period"

Stat = Literal["moments", "nps", "top2", "gap"]


def check_dimension(dimension: str) -> None:
    """Refuse an unknown dimension with a 422 that names it."""
    if dimension in DIMENSIONS:
        return
    if dimension.startswith(ATTRIBUTE_PREFIX) and _ATTRIBUTE_NAME.match(
        dimension[len(ATTRIBUTE_PREFIX) :]
    ):
        return
    raise InvalidInput("Unknown dimension %(value)s.", field="by", value=dimension)


def check_period(period: str | None) -> None:
    if period is not None and period not in PERIODS:
        raise InvalidInput(
            "Unknown period %(value)s; use day, week, month or quarter.",
            field="period",
            value=period,
        )


@dataclass(frozen=True)
class Slice:
    """What to aggregate: the key dimensions, the period, the date range and filters."""

    by: tuple[str, ...] = ()
    period: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: instead of ``period``: label rows at or after this time "current", else "previous"
    split_at: datetime | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        extra = (PERIOD_KEY,) if self.period is not None or self.split_at is not None else ()
        return self.by + extra

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.by + tuple(d for d, _ in self.filters)))


def _naive_utc(at: datetime) -> datetime:
    # The store keeps UTC without a zone (schema.py).
    if at.tzinfo is not None:
        from datetime import UTC

        return at.astimezone(UTC).replace(tzinfo=None)
    return at


def _in_range(t: ir.Table, spec: Slice) -> ir.Table:
    if spec.start is not None:
        t = t.filter(t.answered_at >= _naive_utc(spec.start))
    if spec.end is not None:
        t = t.filter(t.answered_at < _naive_utc(spec.end))
    return t


def _facts(
    t: ir.Table,
    role: ir.Value,
    value: ir.Value,
    scale_max: ir.Value,
    dims: Sequence[str],
    extra: dict[str, ir.Value] | None = None,
) -> ir.Table:
    """The columns every fact row has (measure or comment), in one order for the union."""
    cols: dict[str, ir.Value] = {
        "role": role,
        "value": value.cast("float64"),
        "scale_max": scale_max.cast("int64"),
        "response_id": t.response_id,
        "answered_at": t.answered_at,
        "touchpoint_id": t.touchpoint_id,
        "customer_id": t.customer_id,
    }
    for d in dims:
        if d in _MEASURE_DIMENSIONS:
            cols[d] = t[_MEASURE_DIMENSIONS[d]]
    return t.select(**cols, **(extra or {}))


def sliced(source: Source, org_id: str, spec: Slice, roles: Sequence[str] = ()) -> ir.Table:
    """The organisation's measures with one column per dimension of ``spec`` (and the
    period), filtered. A measure appears once per journey placement of its touchpoint
    when a placement dimension is used, and once per theme / comment sentiment of its
    response when sliced by those. Comment roles among ``roles`` (``schema.COMMENT_ROLES``)
    add the analysed comments as rows of those roles."""
    for d in spec.dimensions:
        check_dimension(d)
    check_period(spec.period)
    m = source.measures
    m = _in_range(m.filter(m.organisation_id == org_id), spec)
    dims = spec.dimensions
    t = _facts(m, m.role, m.value, m.scale_max, dims)
    t = measure_comment_keys(source, org_id, t, dims)
    comments = comment_facts(source, org_id, spec, roles, dims, facts=_facts, in_range=_in_range)
    if comments is not None:
        t = t.union(comments.select(*t.columns), distinct=False)
    t = _join_touchpoints(source, org_id, t, [d for d in dims if d in _TOUCHPOINT_DIMENSIONS])
    t = _join_placements(source, org_id, t, [d for d in dims if d in _PLACEMENT_DIMENSIONS])
    customer_dims = [d for d in dims if d in _CUSTOMER_DIMENSIONS or d.startswith(ATTRIBUTE_PREFIX)]
    t = _join_customers(source, org_id, t, customer_dims)
    for dimension, values in spec.filters:
        t = t.filter(t[dimension].isin(list(values)))
    if spec.period is not None:
        t = t.mutate(**{PERIOD_KEY: t.answered_at.truncate(_TRUNCATE[spec.period]).cast("date")})
    elif spec.split_at is not None:
        t = t.mutate(
            **{
                PERIOD_KEY: ibis.ifelse(
                    t.answered_at >= _naive_utc(spec.split_at),
                    ibis.literal("current"),
                    ibis.literal("previous"),
                )
            }
        )
    return t


def _join_touchpoints(source: Source, org_id: str, t: ir.Table, dims: Sequence[str]) -> ir.Table:
    if not dims:
        return t
    tp = source.touchpoints
    tp = tp.filter(tp.organisation_id == org_id)
    right = tp.select(_tp_id=tp.touchpoint_id, **{d: tp[_TOUCHPOINT_DIMENSIONS[d]] for d in dims})
    joined = t.left_join(right, t.touchpoint_id == right._tp_id)
    return joined.drop("_tp_id")


def _join_placements(source: Source, org_id: str, t: ir.Table, dims: Sequence[str]) -> ir.Table:
    if not dims:
        return t
    p = source.placements
    p = p.filter(p.organisation_id == org_id)
    cols = {d: p[_PLACEMENT_DIMENSIONS[d]] for d in dims}
    # Distinct: a stage listed twice for one touchpoint must not count a measure twice.
    right = p.select(_pl_tp=p.touchpoint_id, **cols).distinct()
    joined = t.left_join(right, t.touchpoint_id == right._pl_tp)
    return joined.drop("_pl_tp")


def _join_customers(source: Source, org_id: str, t: ir.Table, dims: Sequence[str]) -> ir.Table:
    if not dims:
        return t
    c = source.customers
    c = c.filter(c.organisation_id == org_id)
    cols: dict[str, ir.Value] = {}
    for d in dims:
        if d in _CUSTOMER_DIMENSIONS:
            cols[d] = c[_CUSTOMER_DIMENSIONS[d]]
        else:
            cols[d] = _json_text(source, c.attributes, d[len(ATTRIBUTE_PREFIX) :])
    right = c.select(_c_id=c.customer_id, **cols)
    joined = t.left_join(right, t.customer_id == right._c_id)
    return joined.drop("_c_id")


@ibis.udf.scalar.builtin(name="json_extract_string")
def _duckdb_json_text(doc: str, path: str) -> str:  # type: ignore[empty-body]
    """DuckDB's JSON member as text."""


@ibis.udf.scalar.builtin(name="get_json_object")
def _spark_json_text(doc: str, path: str) -> str:  # type: ignore[empty-body]
    """Spark's JSON member as text."""


@ibis.udf.scalar.builtin(name="json_extract_path_text")
def _postgres_json_text(doc: dt.JSON, name: str) -> str:  # type: ignore[empty-body]
    """PostgreSQL's JSON member as text."""


def _json_text(source: Source, doc: ir.StringValue, name: str) -> ir.StringValue:
    """A member of a JSON object as text (strings unquoted and unescaped, numbers and
    booleans as written). Each engine's own function: ibis's generic JSON unwrapping
    runs a Python UDF on Spark, which the executors may not be able to run. ``name`` is
    checked by ``check_dimension`` (letters, digits, ``_`` and ``-``)."""
    engine = source.con.name
    if engine == "duckdb":
        return _duckdb_json_text(doc, f'$."{name}"')
    if engine == "pyspark":
        return _spark_json_text(doc, f"$['{name}']")
    if engine == "postgres":
        return _postgres_json_text(doc.cast("json"), name)
    field = doc.cast("json")[name]
    return ibis.coalesce(field.str, field.cast("string"))


def role_stats(
    source: Source,
    org_id: str,
    spec: Slice,
    roles: Sequence[str],
    stats: frozenset[Stat],
) -> pd.DataFrame:
    """One row per cell and role: the key columns, ``role``, ``n``, ``s1`` (Σx), ``s2``
    (Σx²) and, as asked by ``stats``: ``prom``/``det`` (NPS 9–10 / 0–6), ``top2`` (the two
    highest points of the scale), ``pos``/``zero``/``neg`` (gaps above, at, below 0)."""
    t = sliced(source, org_id, spec, roles)
    t = t.filter(t.role.isin(list(roles)))
    v = t.value
    aggs: dict[str, ir.Scalar] = {"n": v.count()}
    if "moments" in stats:
        aggs["s1"] = v.sum()
        aggs["s2"] = (v * v).sum()
    if "nps" in stats:
        aggs["prom"] = (v >= 9).sum()
        aggs["det"] = (v <= 6).sum()
    if "top2" in stats:
        aggs["top2"] = (v >= t.scale_max - 1).sum()
    if "gap" in stats:
        aggs["pos"] = (v > 0).sum()
        aggs["zero"] = (v == 0).sum()
        aggs["neg"] = (v < 0).sum()
    expr = t.group_by([*spec.keys, "role"]).aggregate(**aggs)
    return _normalised(source.execute(expr), spec)


def response_counts(source: Source, org_id: str, spec: Slice) -> pd.DataFrame:
    """Distinct finished responses per cell: the key columns and ``responses``."""
    t = sliced(source, org_id, spec)
    keys = list(spec.keys)
    if keys:
        expr = t.group_by(keys).aggregate(responses=t.response_id.nunique())
    else:
        expr = t.aggregate(responses=t.response_id.nunique())
    return _normalised(source.execute(expr), spec)


def invitation_counts(source: Source, org_id: str, spec: Slice) -> pd.DataFrame:
    """Invitations sent and finished per cell (by survey and the period of sending)."""
    for d in spec.dimensions:
        if d not in INVITATION_DIMENSIONS:
            raise InvalidInput(
                "The response rate can be sliced and filtered only by survey and period.",
                field="by",
            )
    i = source.invitations
    i = i.filter(i.organisation_id == org_id)
    if spec.start is not None:
        i = i.filter(i.sent_at >= _naive_utc(spec.start))
    if spec.end is not None:
        i = i.filter(i.sent_at < _naive_utc(spec.end))
    cols: dict[str, ir.Value] = {"finished": i.finished}
    if "survey" in spec.dimensions:
        cols["survey"] = i.survey_id
    if spec.period is not None:
        cols[PERIOD_KEY] = i.sent_at.truncate(_TRUNCATE[spec.period]).cast("date")
    elif spec.split_at is not None:
        cols[PERIOD_KEY] = ibis.ifelse(
            i.sent_at >= _naive_utc(spec.split_at),
            ibis.literal("current"),
            ibis.literal("previous"),
        )
    t = i.select(**cols)
    for dimension, values in spec.filters:
        t = t.filter(t[dimension].isin(list(values)))
    aggs = {"sent": t.finished.count(), "done": t.finished.cast("int64").sum()}
    keys = list(spec.keys)
    expr = t.group_by(keys).aggregate(**aggs) if keys else t.aggregate(**aggs)
    return _normalised(source.execute(expr), spec)


def _normalised(df: pd.DataFrame, spec: Slice) -> pd.DataFrame:
    """Engine differences ironed out: keys as str or None, periods as YYYY-MM-DD, counts
    as int64 (Spark and PostgreSQL return NULL sums for empty groups, DuckDB NaN)."""
    df = df.copy()
    for key in spec.keys:
        col = df[key]
        if key == PERIOD_KEY and spec.period is not None:
            dates = pd.to_datetime(col)
            df[key] = dates.dt.strftime("%Y-%m-%d").astype(object)
        else:
            df[key] = _texts(col)
    for name in ("n", "prom", "det", "top2", "pos", "zero", "neg", "responses", "sent", "done"):
        if name in df.columns:
            df[name] = df[name].fillna(0).astype("int64")
    for name in ("s1", "s2"):
        if name in df.columns:
            df[name] = df[name].astype("float64").fillna(0.0)
    return df


def _texts(col: pd.Series) -> pd.Series:
    """Values as str, missing ones (None, NaN, NA) as None; vectorised, since a large
    overview has tens of thousands of rows."""
    present = col.notna().to_numpy()
    out = np.full(len(col), None, dtype=object)
    out[present] = col[present].astype(str).to_numpy(dtype=object)
    return pd.Series(out, index=col.index, dtype=object)


# --- periods -------------------------------------------------------------------------


def period_start(at: datetime | date, period: str) -> date:
    """The first day of the period ``at`` falls in (weeks start on Monday, ISO 8601)."""
    d = at.date() if isinstance(at, datetime) else at
    if period == "day":
        return d
    if period == "week":
        return d - timedelta(days=d.weekday())
    if period == "month":
        return d.replace(day=1)
    return d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)


def shift_period(d: date, period: str, steps: int) -> date:
    if period == "day":
        return d + timedelta(days=steps)
    if period == "week":
        return d + timedelta(weeks=steps)
    months = 3 if period == "quarter" else 1
    index = d.year * 12 + d.month - 1 + steps * months
    return date(index // 12, index % 12 + 1, 1)
