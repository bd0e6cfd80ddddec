"""Pages: the analytics explorer — one metric by one or two slices, optionally by period,
filtered and compared with the previous period — and the same table as CSV and XLSX.

The whole state is in the query string, so a link shows the same table to a colleague;
the export links carry the same query, and page and exports are built by one function
(:func:`explore`), so a file holds exactly the rows and columns the page showed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict

from kohtaamo.analytics import catalogue, query
from kohtaamo.analytics.source import Source
from kohtaamo.errors import InvalidInput
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.kit.clock import utcnow
from kohtaamo.web import charts_analytics as charts
from kohtaamo.web.analytics_view import (
    NOT_SET,
    Table,
    TableCell,
    analytics_source,
    csv_response,
    dimension_options,
    parse_period,
    period_label,
    period_options,
    value_view,
    xlsx_response,
)
from kohtaamo.web.deps import WebContext, page_permission
from kohtaamo.web.render import render

router = APIRouter()

Viewer = Annotated[WebContext, Depends(page_permission("analytics.view"))]

# The slices offered in the picker, in the order shown (customer attributes beyond
# region and plan are reachable with by=attribute:<name> in the address).
DIMENSIONS: dict[str, str] = {
    "touchpoint": N_("Touchpoint"),
    "journey": N_("Journey"),
    "stage": N_("Stage"),
    "channel": N_("Touchpoint channel"),
    "factor_group": N_("Factor group"),
    "team": N_("Owner team"),
    "segment": N_("Segment"),
    "region": N_("Region"),
    "plan": N_("Plan"),
    "survey": N_("Survey"),
    "language": N_("Language"),
    "response_channel": N_("Response channel"),
    "theme": N_("Comment theme"),
    "comment_sentiment": N_("Comment sentiment"),
}
GRAINS: dict[str, str] = {
    "day": N_("Day"),
    "week": N_("Week"),
    "month": N_("Month"),
    "quarter": N_("Quarter"),
}
FILTERS = ("segment", "touchpoint", "response_channel", "language")
ATTRIBUTE = "attribute:"
MAX_ROWS = 1000


class ExploreQuery(BaseModel):
    """The explorer's state, exactly as the query string holds it."""

    model_config = ConfigDict(frozen=True)

    metric: str = "nps"
    by: str = "touchpoint"
    by2: str = ""
    grain: str = ""
    period: str = ""
    compare: bool = False
    segment: str = ""
    touchpoint: str = ""
    response_channel: str = ""
    language: str = ""

    def filters(self) -> tuple[Any, ...]:
        return tuple(
            query.Filter(name, (getattr(self, name),)) for name in FILTERS if getattr(self, name)
        )


def _check_dimension(value: str, field_name: str) -> None:
    if (
        value
        and value not in DIMENSIONS
        and not (value.startswith(ATTRIBUTE) and len(value) > len(ATTRIBUTE))
    ):
        raise InvalidInput("Choose one of the options.", field=field_name)


def check_query(q: ExploreQuery) -> None:
    """Refuse a state the picker cannot produce, naming the field (a 422, never a 500)."""
    catalogue.metric(q.metric)  # an unknown metric is a 422 naming it
    _check_dimension(q.by, "by")
    _check_dimension(q.by2, "by2")
    if q.by2 and q.by2 == q.by:
        raise InvalidInput("Choose two different slices.", field="by2")
    if q.by2 and not q.by:
        raise InvalidInput("Choose the first slice before the second.", field="by2")
    if q.grain and q.grain not in GRAINS:
        raise InvalidInput("Choose one of the options.", field="grain")


def dimension_label(locale: str, name: str) -> str:
    if name.startswith(ATTRIBUTE):
        return name[len(ATTRIBUTE) :]
    return gettext(locale, DIMENSIONS[name])


@dataclass
class Explored:
    """The table (page and exports) and the chart of one explorer state."""

    table: Table
    spec: dict[str, Any] | None
    truncated: bool
    labels: dict[str, dict[str, str]] = field(default_factory=dict)


def explore(source: Source, org: str, locale: str, q: ExploreQuery) -> Explored:
    check_query(q)
    chosen = parse_period(q.period or None)
    dims = tuple(d for d in (q.by, q.by2) if d)
    spec = query.Spec(
        metrics=(q.metric,),
        by=dims,
        period=q.grain or None,
        start=chosen.start,
        end=chosen.end,
        filters=q.filters(),
        compare=q.compare,
    )
    cells = query.cells(source, org, spec)
    labels = {d: query.dimension_labels(source, org, d, locale) for d in dims}

    def name(dim: str, cell: Any) -> str:
        value = cell.key.get(dim)
        if value is None:
            return gettext(locale, NOT_SET)
        return labels[dim].get(value, value)

    rows = [
        ([name(d, c) for d in dims], c.key.get("period") or "", c.values[q.metric], c)
        for c in cells
        if q.metric in c.values
    ]
    rows.sort(key=lambda r: ([s.lower() for s in r[0]], r[1]))
    truncated = len(rows) > MAX_ROWS
    rows = rows[:MAX_ROWS]
    metric_label = catalogue.label(q.metric, locale)
    _ = gettext
    header = [dimension_label(locale, d) for d in dims]
    if q.grain:
        header.append(_(locale, "Period"))
    header += [
        metric_label,
        _(locale, "Low (95% CI)"),
        _(locale, "High (95% CI)"),
        _(locale, "Answers"),
    ]
    if q.compare:
        header += [
            _(locale, "Previous period"),
            _(locale, "Change"),
            _(locale, "p-value"),
            _(locale, "Significant"),
        ]
    table = Table(header)
    points: list[dict[str, Any]] = []
    for order, (names, period_key, mv, _cell) in enumerate(rows):
        view = value_view(locale, mv)
        cells_out = [TableCell(n, n) for n in names]
        if q.grain:
            label = period_label(locale, q.grain, period_key)
            cells_out.append(TableCell(label, period_key[:10]))
        low = view.raw is not None and mv.low is not None
        cells_out += [
            TableCell(view.text, view.raw if view.ok else view.text, view.status),
            _number_cell(locale, q.metric, mv.low if low else None),
            _number_cell(locale, q.metric, mv.high if low else None),
            TableCell(view.n_text, view.n),
        ]
        if q.compare:
            cells_out += _change_cells(locale, view)
        table.rows.append(cells_out)
        if view.ok:
            series = " · ".join(names[1:]) if len(names) > 1 else ""
            points.append(
                {
                    "slice": names[0] if names else metric_label,
                    "series": series,
                    "order": order,
                    "period": period_label(locale, q.grain, period_key) if q.grain else "",
                    "value": mv.value,
                    "low": mv.low,
                    "high": mv.high,
                    "text": view.text,
                    "period_key": period_key,
                    "previous": mv.change.previous if mv.change is not None else None,
                }
            )
    return Explored(table, _chart(locale, q, dims, points), truncated, labels)


def _number_cell(locale: str, slug: str, value: float | None) -> TableCell:
    from kohtaamo.web.analytics_view import number_text, rounded

    if value is None:
        return TableCell("", None)
    return TableCell(number_text(locale, slug, value), rounded(slug, value))


def _change_cells(locale: str, view: Any) -> list[TableCell]:
    change = view.change
    if change is None:
        return [TableCell("", None)] * 4
    yes, no = gettext(locale, "yes"), gettext(locale, "no")
    p = change.p_text
    return [
        TableCell(change.previous, change.previous_raw),
        TableCell(change.text, change.raw),
        TableCell(p, p),
        TableCell(
            yes if change.significant else no,
            yes if change.significant else no,
            marker="significant" if change.significant else "",
        ),
    ]


def _chart(
    locale: str, q: ExploreQuery, dims: tuple[str, ...], points: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """Lines by period when a grain is chosen, else bars by slice (grouped by the second
    slice, or this period beside the previous one when comparing)."""
    if not points:
        return None
    title = catalogue.label(q.metric, locale)
    unit = catalogue.metric(q.metric).unit.value
    previous = [p.pop("previous") for p in points]
    keys = sorted({str(p["period_key"]) for p in points})
    for p in points:
        p["period_order"] = keys.index(str(p.pop("period_key")))
    if q.grain:
        series_title = " · ".join(dimension_label(locale, d) for d in dims) or title
        lines = [
            {
                **p,
                "order": p["period_order"],
                "series": " · ".join(filter(None, (p["slice"], p["series"]))) if dims else title,
            }
            for p in points
        ]
        return charts.series_trend_spec(locale, title, unit, lines, series_title=series_title)
    if q.compare and not q.by2:
        now, before = gettext(locale, "This period"), gettext(locale, "Previous period")
        bars = []
        for p, prev in zip(points, previous, strict=True):
            bars.append({**p, "series": now})
            if prev is not None and str(prev.status) == "ok" and prev.value is not None:
                bars.append(
                    {
                        **p,
                        "series": before,
                        "value": prev.value,
                        "low": prev.low,
                        "high": prev.high,
                        "text": value_view(locale, prev).text,
                    }
                )
        return charts.slice_bars_spec(
            locale, title, unit, bars, series_title=gettext(locale, "Period")
        )
    series_title = dimension_label(locale, q.by2) if q.by2 else ""
    return charts.slice_bars_spec(locale, title, unit, points, series_title=series_title)


def _state(
    metric: str,
    by: str,
    by2: str,
    grain: str,
    period: str,
    compare: str,
    segment: str,
    touchpoint: str,
    response_channel: str,
    language: str,
) -> ExploreQuery:
    return ExploreQuery(
        metric=metric,
        by=by,
        by2=by2,
        grain=grain,
        period=period,
        compare=compare == "1",
        segment=segment,
        touchpoint=touchpoint,
        response_channel=response_channel,
        language=language,
    )


Param = Annotated[str, Query(max_length=80)]


def _query(
    metric: Param = "nps",
    by: Param = "touchpoint",
    by2: Param = "",
    grain: Param = "",
    period: Param = "",
    compare: Param = "",
    segment: Param = "",
    touchpoint: Param = "",
    response_channel: Param = "",
    language: Param = "",
) -> ExploreQuery:
    return _state(
        metric, by, by2, grain, period, compare, segment, touchpoint, response_channel, language
    )


State = Annotated[ExploreQuery, Depends(_query)]


@router.get("/analytics/explore", response_class=HTMLResponse)
def explorer(request: Request, ctx: Viewer, q: State) -> Response:
    locale = locale_of(request)
    source = analytics_source(request)
    org = str(ctx.org_actor.organisation_id)
    result = explore(source, org, locale, q)
    chosen = parse_period(q.period or None)
    options = {name: dimension_options(source, org, name, locale) for name in FILTERS}
    here = str(request.url.query)
    return render(
        request,
        "analytics/explore.html",
        active="analytics",
        tab="explore",
        q=q,
        result=result,
        period_label=chosen.label(locale),
        metric_label=catalogue.label(q.metric, locale),
        metric_options=[(m.slug, catalogue.label(m.slug, locale)) for m in catalogue.listing()],
        dimension_options=[(k, gettext(locale, v)) for k, v in DIMENSIONS.items()],
        grain_options=[(k, gettext(locale, v)) for k, v in GRAINS.items()],
        period_options=period_options(locale),
        filter_options=options,
        export_query=here,
    )


def _filename(q: ExploreQuery, ext: str) -> str:
    parts = [q.metric.replace(":", "-"), *(d.replace(":", "-") for d in (q.by, q.by2) if d)]
    return f"kohtaamo-{'-'.join(parts)}-{utcnow():%Y%m%d}.{ext}"


@router.get("/analytics/explore.csv")
def export_csv(request: Request, ctx: Viewer, q: State) -> Response:
    result = explore(
        analytics_source(request), str(ctx.org_actor.organisation_id), locale_of(request), q
    )
    return csv_response(result.table, _filename(q, "csv"))


@router.get("/analytics/explore.xlsx")
def export_xlsx(request: Request, ctx: Viewer, q: State) -> Response:
    locale = locale_of(request)
    result = explore(analytics_source(request), str(ctx.org_actor.organisation_id), locale, q)
    return xlsx_response(result.table, _filename(q, "xlsx"), catalogue.label(q.metric, locale))
