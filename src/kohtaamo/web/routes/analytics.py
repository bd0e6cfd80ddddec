"""Pages: the analytics overview (headline metrics with their trends, the biggest
expectation gaps, movements and the most critical touchpoints) and one touchpoint's page.

Numbers come from the analytics store through ``analytics.query`` (one call per block);
this module only puts them in words and charts. The explorer is ``analytics_explore``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from kohtaamo.analytics import catalogue, drivers, query
from kohtaamo.analytics.query import Cell
from kohtaamo.analytics.query_values import no_data
from kohtaamo.analytics.source import Source
from kohtaamo.errors import InvalidInput
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.journeys import service as journeys
from kohtaamo.journeys.catalogue import CHANNELS, Channel
from kohtaamo.web import charts_analytics as charts
from kohtaamo.web.analytics_view import (
    GAP_SHARES,
    HEADLINE,
    NOT_SET,
    ChangeView,
    Period,
    ValueView,
    analytics_source,
    dimension_options,
    month_label,
    parse_period,
    period_options,
    value_view,
)
from kohtaamo.web.charts import percent
from kohtaamo.web.deps import WebContext, page_permission
from kohtaamo.web.render import render

router = APIRouter(prefix="/analytics")

Viewer = Annotated[WebContext, Depends(page_permission("analytics.view"))]
MOVEMENT_METRICS = ("nps", "csat", "expectation_gap", "exceeded_share", "ces")
TOP = 10
QUADRANTS = {
    "fix_first": N_("Fix first"),
    "keep_up": N_("Keep up"),
    "dont_overinvest": N_("Don't overinvest"),
    "watch": N_("Watch"),
}


def _values(cell: Cell | None, slugs: tuple[str, ...], locale: str) -> dict[str, ValueView]:
    """The views of ``slugs`` in ``cell``; a metric the cell lacks has no data."""
    out = {}
    for slug in slugs:
        mv = cell.values.get(slug) if cell is not None else None
        out[slug] = value_view(locale, mv if mv is not None else no_data(slug))
    return out


def channel_label(locale: str, channel: str) -> str:
    try:
        return CHANNELS[Channel(channel)].text(locale)
    except ValueError:
        return channel


@dataclass(frozen=True)
class TouchpointInfo:
    id: str
    name: str
    expectation: str
    team: str
    channel: str
    critical: bool


@dataclass(frozen=True)
class TouchpointRow:
    id: str
    name: str
    values: dict[str, ValueView]
    cell: Cell

    def change(self, slug: str) -> ChangeView | None:
        return self.values[slug].change


def _filters(segment: str, touchpoint: str | None = None) -> tuple[query.Filter, ...]:
    out = []
    if segment:
        out.append(query.Filter("segment", (segment,)))
    if touchpoint:
        out.append(query.Filter("touchpoint", (touchpoint,)))
    return tuple(out)


def trends(
    source: Source, org: str, locale: str, period: Period, filters: tuple[query.Filter, ...]
) -> list[dict[str, Any]]:
    """Per headline metric, its monthly points (a chart of the shown ones, a table of all)."""
    spec = query.Spec(
        metrics=HEADLINE, period="month", start=period.trend_start, end=period.end, filters=filters
    )
    cells = sorted(query.trend(source, org, spec), key=lambda c: str(c.key["period"]))
    out = []
    for slug in HEADLINE:
        rows, points = [], []
        for order, cell in enumerate(cells):
            view = _values(cell, (slug,), locale)[slug]
            label = month_label(locale, str(cell.key["period"]))
            rows.append((label, view))
            mv = cell.values.get(slug)
            if view.ok and mv is not None:
                points.append(
                    {
                        "period": label,
                        "order": order,
                        "value": mv.value,
                        "low": mv.low,
                        "high": mv.high,
                        "text": view.text,
                    }
                )
        title = catalogue.label(slug, locale)
        unit = catalogue.metric(slug).unit.value
        out.append(
            {
                "slug": slug,
                "title": title,
                "rows": rows,
                "spec": charts.trend_spec(locale, title, unit, points) if points else None,
            }
        )
    return out


def by_touchpoint(
    source: Source,
    org: str,
    locale: str,
    period: Period,
    filters: tuple[query.Filter, ...],
    movement: str,
) -> dict[str, Any]:
    """The biggest gaps (touchpoints ranked by expectation gap, most short first) and the
    biggest movements of ``movement`` against the previous period, from one query."""
    slugs = tuple(dict.fromkeys(("expectation_gap", *GAP_SHARES, movement)))
    spec = query.Spec(
        metrics=slugs,
        by=("touchpoint",),
        start=period.start,
        end=period.end,
        filters=filters,
        compare=True,
    )
    names = query.dimension_labels(source, org, "touchpoint", locale)
    rows = [
        TouchpointRow(tp, names.get(tp, tp), _values(cell, slugs, locale), cell)
        for cell in query.cells(source, org, spec)
        # questions about the whole relationship belong to no touchpoint
        if (tp := cell.key.get("touchpoint")) is not None
    ]

    def gap_rank(row: TouchpointRow) -> tuple[int, float]:
        view = row.values["expectation_gap"]
        if view.ok and view.raw is not None:
            return (0, view.raw)
        return (1 if view.status == "too_few" else 2, 0.0)

    gaps = sorted((r for r in rows if r.values["expectation_gap"].n), key=gap_rank)[:TOP]
    shares = [
        {
            "name": r.name,
            "order": i,
            **{k.removesuffix("_share"): r.cell.values[k].value for k in GAP_SHARES},
            **{f"{k.removesuffix('_share')}_text": r.values[k].text for k in GAP_SHARES},
        }
        for i, r in enumerate(gaps)
        if all(r.values[k].ok for k in GAP_SHARES)
    ]
    moved = [(r, c) for r in rows if (c := r.change(movement)) is not None and c.raw is not None]
    # Significant changes first, then the largest: a big move on few answers may be noise.
    moved.sort(key=lambda rc: (not rc[1].significant, -abs(rc[1].raw or 0.0)))
    moved = moved[:TOP]
    movement_rows = [
        {
            "name": r.name,
            "order": i,
            "change": c.raw,
            "significant": c.significant,
            "text": c.text,
        }
        for i, (r, c) in enumerate(moved)
    ]
    return {
        "gaps": gaps,
        "gaps_spec": charts.gap_shares_spec(locale, shares) if shares else None,
        "movements": [r for r, _c in moved],
        "movements_spec": charts.movements_spec(locale, movement_rows) if movement_rows else None,
    }


def critical_touchpoints(
    source: Source, org: str, locale: str, period: Period
) -> list[dict[str, Any]]:
    """The touchpoints that matter most for NPS in the period (``analytics.drivers``);
    ``[]`` when the data cannot carry a driver analysis."""
    rows = drivers.critical_touchpoints(source, org, start=period.start, end=period.end, limit=5)
    return [
        {
            "id": r.touchpoint_id,
            "name": r.name(locale),
            "rank": r.rank,
            "share": percent(locale, r.share),
            "quadrant": gettext(locale, QUADRANTS.get(r.quadrant, r.quadrant)),
        }
        for r in rows
    ]


@router.get("", response_class=HTMLResponse, name="analytics_page")
def overview(
    request: Request,
    ctx: Viewer,
    period: Annotated[str, Query(max_length=10)] = "",
    segment: Annotated[str, Query(max_length=80)] = "",
    movement: Annotated[str, Query(max_length=40)] = "nps",
) -> Response:
    locale = locale_of(request)
    chosen = parse_period(period or None)
    if movement not in MOVEMENT_METRICS:
        raise InvalidInput("Choose one of the options.", field="movement")
    source = analytics_source(request)
    org = str(ctx.org_actor.organisation_id)
    filters = _filters(segment)
    headline = query.cells(
        source,
        org,
        query.Spec(
            metrics=HEADLINE, start=chosen.start, end=chosen.end, filters=filters, compare=True
        ),
    )
    return render(
        request,
        "analytics/overview.html",
        active="analytics",
        tab="overview",
        period=chosen,
        period_label=chosen.label(locale),
        filters={"period": chosen.key, "segment": segment, "movement": movement},
        period_options=period_options(locale),
        segment_options=dimension_options(source, org, "segment", locale),
        movement_options=[(m, catalogue.label(m, locale)) for m in MOVEMENT_METRICS],
        movement_label=catalogue.label(movement, locale),
        movement=movement,
        cards=list(_values(headline[0] if headline else None, HEADLINE, locale).values()),
        trends=trends(source, org, locale, chosen, filters),
        touchpoints=by_touchpoint(source, org, locale, chosen, filters, movement),
    )


@router.get("/critical", response_class=HTMLResponse)
def critical_box(
    request: Request, ctx: Viewer, period: Annotated[str, Query(max_length=10)] = ""
) -> Response:
    """The overview's "most critical touchpoints" box, fetched after the page: a driver
    analysis costs more than the rest of the overview together, so it never holds the
    page back."""
    locale = locale_of(request)
    chosen = parse_period(period or None)
    source = analytics_source(request)
    org = str(ctx.org_actor.organisation_id)
    return render(
        request,
        "analytics/_critical.html",
        period=chosen,
        critical=critical_touchpoints(source, org, locale, chosen),
        loaded=True,
    )


@router.get("/touchpoints/{touchpoint_id}", response_class=HTMLResponse)
def touchpoint_page(
    request: Request,
    ctx: Viewer,
    touchpoint_id: uuid.UUID,
    period: Annotated[str, Query(max_length=10)] = "",
    segment: Annotated[str, Query(max_length=80)] = "",
) -> Response:
    locale = locale_of(request)
    chosen = parse_period(period or None)
    with ctx.transaction(readonly=True) as session:
        tp = journeys.get_touchpoint(session, ctx.org_actor, touchpoint_id)  # 404: not ours
        team = journeys.get_team(session, ctx.org_actor, tp.owner_team_id)
        info = TouchpointInfo(
            str(tp.id),
            tp.name_fi if locale == "fi" else tp.name_en,
            tp.expectation,
            team.name,
            channel_label(locale, tp.channel),
            tp.critical,
        )
    source = analytics_source(request)
    org = str(ctx.org_actor.organisation_id)
    filters = _filters(segment, info.id)
    slugs = (*HEADLINE, "ces", *GAP_SHARES[1:], "responses")
    base = query.Spec(
        metrics=slugs, start=chosen.start, end=chosen.end, filters=filters, compare=True
    )
    headline = query.cells(source, org, base)
    slices = {}
    for dimension in ("segment", "response_channel"):
        spec = query.Spec(
            metrics=HEADLINE, by=(dimension,), start=chosen.start, end=chosen.end, filters=filters
        )
        labels = query.dimension_labels(source, org, dimension, locale)
        slices[dimension] = _slice_block(
            locale, query.cells(source, org, spec), dimension, labels, f"tp-{dimension}"
        )
    values = _values(headline[0] if headline else None, slugs, locale)
    shares = [v for k, v in values.items() if k in GAP_SHARES]
    share_rows = (
        [
            {
                "name": info.name,
                "order": 0,
                **{v.slug.removesuffix("_share"): v.raw for v in shares},
                **{f"{v.slug.removesuffix('_share')}_text": v.text for v in shares},
            }
        ]
        if all(v.ok for v in shares)
        else []
    )
    return render(
        request,
        "analytics/touchpoint.html",
        active="analytics",
        tab="overview",
        tp=info,
        period=chosen,
        period_label=chosen.label(locale),
        filters={"period": chosen.key, "segment": segment},
        period_options=period_options(locale),
        segment_options=dimension_options(source, org, "segment", locale),
        cards=[values[s] for s in (*HEADLINE, "ces", "responses")],
        shares=shares,
        shares_spec=charts.gap_shares_spec(locale, share_rows) if share_rows else None,
        trends=trends(source, org, locale, chosen, filters),
        slices=slices,
    )


def _slice_block(
    locale: str, cells: list[Any], dimension: str, labels: dict[str, str], chart_id: str
) -> dict[str, Any]:
    """A table of the headline metrics by one dimension and a chart of NPS by it."""
    rows = []
    for cell in cells:
        key = cell.key.get(dimension)
        rows.append(
            {
                "name": labels.get(key, key) if key else gettext(locale, NOT_SET),
                "values": _values(cell, HEADLINE, locale),
                "cell": cell,
            }
        )
    rows.sort(key=lambda r: r["name"].lower())
    bars = [
        {
            "slice": r["name"],
            "order": i,
            "value": r["values"]["nps"].raw,
            "low": r["cell"].values["nps"].low,
            "high": r["cell"].values["nps"].high,
            "text": r["values"]["nps"].text,
        }
        for i, r in enumerate(rows)
        if r["values"]["nps"].ok
    ]
    title = catalogue.label("nps", locale)
    return {
        "rows": rows,
        "chart_id": chart_id,
        "spec": charts.slice_bars_spec(locale, title, "score", bars) if bars else None,
    }
