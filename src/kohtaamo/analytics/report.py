"""The monthly report's content for one organisation and month: the headline metrics
(NPS, CSAT, expectation gap, exceeded share) with the previous month and a twelve-month
trend, response counts, the touchpoints whose experience falls furthest short of
expectations, and the most critical touchpoints when the key-driver analysis offers
them. Pure data: the web layer renders it (``web/routes/analytics_report.py``).

Everything comes from two group-bys over the store's ``measures`` (month × role, and
touchpoint × role for the month itself), both filtered to the organisation; the numbers
are computed from those sufficient statistics with ``metrics.stats``, so a month without
answers is ``no_data`` and one below the minimum is ``too_few``, never 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import ibis

from kohtaamo.analytics import catalogue
from kohtaamo.analytics.schema import GAP_ROLE
from kohtaamo.analytics.source import Source
from kohtaamo.errors import InvalidInput
from kohtaamo.metrics._checks import DEFAULT_CONFIDENCE, Sufficiency, sufficiency
from kohtaamo.metrics.stats import nps_interval, proportion, z_value

HEADLINE: tuple[str, ...] = ("nps", "csat", "expectation_gap", "exceeded_share")
TREND_MONTHS = 12
GAP_ROWS = 5


@dataclass(frozen=True)
class Value:
    """One metric in one month, in the catalogue's unit."""

    status: Sufficiency
    n: int
    value: float | None = None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Headline:
    slug: str
    current: Value
    previous: Value
    #: current − previous when both are ``ok``
    change: float | None
    #: (first day of month, value) for the trend window, oldest first
    trend: list[tuple[date, Value]]


@dataclass(frozen=True)
class TouchpointGap:
    touchpoint_id: str
    name: str
    gap: Value  # mean experience − expectation
    exceeded: Value  # share of gaps above 0, percent


@dataclass(frozen=True)
class CriticalTouchpoint:
    name: str
    importance: float  # share of the outcome's explained variance, 0..1
    performance: float | None


@dataclass(frozen=True)
class MonthlyReport:
    organisation_id: str
    month: date
    locale: str
    headlines: list[Headline]
    responses: int
    previous_responses: int
    gaps: list[TouchpointGap]
    critical: list[CriticalTouchpoint] = field(default_factory=list)


def parse_month(text: str) -> date:
    """``YYYY-MM`` as the month's first day; anything else is a 422 on ``month``."""
    try:
        parsed = datetime.strptime(text.strip(), "%Y-%m")
    except ValueError:
        raise InvalidInput(
            "Give the month as YYYY-MM, for example 2026-10.", field="month"
        ) from None
    if not 2000 <= parsed.year <= 2100:
        raise InvalidInput("Give the month as YYYY-MM, for example 2026-10.", field="month")
    return parsed.date()


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _stats_by(source: Source, org_id: str, start: date, end: date, key: str) -> Any:
    """Sufficient statistics per (``key``, role): one group-by of the org's measures."""
    m = source.measures
    m = m.filter(
        m.organisation_id == org_id,
        m.answered_at >= _at(start),
        m.answered_at < _at(end),
        m.role.isin(["nps", "csat", GAP_ROLE]),
    )
    group = m.answered_at.truncate("M").name("month") if key == "month" else m.touchpoint_id
    expr = m.group_by([group, m.role]).aggregate(
        n=m.count(),
        total=m.value.sum(),
        squares=(m.value * m.value).sum(),
        top=m.count(where=m.value >= m.scale_max - 1),
        promoters=m.count(where=m.value >= 9),
        detractors=m.count(where=m.value <= 6),
        above=m.count(where=m.value > 0),
    )
    return source.execute(expr)


def _responses_by_month(source: Source, org_id: str, start: date, end: date) -> dict[date, int]:
    m = source.measures
    m = m.filter(m.organisation_id == org_id, m.answered_at >= _at(start), m.answered_at < _at(end))
    month = m.answered_at.truncate("M").name("month")
    frame = source.execute(m.group_by(month).aggregate(n=m.response_id.nunique()))
    return {_day(row.month): int(row.n) for row in frame.itertuples()}


def _day(value: Any) -> date:
    return date(value.year, value.month, 1)


def _mean(n: int, total: float, squares: float, min_n: int, confidence: float) -> Value:
    status = sufficiency(n, min_n)
    if status is not Sufficiency.OK:
        return Value(status, n)
    mean = total / n
    if n < 2:
        return Value(status, n, mean)
    variance = max(0.0, (squares - n * mean * mean) / (n - 1))
    # Normal rather than t: the report's means rest on hundreds of answers at least.
    half = z_value(confidence) * math.sqrt(variance / n)
    return Value(status, n, mean, mean - half, mean + half)


def _share(successes: int, n: int, min_n: int, confidence: float) -> Value:
    p = proportion(successes, n, confidence=confidence, min_n=min_n)
    if p.share is None or p.interval is None:
        return Value(p.status, n)
    return Value(p.status, n, p.share * 100, p.interval.low * 100, p.interval.high * 100)


def metric_value(slug: str, row: dict[str, float] | None, confidence: float) -> Value:
    """A headline metric from its role's sufficient statistics (None: no answers)."""
    spec = catalogue.metric(slug)
    if row is None or int(row["n"]) == 0:
        return Value(Sufficiency.NO_DATA, 0)
    n = int(row["n"])
    if slug == "nps":
        status = sufficiency(n, spec.min_n)
        if status is not Sufficiency.OK:
            return Value(status, n)
        promoters, detractors = int(row["promoters"]), int(row["detractors"])
        ci = nps_interval(promoters, detractors, n, confidence, "adjusted_wald")
        return Value(status, n, (promoters - detractors) / n * 100, ci.low, ci.high)
    if slug == "csat":
        return _share(int(row["top"]), n, spec.min_n, confidence)
    if slug == "exceeded_share":
        return _share(int(row["above"]), n, spec.min_n, confidence)
    return _mean(n, float(row["total"]), float(row["squares"]), spec.min_n, confidence)


def _rows(frame: Any, key: str) -> dict[tuple[Any, str], dict[str, float]]:
    out: dict[tuple[Any, str], dict[str, float]] = {}
    for row in frame.to_dict("records"):
        k = _day(row[key]) if key == "month" else row[key]
        out[(k, str(row["role"]))] = row
    return out


def _change(current: Value, previous: Value) -> float | None:
    if current.value is None or previous.value is None:
        return None
    return current.value - previous.value


def monthly_report(
    source: Source,
    org_id: str,
    month: date,
    locale: str,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    critical: list[CriticalTouchpoint] | None = None,
) -> MonthlyReport:
    """The report of ``month`` (its first day) for organisation ``org_id``."""
    org_id = str(org_id)
    start, end = add_months(month, -(TREND_MONTHS - 1)), add_months(month, 1)
    by_month = _rows(_stats_by(source, org_id, start, end, "month"), "month")
    months = [add_months(start, i) for i in range(TREND_MONTHS)]
    previous_month = add_months(month, -1)
    headlines = []
    for slug in HEADLINE:
        role = catalogue.metric(slug).roles[0]
        trend = [(m, metric_value(slug, by_month.get((m, role)), confidence)) for m in months]
        values = dict(trend)
        current, previous = values[month], values[previous_month]
        headlines.append(Headline(slug, current, previous, _change(current, previous), trend))
    responses = _responses_by_month(source, org_id, previous_month, end)
    return MonthlyReport(
        organisation_id=org_id,
        month=month,
        locale=locale,
        headlines=headlines,
        responses=responses.get(month, 0),
        previous_responses=responses.get(previous_month, 0),
        gaps=_biggest_gaps(source, org_id, month, locale, confidence),
        critical=critical or [],
    )


def _biggest_gaps(
    source: Source, org_id: str, month: date, locale: str, confidence: float
) -> list[TouchpointGap]:
    """The touchpoints whose mean gap falls furthest below 0 in the month (enough
    answers only: a noisy mean must not head the list)."""
    stats = _rows(
        _stats_by(source, org_id, month, add_months(month, 1), "touchpoint"), "touchpoint_id"
    )
    names = touchpoint_names(source, org_id, locale)
    found = []
    for (tp, role), row in stats.items():
        if role != GAP_ROLE or tp is None:
            continue
        gap = metric_value("expectation_gap", row, confidence)
        if gap.value is None:
            continue
        exceeded = metric_value("exceeded_share", row, confidence)
        found.append(TouchpointGap(str(tp), names.get(str(tp), str(tp)), gap, exceeded))
    found.sort(key=lambda g: (g.gap.value or 0.0, g.name))
    return found[:GAP_ROWS]


def touchpoint_names(source: Source, org_id: str, locale: str) -> dict[str, str]:
    t = source.touchpoints
    column = t.name_fi if locale == "fi" else t.name_en
    frame = source.execute(
        t.filter(t.organisation_id == org_id).select(
            t.touchpoint_id, name=ibis.coalesce(column, t.name_en, t.key)
        )
    )
    return {str(r.touchpoint_id): str(r.name) for r in frame.itertuples()}
