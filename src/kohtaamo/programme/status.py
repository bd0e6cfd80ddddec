"""Live status: every measure's current value and monthly trend from the analytics, its
standing against the target, and the standing of every standard and element rolled up.

A measure is **on track** when its value meets the target (``at_least``: value ≥ target;
``at_most``: value ≤ target), **at risk** when it misses by no more than its tolerance or
when its confidence interval still reaches the target (the miss may be chance), **off
track** otherwise, and **unknown** while there are too few answers or none: never a
made-up number. A standard takes the worst of its measures; an element the worst of its
own measures, its standards and its sub-elements. Unknowns don't hide a known problem,
and a part is unknown only when everything under it is.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from kohtaamo.analytics.query import Filter, MetricValue, Spec, cells, trend
from kohtaamo.analytics.source import Source
from kohtaamo.kit.clock import utcnow
from kohtaamo.metrics._checks import Sufficiency
from kohtaamo.programme.models import Measure
from kohtaamo.programme.tree import ElementNode, Pyramid, StandardNode
from kohtaamo.programme.vocab import Direction, TargetStatus

#: Worst first: the roll-up takes the first present.
SEVERITY: tuple[TargetStatus, ...] = (
    TargetStatus.OFF_TRACK,
    TargetStatus.AT_RISK,
    TargetStatus.ON_TRACK,
)
TREND_MONTHS = 12


@dataclass(frozen=True)
class MeasureStatus:
    measure_id: uuid.UUID
    value: MetricValue
    trend: list[tuple[str, MetricValue]]
    status: TargetStatus
    #: how far the value is on the good side of the target (negative: short of it)
    gap_to_target: float | None


@dataclass
class ProgrammeStatus:
    measures: dict[uuid.UUID, MeasureStatus] = field(default_factory=dict)
    standards: dict[uuid.UUID, TargetStatus] = field(default_factory=dict)
    elements: dict[uuid.UUID, TargetStatus] = field(default_factory=dict)

    @property
    def counts(self) -> dict[TargetStatus, int]:
        found = {s: 0 for s in TargetStatus}
        for m in self.measures.values():
            found[m.status] += 1
        return found


def judge(measure: Measure, value: MetricValue) -> tuple[TargetStatus, float | None]:
    """A measure's standing for one value, and its distance to the target."""
    if value.status != Sufficiency.OK or value.value is None:
        return TargetStatus.UNKNOWN, None
    at_least = measure.direction == Direction.AT_LEAST
    gap = value.value - measure.target if at_least else measure.target - value.value
    if gap >= 0:
        return TargetStatus.ON_TRACK, gap
    if -gap <= measure.tolerance:
        return TargetStatus.AT_RISK, gap
    reach = value.high if at_least else value.low
    if reach is not None and (reach >= measure.target if at_least else reach <= measure.target):
        return TargetStatus.AT_RISK, gap
    return TargetStatus.OFF_TRACK, gap


def worst(statuses: list[TargetStatus]) -> TargetStatus:
    for status in SEVERITY:
        if status in statuses:
            return status
    return TargetStatus.UNKNOWN


def _filters(measure: Measure) -> tuple[Filter, ...]:
    found: list[Filter] = []
    if measure.touchpoint_id is not None:
        found.append(Filter("touchpoint", (str(measure.touchpoint_id),)))
    if measure.journey_id is not None:
        found.append(Filter("journey", (str(measure.journey_id),)))
    if measure.segment:
        found.append(Filter("segment", (measure.segment,)))
    return tuple(found)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def measure_values(
    source: Source,
    org_id: uuid.UUID,
    measures: list[Measure],
    *,
    today: date,
    with_trend: bool = True,
) -> dict[uuid.UUID, tuple[MetricValue, list[tuple[str, MetricValue]]]]:
    """Current value and monthly trend of each measure; measures that share a scope and a
    window are asked in one query."""
    groups: dict[tuple[tuple[Filter, ...], int], list[Measure]] = defaultdict(list)
    for measure in measures:
        groups[(_filters(measure), measure.window_days)].append(measure)
    end = _midnight(today + timedelta(days=1))
    first_month = (today.replace(day=1) - timedelta(days=31 * (TREND_MONTHS - 1))).replace(day=1)
    found: dict[uuid.UUID, tuple[MetricValue, list[tuple[str, MetricValue]]]] = {}
    for (filters, window), members in groups.items():
        slugs = tuple(dict.fromkeys(m.metric for m in members))
        current = cells(
            source,
            org_id,
            Spec(metrics=slugs, start=end - timedelta(days=window), end=end, filters=filters),
        )
        values = current[0].values if current else {}
        series = (
            trend(
                source,
                org_id,
                Spec(
                    metrics=slugs,
                    period="month",
                    start=_midnight(first_month),
                    end=end,
                    filters=filters,
                ),
            )
            if with_trend
            else []
        )
        for m in members:
            value = values.get(m.metric) or MetricValue(m.metric, Sufficiency.NO_DATA, None, 0)
            points = [(str(c.key["period"]), c.values[m.metric]) for c in series]
            found[m.id] = (value, points)
    return found


def programme_status(
    source: Source,
    org_id: uuid.UUID,
    pyramid: Pyramid,
    *,
    today: date | None = None,
    with_trend: bool = True,
) -> ProgrammeStatus:
    today = today or utcnow().date()
    result = ProgrammeStatus()
    measures = pyramid.measures()
    values = measure_values(source, org_id, measures, today=today, with_trend=with_trend)
    for measure in measures:
        value, points = values[measure.id]
        status, gap = judge(measure, value)
        result.measures[measure.id] = MeasureStatus(measure.id, value, points, status, gap)

    def of_standard(node: StandardNode) -> TargetStatus:
        status = worst([result.measures[m.id].status for m in node.measures])
        result.standards[node.standard.id] = status
        return status

    def of_element(node: ElementNode) -> TargetStatus:
        parts = [result.measures[m.id].status for m in node.measures]
        parts += [of_standard(s) for s in node.standards]
        parts += [of_element(child) for child in node.children]
        status = worst(parts)
        result.elements[node.element.id] = status
        return status

    for top in pyramid.elements:
        of_element(top)
    return result
