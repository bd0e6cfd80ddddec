"""Metric values by any slice and period, trends and the previous-period comparison: ibis
over a :class:`~kohtaamo.analytics.source.Source`, so the same expression runs on DuckDB,
PostgreSQL and Spark.

Public interface (stable; others code against it)::

    from kohtaamo.analytics.query import (
        Spec, Filter, Cell, MetricValue, Change, cells, trend, overview_cells,
        cell_stats, dimension_labels, DIMENSIONS, PERIODS,
    )

    Spec(metrics: tuple[str, ...],            # catalogue slugs: "nps", "csat", "mean:trust"…
         by: tuple[str, ...] = (),            # dimensions, see DIMENSIONS
         period: "day"|"week"|"month"|"quarter"|None = None,
         start: datetime | None = None,       # answered_at >= start (naive UTC)
         end: datetime | None = None,         # answered_at < end
         filters: tuple[Filter, ...] = (),    # Filter(dimension, values: tuple[str, ...])
         compare: bool = False,               # previous period of equal length (needs start, end)
         confidence: float = 0.95)

    cells(source, org_id: str | UUID, spec) -> list[Cell]
        One Cell per slice that has data: Cell.key is {dimension: value id or None,
        "period": "YYYY-MM-DD" (the period's first day; weeks start on Monday)} and
        Cell.values is {slug: MetricValue}.
    trend(source, org_id, spec) -> list[Cell]
        As cells() but spec.period is required and every period from start to end is
        present for every slice (status no_data where nothing was answered). With
        spec.compare each period is compared with the period before it.
    overview_cells(source, org_id, start, end, metrics=OVERVIEW_METRICS) -> list[Cell]
        Every overview metric by touchpoint × month × segment (the benchmarked query).
    cell_stats(source, org_id, spec) -> CellStats
        The sufficient statistics per cell and role (one group-by; distinct responses and
        invitations in their own), for callers that compute something else from them.
    dimension_labels(source, org_id, dimension, locale) -> dict[str, str]
        Display names of a dimension's value ids (touchpoint, journey, stage, team, survey…).

    MetricValue(metric, status: Sufficiency, value: float | None, n: int,
                low: float | None, high: float | None, change: Change | None)
        ``value`` in the metric's unit (NPS −100..100, percent 0..100, points, count);
        ``low``/``high`` its interval at spec.confidence where the statistic has one.
    Change(previous: MetricValue, delta: float | None, p_value: float | None,
           adjusted_p_value: float | None (Benjamini–Hochberg over the query's tests),
           significant: bool, test: str)

Dimensions: touchpoint, journey, stage (via ``placements``: a measure counts once in each
journey/stage its touchpoint sits on), channel, factor_group, team (via ``touchpoints``),
segment (as stored on the measure), region, plan, ``attribute:<name>`` (from the
customer's attributes JSON; name of letters, digits, ``_``, ``-``), survey, language,
response_channel, theme and comment_sentiment (from the analysed comments: a measure
counts once under each theme / sentiment its response's comments carry; the comment
metrics ``comment_sentiment`` and ``negative_comment_share`` count each comment, and by
theme the theme's own sentiment in it). A measure without a touchpoint (a question about the whole
relationship) or customer has the key None in those dimensions. ``response_rate`` reads
the invitations table and can be sliced only by survey and period.

Bad input (unknown metric, dimension or period, start not before end, comparison without
a range) raises ``InvalidInput`` naming the field. Every table read is filtered to
``org_id``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Final

import pandas as pd

from kohtaamo.analytics import query_rollup
from kohtaamo.analytics.catalogue import Kind, Metric, metric
from kohtaamo.analytics.query_frame import (
    DIMENSIONS,
    PERIOD_KEY,
    PERIODS,
    Slice,
    Stat,
    check_dimension,
    check_period,
    invitation_counts,
    period_start,
    response_counts,
    role_stats,
    shift_period,
)
from kohtaamo.analytics.query_labels import dimension_labels
from kohtaamo.analytics.query_values import (
    Change,
    MetricValue,
    difference,
    metric_frame,
    no_data,
    values_of,
)
from kohtaamo.analytics.source import Source
from kohtaamo.errors import InvalidInput
from kohtaamo.metrics._checks import DEFAULT_CONFIDENCE, check_settings
from kohtaamo.metrics.compare import Difference, benjamini_hochberg

__all__ = [
    "DIMENSIONS",
    "OVERVIEW_METRICS",
    "PERIODS",
    "Cell",
    "CellStats",
    "Change",
    "Filter",
    "MetricValue",
    "Spec",
    "cell_stats",
    "cells",
    "dimension_labels",
    "overview_cells",
    "trend",
]

#: What the overview shows for every touchpoint × month × segment.
OVERVIEW_METRICS: Final[tuple[str, ...]] = (
    "nps",
    "csat",
    "ces",
    "expectation_gap",
    "exceeded_share",
    "met_share",
    "short_share",
    "repurchase_intent",
    "trust",
    "responses",
)


@dataclass(frozen=True)
class Filter:
    dimension: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Spec:
    metrics: tuple[str, ...]
    by: tuple[str, ...] = ()
    period: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    filters: tuple[Filter, ...] = ()
    compare: bool = False
    confidence: float = DEFAULT_CONFIDENCE


@dataclass(frozen=True)
class Cell:
    key: dict[str, str | None]
    values: dict[str, MetricValue] = field(default_factory=dict)


@dataclass(frozen=True)
class CellStats:
    """The sufficient statistics of a query (see ``query_frame``): per cell and role,
    distinct responses per cell, invitations per cell; None where no metric asked."""

    keys: tuple[str, ...]
    by_role: pd.DataFrame | None
    responses: pd.DataFrame | None
    invitations: pd.DataFrame | None


_STATS_OF: Final[dict[Kind, Stat]] = {
    Kind.NPS: "nps",
    Kind.MEAN: "moments",
    Kind.TOP_TWO_BOX: "top2",
    Kind.GAP_ABOVE: "gap",
    Kind.GAP_EQUAL: "gap",
    Kind.GAP_BELOW: "gap",
    Kind.SHARE: "gap",  # the share of values above 0: the gap statistics' "pos"
}


def _checked(spec: Spec) -> list[Metric]:
    if not spec.metrics:
        raise InvalidInput("Choose at least one metric.", field="metrics")
    found = [metric(slug) for slug in spec.metrics]
    for d in spec.by:
        check_dimension(d)
    if len(set(spec.by)) != len(spec.by):
        raise InvalidInput("A dimension can be chosen only once.", field="by")
    for f in spec.filters:
        check_dimension(f.dimension)
    check_period(spec.period)
    check_settings(spec.confidence, 1)
    if spec.start is not None and spec.end is not None and spec.start >= spec.end:
        raise InvalidInput("The start must be before the end.", field="start")
    if spec.compare and spec.period is None and (spec.start is None or spec.end is None):
        raise InvalidInput(
            "Comparing with the previous period needs a start and an end.", field="compare"
        )
    return found


def _slice(spec: Spec, *, start: datetime | None, split_at: datetime | None) -> Slice:
    return Slice(
        by=spec.by,
        period=spec.period,
        start=start,
        end=spec.end,
        filters=tuple((f.dimension, f.values) for f in spec.filters),
        split_at=split_at,
    )


def _stats(source: Source, org_id: str, metrics: Sequence[Metric], where: Slice) -> CellStats:
    roles = sorted({r for m in metrics for r in m.roles})
    kinds = {m.kind for m in metrics}
    stats = frozenset(_STATS_OF[k] for k in kinds if k in _STATS_OF)
    return CellStats(
        keys=where.keys,
        by_role=_role_stats(source, org_id, where, roles, stats) if roles else None,
        responses=_responses(source, org_id, where) if Kind.RESPONSES in kinds else None,
        invitations=(
            invitation_counts(source, org_id, where) if Kind.RESPONSE_RATE in kinds else None
        ),
    )


def _role_stats(
    source: Source, org_id: str, where: Slice, roles: Sequence[str], stats: frozenset[Stat]
) -> pd.DataFrame:
    rolled = query_rollup.role_stats(source, org_id, where, roles, stats)
    return rolled if rolled is not None else role_stats(source, org_id, where, roles, stats)


def _responses(source: Source, org_id: str, where: Slice) -> pd.DataFrame:
    rolled = query_rollup.response_counts(source, org_id, where)
    return rolled if rolled is not None else response_counts(source, org_id, where)


def cell_stats(source: Source, org_id: str | uuid.UUID, spec: Spec) -> CellStats:
    """The sufficient statistics behind :func:`cells` (without the comparison)."""
    metrics = _checked(spec)
    return _stats(source, str(org_id), metrics, _slice(spec, start=spec.start, split_at=None))


def cells(source: Source, org_id: str | uuid.UUID, spec: Spec) -> list[Cell]:
    """The metrics of ``spec`` for every slice that has data (see the module docstring)."""
    metrics = _checked(spec)
    org = str(org_id)
    if not spec.compare:
        where = _slice(spec, start=spec.start, split_at=None)
        frames = _frames(source, org, spec, metrics, where)
        return _assemble(spec, where.keys, frames)
    if spec.period is None:
        assert spec.start is not None and spec.end is not None
        where = _slice(spec, start=spec.start - (spec.end - spec.start), split_at=spec.start)
    else:
        first = period_start(spec.start, spec.period) if spec.start is not None else None
        back = shift_period(first, spec.period, -1) if first is not None else None
        where = _slice(spec, start=_midnight(back), split_at=None)
    frames = _frames(source, org, spec, metrics, where)
    return _compared(spec, metrics, where.keys, frames)


def trend(source: Source, org_id: str | uuid.UUID, spec: Spec) -> list[Cell]:
    """:func:`cells` as a series: every period from ``start`` to ``end`` (or from the
    first to the last period with data) for every slice, no_data where none."""
    if spec.period is None:
        raise InvalidInput("A trend needs a period: day, week, month or quarter.", field="period")
    found = cells(source, org_id, spec)
    slices = list(dict.fromkeys(tuple(c.key[d] for d in spec.by) for c in found))
    seen = {date.fromisoformat(str(c.key[PERIOD_KEY])) for c in found}
    if spec.start is not None:
        first = period_start(spec.start, spec.period)
    elif seen:
        first = min(seen)
    else:
        return []
    last = (spec.end - timedelta(microseconds=1)).date() if spec.end is not None else max(seen)
    periods = []
    at = first
    while at <= last:
        periods.append(at.isoformat())
        at = shift_period(at, spec.period, 1)
    if not spec.by and not slices:
        slices = [()]
    by_key = {tuple(c.key[k] for k in (*spec.by, PERIOD_KEY)): c for c in found}
    out = []
    for s in slices:
        for p in periods:
            cell = by_key.get((*s, p))
            if cell is None:
                key = dict(zip(spec.by, s, strict=True)) | {PERIOD_KEY: p}
                before = by_key.get(
                    (*s, shift_period(date.fromisoformat(p), spec.period, -1).isoformat())
                )
                cell = Cell(key, {slug: _empty(slug, spec, before) for slug in spec.metrics})
            out.append(cell)
    return out


def _empty(slug: str, spec: Spec, before: Cell | None) -> MetricValue:
    """No data in this period; with a comparison, still the previous period's value."""
    if not spec.compare:
        return no_data(slug)
    previous = before.values[slug] if before is not None else no_data(slug)
    previous = MetricValue(
        previous.metric, previous.status, previous.value, previous.n, previous.low, previous.high
    )
    change = Change(previous, None, None, None, False, "")
    return MetricValue(slug, no_data(slug).status, None, 0, change=change)


def overview_cells(
    source: Source,
    org_id: str | uuid.UUID,
    start: datetime | None,
    end: datetime | None,
    metrics: Sequence[str] = OVERVIEW_METRICS,
) -> list[Cell]:
    """Every overview metric by touchpoint × month × segment."""
    spec = Spec(tuple(metrics), ("touchpoint", "segment"), "month", start, end)
    return cells(source, org_id, spec)


# --- assembling ----------------------------------------------------------------------

Key = tuple[str | None, ...]


def _frames(
    source: Source, org: str, spec: Spec, metrics: Sequence[Metric], where: Slice
) -> dict[str, pd.DataFrame]:
    got = _stats(source, org, metrics, where)
    return {
        slug: metric_frame(
            m, slug, got.by_role, got.responses, got.invitations, where.keys, spec.confidence
        )
        for slug, m in zip(spec.metrics, metrics, strict=True)
    }


def _assemble(spec: Spec, keys: Sequence[str], frames: dict[str, pd.DataFrame]) -> list[Cell]:
    values = {slug: values_of(df, keys) for slug, df in frames.items()}
    order: dict[Key, None] = {}
    for found in values.values():
        order.update(dict.fromkeys(found))
    out = []
    for key in sorted(order, key=_sort_key):
        out.append(
            Cell(
                dict(zip(keys, key, strict=True)),
                {slug: values[slug].get(key) or no_data(slug) for slug in spec.metrics},
            )
        )
    return out


def _sort_key(key: Key) -> tuple[tuple[bool, str], ...]:
    return tuple((k is None, k or "") for k in key)


def _compared(
    spec: Spec, metrics: Sequence[Metric], keys: Sequence[str], frames: dict[str, pd.DataFrame]
) -> list[Cell]:
    """Each cell with the same slice's previous period: the preceding period of the
    series, or (without a period) the range of equal length just before ``start``."""
    slice_keys = list(spec.by)
    values = {slug: values_of(df, keys) for slug, df in frames.items()}
    rows = {
        slug: {tuple(r[k] for k in keys): r for _, r in df.iterrows()}
        for slug, df in frames.items()
    }
    first = (
        period_start(spec.start, spec.period).isoformat() if spec.period and spec.start else None
    )

    def previous_of(key: Key) -> Key | None:
        *s, p = key
        if spec.period is None:
            return (*s, "previous") if p == "current" else None
        prev = shift_period(date.fromisoformat(str(p)), spec.period, -1).isoformat()
        return (*s, prev)

    wanted: dict[Key, None] = {}
    for found in values.values():
        for key in found:
            if _is_current(spec, str(key[-1]), first):
                wanted[key] = None
    tests: list[tuple[Key, str, MetricValue, MetricValue, Difference | None]] = []
    for key in sorted(wanted, key=_sort_key):
        prev_key = previous_of(key)
        for slug, m in zip(spec.metrics, metrics, strict=True):
            cur = values[slug].get(key) or no_data(slug)
            prev = (values[slug].get(prev_key) if prev_key else None) or no_data(slug)
            diff = difference(
                m,
                rows[slug].get(key),
                rows[slug].get(prev_key) if prev_key else None,
                spec.confidence,
            )
            tests.append((key, slug, cur, prev, diff))
    ps = [d.p_value for *_, d in tests if d is not None and d.p_value is not None]
    correction = benjamini_hochberg(ps, alpha=1 - spec.confidence) if ps else None
    adjusted = iter(correction.adjusted if correction else ())
    out: dict[Key, Cell] = {}
    for key, slug, cur, prev, diff in tests:
        p_value = diff.p_value if diff is not None else None
        adj = next(adjusted) if p_value is not None else None
        delta = _delta(cur, prev)
        change = Change(
            previous=prev,
            delta=delta,
            p_value=p_value,
            adjusted_p_value=adj,
            significant=adj is not None and adj <= 1 - spec.confidence,
            test=diff.test if diff is not None else "",
        )
        out_key = key[:-1] if spec.period is None else key
        cell = out.get(out_key)
        if cell is None:
            names = slice_keys if spec.period is None else [*slice_keys, PERIOD_KEY]
            cell = out[out_key] = Cell(dict(zip(names, out_key, strict=True)))
        cell.values[slug] = MetricValue(
            cur.metric, cur.status, cur.value, cur.n, cur.low, cur.high, change
        )
    return list(out.values())


def _is_current(spec: Spec, period: str, first: str | None) -> bool:
    """Whether a row of the compared query is shown (not only the previous period)."""
    if spec.period is None:
        return period == "current"
    return first is None or period >= first


def _delta(cur: MetricValue, prev: MetricValue) -> float | None:
    if cur.value is None or prev.value is None:
        return None
    return cur.value - prev.value


def _midnight(d: date | None) -> datetime | None:
    return None if d is None else datetime(d.year, d.month, d.day)
