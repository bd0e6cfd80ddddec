"""Metric statistics from the DuckDB store's daily rollups (``store.ROLLUP_TABLES``)
instead of single measures, when a slice allows it: the same rows as
``query_frame.role_stats`` and ``response_counts``, summed from a few thousand rollup
rows instead of millions of measures.

A slice is answered here when the source has the rollups, its dimensions and filters are
touchpoint, segment or what follows from the touchpoint (channel, factor group, team,
journey, stage), and its start, end and split are whole days. Distinct responses add up
over days and segments but not over touchpoints (one response can answer at several),
so response counts come from the per-touchpoint rollup only when sliced by touchpoint
(and segment) at most, from the per-segment one when by segment at most, and otherwise
from single measures.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Final

import ibis
import ibis.expr.types as ir
import pandas as pd

from kohtaamo.analytics.query_frame import (
    _PLACEMENT_DIMENSIONS,
    _TOUCHPOINT_DIMENSIONS,
    _TRUNCATE,
    PERIOD_KEY,
    Slice,
    Stat,
    _join_placements,
    _join_touchpoints,
    _naive_utc,
    _normalised,
    check_dimension,
    check_period,
)
from kohtaamo.analytics.schema import COMMENT_ROLES
from kohtaamo.analytics.source import Source

ROLLUP_DIMENSIONS: Final[frozenset[str]] = frozenset(
    {"touchpoint", "segment", *_TOUCHPOINT_DIMENSIONS, *_PLACEMENT_DIMENSIONS}
)
_SUMMED: Final[dict[str, tuple[str, ...]]] = {
    "moments": ("s1", "s2"),
    "nps": ("prom", "det"),
    "top2": ("top2",),
    "gap": ("pos", "zero", "neg"),
}


def _day(at: datetime | None) -> date | bool | None:
    """The day of a midnight, None for no bound, False when not a whole day."""
    if at is None:
        return None
    at = _naive_utc(at)
    return at.date() if at.time() == time(0) else False


def _covers(source: Source, spec: Slice, dimensions: frozenset[str]) -> bool:
    return (
        source.rollup is not None
        and set(spec.dimensions) <= dimensions
        and all(_day(at) is not False for at in (spec.start, spec.end, spec.split_at))
    )


def _rolled(source: Source, org_id: str, spec: Slice, table: str) -> ir.Table:
    """The rollup's rows of the organisation, with the key columns of ``spec``."""
    for d in spec.dimensions:
        check_dimension(d)
    check_period(spec.period)
    assert source.rollup is not None
    r = source.rollup[table]
    r = r.filter(r.organisation_id == org_id)
    start, end, split = _day(spec.start), _day(spec.end), _day(spec.split_at)
    if isinstance(start, date):
        r = r.filter(r.day >= start)
    if isinstance(end, date):
        r = r.filter(r.day < end)
    dims = spec.dimensions
    t = r.mutate(**({"touchpoint": r.touchpoint_id} if "touchpoint" in dims else {}))
    t = _join_touchpoints(source, org_id, t, [d for d in dims if d in _TOUCHPOINT_DIMENSIONS])
    t = _join_placements(source, org_id, t, [d for d in dims if d in _PLACEMENT_DIMENSIONS])
    for dimension, values in spec.filters:
        t = t.filter(t[dimension].isin(list(values)))
    if spec.period is not None:
        t = t.mutate(**{PERIOD_KEY: t.day.truncate(_TRUNCATE[spec.period]).cast("date")})
    elif isinstance(split, date):
        t = t.mutate(
            **{
                PERIOD_KEY: ibis.ifelse(
                    t.day >= split, ibis.literal("current"), ibis.literal("previous")
                )
            }
        )
    return t


def role_stats(
    source: Source, org_id: str, spec: Slice, roles: Sequence[str], stats: frozenset[Stat]
) -> pd.DataFrame | None:
    """``query_frame.role_stats`` from the rollup, or None when it cannot answer."""
    if not _covers(source, spec, ROLLUP_DIMENSIONS) or COMMENT_ROLES & set(roles):
        return None  # comment roles are not in the rollups: single rows answer them
    t = _rolled(source, org_id, spec, "measures_daily")
    t = t.filter(t.role.isin(list(roles)))
    aggs: dict[str, ir.Scalar] = {"n": t.n.sum()}
    for stat in sorted(stats):
        for name in _SUMMED[stat]:
            aggs[name] = t[name].sum()
    expr = t.group_by([*spec.keys, "role"]).aggregate(**aggs)
    return _normalised(source.execute(expr), spec)


def response_counts(source: Source, org_id: str, spec: Slice) -> pd.DataFrame | None:
    """``query_frame.response_counts`` from a rollup, or None when none can answer."""
    if _covers(source, spec, frozenset({"segment"})):
        table = "responses_daily"
    elif _covers(source, spec, frozenset({"touchpoint", "segment"})):
        table = "responses_daily_tp"
    else:
        return None
    t = _rolled(source, org_id, spec, table)
    keys = list(spec.keys)
    agg = {"responses": t.responses.sum()}
    expr = t.group_by(keys).aggregate(**agg) if keys else t.aggregate(**agg)
    return _normalised(source.execute(expr), spec)
