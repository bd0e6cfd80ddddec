"""Benchmarks: our own targets and external reference values ("the leading airline's
check-in CES, 2025"), and units (teams, touchpoints, channels, journeys…) compared with
each other, with the targets and with the external values.

A benchmark names a metric of the catalogue and, optionally, one unit it is for
(``scope_dimension`` + ``scope_value``, the value id the query layer slices by: a team
id, a channel such as ``billing``…); without a scope it is for every unit. Its value is
in the metric's unit and must lie in the metric's range.

Metric values come from ``analytics.query`` (one aggregation for the whole app); each
unit is tested against the rest of the organisation with ``metrics.compare`` (NPS:
two-sample NPS test; shares: two proportions; means: Welch's t), with the
Benjamini–Hochberg correction over the units.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.analytics import catalogue, query
from kohtaamo.analytics.catalogue import SHARE_KINDS, Kind
from kohtaamo.analytics.models import BenchmarkValue
from kohtaamo.analytics.query_frame import Slice, sliced
from kohtaamo.analytics.source import Source
from kohtaamo.errors import InvalidInput, NotFound, rule_error
from kohtaamo.metrics.compare import (
    Difference,
    benjamini_hochberg,
    compare_means,
    compare_nps,
    compare_proportions,
)

BenchmarkKind = Literal["target", "external"]
#: The units a benchmark can be for, and that the comparison lines up.
UNIT_DIMENSIONS = ("touchpoint", "channel", "team", "journey", "stage", "factor_group", "segment")
Text200 = Annotated[str, Field(max_length=200)]


class BenchmarkIn(BaseModel):
    """A target or an external value, as entered."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: BenchmarkKind
    metric: Annotated[str, Field(min_length=1, max_length=40)]
    value: float
    scope_dimension: Annotated[str | None, Field(max_length=40)] = None
    scope_value: Annotated[str | None, Field(max_length=200)] = None
    label: Text200 = ""
    source: Annotated[str, Field(max_length=2000)] = ""
    valid_from: date | None = None
    valid_to: date | None = None

    @model_validator(mode="after")
    def _consistent(self) -> BenchmarkIn:
        if not catalogue.is_metric(self.metric):
            raise rule_error("Unknown metric %(value)s.", value=self.metric)
        found = catalogue.metric(self.metric)
        if not np.isfinite(self.value) or not found.low <= self.value <= found.high:
            raise rule_error(
                "A value of %(metric)s must be between %(low)s and %(high)s.",
                metric=self.metric,
                low=_plain(found.low),
                high=_plain(found.high),
            )
        self.scope_dimension = self.scope_dimension or None
        self.scope_value = self.scope_value or None
        if (self.scope_dimension is None) != (self.scope_value is None):
            raise rule_error("Choose both the kind of unit and the unit, or neither.")
        if self.scope_dimension is not None and self.scope_dimension not in UNIT_DIMENSIONS:
            raise rule_error("Unknown dimension %(value)s.", value=self.scope_dimension)
        if self.kind == "external" and not self.label:
            raise rule_error("Name the external benchmark (e.g. a company and a year).")
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise rule_error("The start must be before the end.")
        return self


def _plain(x: float) -> float | int:
    return int(x) if x == int(x) else x


# --- CRUD ------------------------------------------------------------------------------


def list_benchmarks(
    session: Session, actor: Actor, *, metric: str | None = None
) -> list[BenchmarkValue]:
    actor.require("analytics.view")
    stmt = select(BenchmarkValue).order_by(
        BenchmarkValue.metric, BenchmarkValue.kind, BenchmarkValue.created_at
    )
    if metric:
        stmt = stmt.where(BenchmarkValue.metric == metric)
    return list(session.scalars(stmt))


def get_benchmark(session: Session, actor: Actor, benchmark_id: uuid.UUID) -> BenchmarkValue:
    actor.require("analytics.view")
    found = session.scalar(select(BenchmarkValue).where(BenchmarkValue.id == benchmark_id))
    if found is None:
        raise NotFound("No such benchmark.")
    return found


def do_create_benchmark(session: Session, actor: Actor, data: BenchmarkIn) -> BenchmarkValue:
    actor.require("analytics.edit")
    row = BenchmarkValue(organisation_id=actor.organisation_id, **data.model_dump())
    session.add(row)
    session.flush()
    return row


def do_update_benchmark(
    session: Session, actor: Actor, benchmark_id: uuid.UUID, data: BenchmarkIn
) -> BenchmarkValue:
    actor.require("analytics.edit")
    row = get_benchmark(session, actor, benchmark_id)
    for name, value in data.model_dump().items():
        setattr(row, name, value)
    session.flush()
    return row


def do_delete_benchmark(session: Session, actor: Actor, benchmark_id: uuid.UUID) -> None:
    actor.require("analytics.edit")
    session.delete(get_benchmark(session, actor, benchmark_id))
    session.flush()


# --- comparison ------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitResult:
    key: str  # the dimension's value id
    value: query.MetricValue
    vs_rest: Difference | None  # this unit − the rest of the organisation
    difference: float | None  # vs_rest's difference in the metric's unit (shares: percent)
    adjusted_p_value: float | None  # Benjamini–Hochberg over the units
    significant: bool
    benchmarks: tuple[BenchmarkValue, ...]  # scoped to this unit


@dataclass(frozen=True)
class Comparison:
    metric: str
    dimension: str
    units: tuple[UnitResult, ...]
    overall: tuple[BenchmarkValue, ...]  # benchmarks for every unit
    test: str  # the test behind vs_rest ("" when the metric has none)


def applies(b: BenchmarkValue, start: datetime | None, end: datetime | None) -> bool:
    """Whether a benchmark's validity overlaps [start, end)."""
    if b.valid_to is not None and start is not None and b.valid_to < start.date():
        return False
    return not (b.valid_from is not None and end is not None and b.valid_from >= end.date())


def compare_units(
    source: Source,
    org_id: str | uuid.UUID,
    metric_slug: str,
    dimension: str,
    benchmarks: Sequence[BenchmarkValue],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Comparison:
    """Every unit of ``dimension`` with data: its value of the metric, how it differs from
    the rest of the organisation, and the benchmarks that apply to it."""
    if dimension not in UNIT_DIMENSIONS:
        raise InvalidInput("Unknown dimension %(value)s.", field="dimension", value=dimension)
    found = catalogue.metric(metric_slug)
    org = str(org_id)
    spec = query.Spec(metrics=(metric_slug,), by=(dimension,), start=start, end=end)
    cells = [c for c in query.cells(source, org, spec) if c.key.get(dimension) is not None]
    keys = [str(c.key[dimension]) for c in cells]
    diffs, test = _versus_rest(source, org, found, dimension, keys, start, end)
    p_values = {
        i: d.p_value for i, d in enumerate(diffs) if d is not None and d.p_value is not None
    }
    tested = list(p_values)
    correction = benjamini_hochberg(list(p_values.values()))
    adjusted: dict[int, tuple[float, bool]] = {
        i: (float(p), bool(r))
        for i, p, r in zip(tested, correction.adjusted, correction.rejected, strict=True)
    }
    valid = [b for b in benchmarks if b.metric == metric_slug and applies(b, start, end)]
    units = tuple(
        UnitResult(
            key=key,
            value=cell.values[metric_slug],
            vs_rest=diffs[i],
            difference=_in_unit(found, diffs[i]),
            adjusted_p_value=adjusted[i][0] if i in adjusted else None,
            significant=adjusted[i][1] if i in adjusted else False,
            benchmarks=tuple(
                b for b in valid if b.scope_dimension == dimension and b.scope_value == key
            ),
        )
        for i, (key, cell) in enumerate(zip(keys, cells, strict=True))
    )
    overall = tuple(b for b in valid if b.scope_dimension is None)
    return Comparison(metric_slug, dimension, units, overall, test)


def _in_unit(metric: catalogue.Metric, diff: Difference | None) -> float | None:
    """The comparison's difference in the metric's unit: shares are compared as
    proportions (0..1) but shown in percent."""
    if diff is None or diff.difference is None:
        return None
    return diff.difference * 100 if metric.kind in SHARE_KINDS else diff.difference


def _versus_rest(
    source: Source,
    org: str,
    metric: catalogue.Metric,
    dimension: str,
    keys: Sequence[str],
    start: datetime | None,
    end: datetime | None,
) -> tuple[list[Difference | None], str]:
    """Each unit against the others, from the same slice the values came from."""
    none: list[Difference | None] = [None] * len(keys)
    if not keys or not metric.roles or metric.kind in (Kind.RESPONSES, Kind.RESPONSE_RATE):
        return none, ""
    where = Slice(by=(dimension,), start=start, end=end)
    t = sliced(source, org, where, metric.roles)
    t = t.filter(t.role.isin(list(metric.roles)))
    if metric.kind is Kind.NPS or metric.kind is Kind.MEAN:
        raw = source.execute(t.select(unit=t[dimension], value=t.value))
        unit = raw["unit"].astype(str).to_numpy()
        values = raw["value"].to_numpy(dtype=float)
        out: list[Difference | None] = []
        for key in keys:
            mine = unit == key
            if metric.kind is Kind.NPS:
                out.append(compare_nps(values[mine], values[~mine], min_n=metric.min_n))
            else:
                out.append(compare_means(values[mine], values[~mine], min_n=metric.min_n).welch)
        return out, "nps" if metric.kind is Kind.NPS else "welch"
    success = _success(t, metric.kind)
    counts = source.execute(
        t.group_by(unit=t[dimension]).aggregate(n=t.value.count(), k=success.sum())
    )
    by_unit = {str(u): (int(n), int(k)) for u, n, k in zip(*counts.values.T, strict=True)}
    total_n = sum(n for n, _ in by_unit.values())
    total_k = sum(k for _, k in by_unit.values())
    out = []
    for key in keys:
        n, k = by_unit.get(key, (0, 0))
        out.append(compare_proportions(k, n, total_k - k, total_n - n, min_n=metric.min_n))
    return out, "two_proportions"


def _success(t: Any, kind: Kind) -> Any:
    v = t.value
    if kind is Kind.TOP_TWO_BOX:
        return (v >= t.scale_max - 1).cast("int64")
    if kind in (Kind.GAP_ABOVE, Kind.SHARE):
        return (v > 0).cast("int64")
    if kind is Kind.GAP_EQUAL:
        return (v == 0).cast("int64")
    return (v < 0).cast("int64")
