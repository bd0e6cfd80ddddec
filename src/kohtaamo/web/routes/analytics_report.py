"""Pages: the monthly analytics report as PDF (``/analytics/report``).

The report is an HTML page with print CSS (``analytics/report_pdf.html``) rendered by
WeasyPrint. Its charts are Vega-Lite specs rendered to SVG in-process by vl-convert and
embedded as ``data:`` URIs; WeasyPrint's fetcher refuses every other address, so making
a report never touches the network (nor the server's files).
"""

from __future__ import annotations

import base64
import calendar
from datetime import date, datetime
from typing import Annotated, Any

from babel.dates import format_date
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from kohtaamo.analytics import catalogue
from kohtaamo.analytics.catalogue import Unit
from kohtaamo.analytics.report import (
    CriticalTouchpoint,
    Headline,
    MonthlyReport,
    Value,
    add_months,
    monthly_report,
    parse_month,
)
from kohtaamo.analytics.source import Source
from kohtaamo.errors import InvalidInput
from kohtaamo.i18n import gettext
from kohtaamo.kit.clock import utcnow
from kohtaamo.metrics._checks import Sufficiency
from kohtaamo.web.analytics_view import analytics_source, number_text, status_text
from kohtaamo.web.deps import WebContext, page_permission
from kohtaamo.web.render import render, templates

router = APIRouter(prefix="/analytics/report")

Viewer = Annotated[WebContext, Depends(page_permission("analytics.view"))]
REPORT_LANGUAGES = ("fi", "en")
BLUE, GREY, RED = "#1f5f8b", "#8a8f98", "#b3261e"


@router.get("", response_class=HTMLResponse)
def report_form(request: Request, ctx: Viewer) -> Response:
    """The form: which month, in which language."""
    locale = str(request.state.locale)
    latest = add_months(_month_of(utcnow()), -1)  # the last whole month
    months = [add_months(latest, -i) for i in range(24)]
    return render(
        request,
        "analytics/report.html",
        active="analytics",
        months=[(m.strftime("%Y-%m"), format_date(m, "LLLL yyyy", locale=locale)) for m in months],
        report_languages=[("fi", "Suomi"), ("en", "English")],
        chosen_language=locale if locale in REPORT_LANGUAGES else "en",
    )


@router.get(".pdf")
def report_pdf(request: Request, ctx: Viewer, month: str = "", lang: str = "") -> Response:
    """The report of ``month`` (YYYY-MM) in ``lang`` (fi or en; default the reader's)."""
    locale = lang or str(request.state.locale)
    if locale not in REPORT_LANGUAGES:
        raise InvalidInput("Choose Finnish or English.", field="lang")
    chosen = parse_month(month) if month else add_months(_month_of(utcnow()), -1)
    source = analytics_source(request)
    org_id = str(ctx.org_actor.organisation_id)
    report = monthly_report(
        source, org_id, chosen, locale, critical=_critical(source, org_id, chosen, locale)
    )
    org_name = ctx.current_org.name if ctx.current_org else ""
    pdf = render_pdf(report, org_name)
    filename = f"kohtaamo-report-{chosen:%Y-%m}-{locale}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _month_of(when: datetime) -> date:
    return date(when.year, when.month, 1)


def _critical(source: Source, org_id: str, month: date, locale: str) -> list[CriticalTouchpoint]:
    """The key-driver analysis's most critical touchpoints for NPS over the twelve
    months up to the report's month (one month rarely has enough complete answers)."""
    from kohtaamo.analytics.drivers import critical_touchpoints

    start = add_months(month, -11)
    end = add_months(month, 1)
    rows = critical_touchpoints(
        source,
        org_id,
        start=datetime(start.year, start.month, 1),
        end=datetime(end.year, end.month, 1),
        limit=5,
    )
    return [CriticalTouchpoint(r.name(locale), r.share, r.performance) for r in rows]


# --- rendering -------------------------------------------------------------------------


class OfflineFetcher:
    """A WeasyPrint URL fetcher that serves ``data:`` URIs and refuses anything else
    (and remembers what it refused, for the tests)."""

    def __init__(self) -> None:
        from weasyprint.urls import URLFetcher

        self._inner = URLFetcher(allowed_protocols={"data"})
        self.refused: list[str] = []

    def __call__(self, url: str, *args: Any, **kwargs: Any) -> Any:
        return self.fetch(url, *args, **kwargs)

    def fetch(self, url: str, headers: Any = None) -> Any:
        if not url.startswith("data:"):
            self.refused.append(url)
            raise ValueError(f"the report fetches nothing: {url[:80]}")
        return self._inner.fetch(url, headers)


def render_pdf(
    report: MonthlyReport, org_name: str, fetcher: OfflineFetcher | None = None
) -> bytes:
    """The report as PDF bytes."""
    from weasyprint import HTML

    html = report_html(report, org_name)
    return bytes(HTML(string=html, url_fetcher=fetcher or OfflineFetcher()).write_pdf())


def report_html(report: MonthlyReport, org_name: str) -> str:
    locale = report.locale
    template = templates.env.get_template("analytics/report_pdf.html")
    month_name = format_date(report.month, "LLLL yyyy", locale=locale)
    last_day = calendar.monthrange(report.month.year, report.month.month)[1]
    return template.render(
        locale=locale,
        _=lambda msgid, **kw: gettext(locale, msgid, **kw),
        org_name=org_name,
        month_name=month_name,
        month_code=f"{report.month:%Y-%m}",
        period=f"{report.month:%Y-%m}-01 – {report.month:%Y-%m}-{last_day:02d}",
        generated=format_date(
            utcnow().date(), "d.M.yyyy" if locale == "fi" else "d MMM yyyy", locale=locale
        ),
        cards=[_card(h, locale) for h in report.headlines],
        responses=number_text(locale, "responses", report.responses),
        previous_responses=number_text(locale, "responses", report.previous_responses),
        gaps=[
            {
                "name": g.name,
                "gap": _text(locale, "expectation_gap", g.gap),
                "exceeded": _text(locale, "exceeded_share", g.exceeded),
                "n": number_text(locale, "responses", g.gap.n),
            }
            for g in report.gaps
        ],
        critical=[
            {
                "name": c.name,
                "importance": number_text(locale, "exceeded_share", c.importance * 100),
                "performance": "–" if c.performance is None else f"{c.performance:.2f}",
            }
            for c in report.critical
        ],
        charts=_charts(report),
        confidence="95",
    )


def _text(locale: str, slug: str, value: Value) -> str:
    if value.value is None:
        return status_text(locale, value.status)
    return number_text(locale, slug, value.value, signed=slug == "expectation_gap")


def _card(h: Headline, locale: str) -> dict[str, Any]:
    interval = ""
    if h.current.low is not None and h.current.high is not None:
        low = number_text(locale, h.slug, h.current.low)
        high = number_text(locale, h.slug, h.current.high)
        interval = gettext(locale, "95%% interval %(low)s to %(high)s", low=low, high=high)
    change = ""
    if h.change is not None:
        if catalogue.metric(h.slug).unit is Unit.PERCENT:
            signed = number_text(locale, "nps", h.change, signed=True)  # one decimal, signed
            signed = gettext(locale, "%(change)s percentage points", change=signed)
        else:
            signed = number_text(locale, h.slug, h.change, signed=True)
        change = gettext(locale, "%(change)s from the previous month", change=signed)
    elif h.previous.status is not Sufficiency.OK:
        change = gettext(
            locale, "Previous month: %(status)s", status=status_text(locale, h.previous.status)
        )
    return {
        "label": catalogue.label(h.slug, locale),
        "value": _text(locale, h.slug, h.current),
        "ok": h.current.status is Sufficiency.OK,
        "interval": interval,
        "change": change,
        "n": number_text(locale, "responses", h.current.n),
    }


def _charts(report: MonthlyReport) -> dict[str, str]:
    """Chart name → ``data:image/svg+xml`` URI."""
    locale = report.locale
    by_slug = {h.slug: h for h in report.headlines}
    charts = {"nps": _svg(_nps_trend(by_slug["nps"], locale), locale)}
    shares = [by_slug["csat"], by_slug["exceeded_share"]]
    charts["shares"] = _svg(_share_trend(shares, locale), locale)
    if report.gaps:
        charts["gaps"] = _svg(_gap_bars(report, locale), locale)
    return charts


def _svg(spec: dict[str, Any], locale: str) -> str:
    import vl_convert

    finnish = locale == "fi"
    svg = vl_convert.vegalite_to_svg(
        spec,
        allowed_base_urls=[],  # inline data only: nothing is fetched
        format_locale="fi-FI" if finnish else "en-GB",
        time_format_locale="fi-FI" if finnish else "en-GB",
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


_CONFIG = {
    "font": "DejaVu Sans",
    "view": {"stroke": None},
    "axis": {"labelFontSize": 10, "titleFontSize": 10, "grid": True, "gridColor": "#e5e7eb"},
    "legend": {"labelFontSize": 10, "titleFontSize": 10, "orient": "bottom"},
}


def _month_axis(h: Headline) -> dict[str, Any]:
    """Every month of the trend window on the axis, with or without answers."""
    first, last = h.trend[0][0], h.trend[-1][0]
    return {
        "field": "month",
        "type": "temporal",
        "timeUnit": "yearmonth",
        "title": None,
        "scale": {"domain": [first.isoformat(), last.isoformat()]},
        "axis": {"format": "%m/%y", "labelAngle": 0, "tickCount": {"interval": "month", "step": 1}},
    }


def _nps_trend(h: Headline, locale: str) -> dict[str, Any]:
    rows = [
        {"month": m.isoformat(), "value": v.value, "low": v.low, "high": v.high}
        for m, v in h.trend
        if v.value is not None
    ]
    x = _month_axis(h)
    y_title = catalogue.label("nps", locale)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 460,
        "height": 150,
        "config": _CONFIG,
        "data": {"values": rows},
        "layer": [
            {
                "mark": {"type": "area", "color": BLUE, "opacity": 0.15},
                "encoding": {
                    "x": x,
                    "y": {"field": "low", "type": "quantitative", "title": y_title},
                    "y2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "line", "color": BLUE, "point": True},
                "encoding": {"x": x, "y": {"field": "value", "type": "quantitative"}},
            },
        ],
    }


def _share_trend(headlines: list[Headline], locale: str) -> dict[str, Any]:
    rows = [
        {"month": m.isoformat(), "value": v.value, "metric": catalogue.label(h.slug, locale)}
        for h in headlines
        for m, v in h.trend
        if v.value is not None
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 460,
        "height": 150,
        "config": _CONFIG,
        "data": {"values": rows},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": _month_axis(headlines[0]),
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": "%",
                "scale": {"domain": [0, 100]},
            },
            "color": {
                "field": "metric",
                "type": "nominal",
                "title": None,
                "scale": {"range": [BLUE, GREY]},
            },
        },
    }


def _gap_bars(report: MonthlyReport, locale: str) -> dict[str, Any]:
    rows = [{"name": g.name, "gap": g.gap.value} for g in report.gaps]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 380,
        "height": 22 * len(rows),
        "config": _CONFIG,
        "data": {"values": rows},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "name", "type": "nominal", "sort": None, "title": None},
            "x": {
                "field": "gap",
                "type": "quantitative",
                "title": catalogue.label("expectation_gap", locale),
                "axis": {"tickCount": 5},
            },
            "color": {"condition": {"test": "datum.gap < 0", "value": RED}, "value": BLUE},
        },
    }
