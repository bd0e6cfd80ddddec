"""The key-driver page: which touchpoints decide an outcome (NPS, repurchase intent,
overall satisfaction or a CRM attribute), by LMG and relative weights with bootstrap
intervals, and the importance–performance matrix.

Every choice is a GET parameter, so a view is a link. Data the analysis cannot carry
(too few answers, a constant or collinear driver…) is said on the page in the reader's
language; a choice that is not on offer is a 422.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from kohtaamo.analytics import query
from kohtaamo.analytics.drivers import (
    ATTRIBUTE_PREFIX,
    MIN_DRIVER_ANSWERS,
    SURVEY_OUTCOMES,
    DriverQuery,
    DriverReport,
    analyse,
)
from kohtaamo.errors import InvalidInput, KohtaamoError
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.metrics._checks import MetricInputError
from kohtaamo.web.analytics_view import analytics_source, parse_period, period_options
from kohtaamo.web.charts import percent
from kohtaamo.web.charts_drivers import QUADRANT_LABELS, ipa_spec
from kohtaamo.web.deps import WebContext, page_permission
from kohtaamo.web.render import error_text, render

router = APIRouter(prefix="/analytics")

Viewer = Annotated[WebContext, Depends(page_permission("analytics.view"))]

DEFAULT_PERIOD = "365d"
OUTCOMES = {
    "nps": N_("Likelihood to recommend (NPS)"),
    "repurchase_intent": N_("Repurchase intent"),
    "overall_satisfaction": N_("Overall satisfaction"),
}
KINDS = {"experience": N_("Touchpoint experience"), "gap": N_("Expectation gap")}
UNITS = {"response": N_("Each response"), "customer": N_("Each customer")}
METHODS = {"lmg": N_("LMG (Shapley value of R²)"), "relative_weights": N_("Relative weights")}
PERFORMANCE = {
    "experience": N_("Performance: mean experience (% of scale)"),
    "gap": N_("Performance: exceeded share (%)"),
}
MISSING_RULE = N_(
    "Missing answers: a touchpoint answered in fewer than half of the rows (or fewer than "
    "%(min)s) is left out; then rows missing the outcome or any remaining driver are left "
    "out (listwise deletion)."
)
BOOTSTRAP = N_("Intervals: %(confidence)s bootstrap percentile intervals from %(n)s resamples.")


@dataclass(frozen=True)
class Choices:
    outcome: str
    kind: str
    unit: str
    method: str
    period: str
    segment: str

    def query(self, locale: str) -> DriverQuery:
        for name, value, allowed in (
            ("kind", self.kind, KINDS),
            ("unit", self.unit, UNITS),
            ("method", self.method, METHODS),
        ):
            if value not in allowed:
                raise InvalidInput("Choose one of the options.", field=name)
        if self.outcome not in SURVEY_OUTCOMES and not (
            self.outcome.startswith(ATTRIBUTE_PREFIX) and len(self.outcome) > len(ATTRIBUTE_PREFIX)
        ):
            raise InvalidInput("Choose one of the options.", field="outcome")
        span = parse_period(self.period or DEFAULT_PERIOD)
        return DriverQuery(
            outcome=self.outcome,
            kind=self.kind,  # type: ignore[arg-type]
            unit=self.unit,  # type: ignore[arg-type]
            method=self.method,  # type: ignore[arg-type]
            start=span.start,
            end=span.end,
            segment=self.segment or None,
        )


def _number(locale: str, value: float, digits: int = 1) -> str:
    return str(format_decimal(round(value, digits), format="#,##0." + "0" * digits, locale=locale))


def report_view(locale: str, report: DriverReport) -> dict[str, Any]:
    """The table rows, the chart and the notes of a report, in ``locale``."""
    rows = [
        {
            "rank": d.rank,
            "id": d.touchpoint_id,
            "name": d.name(locale),
            "lmg": percent(locale, d.lmg),
            "rw": percent(locale, d.relative_weight),
            "share": percent(locale, d.share),
            "interval": (
                f"{percent(locale, d.interval[0])} – {percent(locale, d.interval[1])}"
                if d.interval
                else "–"
            ),
            "n": d.answered,
            "performance": _number(locale, d.performance),
            "quadrant": d.quadrant,
            "quadrant_label": gettext(locale, QUADRANT_LABELS[d.quadrant]),
        }
        for d in report.drivers
    ]
    kind = report.query.kind
    points = [
        {
            "name": d.name(locale),
            "importance": round(d.share * 100, 2),
            "performance": round(d.performance, 2),
            "quadrant": d.quadrant,
            "text": (
                f"{d.name(locale)}: {percent(locale, d.share)} · {_number(locale, d.performance)}"
            ),
        }
        for d in report.drivers
    ]
    importance_cut = sum(d.share * 100 for d in report.drivers) / len(points)
    performance_cut = sum(d.performance for d in report.drivers) / len(points)
    notes = [gettext(locale, n.msgid, **n.params) for n in report.notes]
    if report.query.bootstrap:
        notes.append(
            gettext(
                locale,
                BOOTSTRAP,
                confidence=percent(locale, report.query.confidence),
                n=report.query.bootstrap,
            )
        )
    return {
        "rows": rows,
        "r2": percent(locale, report.r2),
        "n": report.n,
        "dropped": report.dropped,
        "exact": report.exact,
        "notes": notes,
        "spec": ipa_spec(
            locale,
            points,
            importance_cut=importance_cut,
            performance_cut=performance_cut,
            performance_title=gettext(locale, PERFORMANCE[kind]),
        ),
    }


@router.get("/drivers", response_class=HTMLResponse, name="drivers_page")
def drivers_page(
    request: Request,
    ctx: Viewer,
    outcome: Annotated[str, Query(max_length=80)] = "nps",
    kind: Annotated[str, Query(max_length=20)] = "experience",
    unit: Annotated[str, Query(max_length=20)] = "response",
    method: Annotated[str, Query(max_length=20)] = "lmg",
    period: Annotated[str, Query(max_length=10)] = "",
    segment: Annotated[str, Query(max_length=80)] = "",
) -> Response:
    locale = locale_of(request)
    choices = Choices(outcome, kind, unit, method, period or DEFAULT_PERIOD, segment)
    source = analytics_source(request)
    org = str(ctx.org_actor.organisation_id)
    view: dict[str, Any] | None = None
    problem = None
    status = 200
    try:
        report = analyse(source, org, choices.query(locale))
        view = report_view(locale, report)
    except MetricInputError as exc:  # valid choices, data that cannot carry the analysis
        problem = error_text(locale, exc)
    except KohtaamoError as exc:  # a choice that is not on offer
        problem, status = error_text(locale, exc), exc.status
    segments = sorted(
        query.dimension_labels(source, org, "segment", locale).items(), key=lambda kv: kv[1]
    )
    outcomes = [(k, gettext(locale, v)) for k, v in OUTCOMES.items()]
    if outcome.startswith(ATTRIBUTE_PREFIX):
        outcomes.append((outcome, outcome.removeprefix(ATTRIBUTE_PREFIX)))
    return render(
        request,
        "analytics/drivers.html",
        status_code=status,
        active="analytics",
        tab="drivers",
        filters=choices,
        view=view,
        problem=problem,
        method_label=gettext(locale, METHODS.get(method, METHODS["lmg"])),
        missing_rule=gettext(locale, MISSING_RULE, min=MIN_DRIVER_ANSWERS),
        outcome_options=outcomes,
        kind_options=[(k, gettext(locale, v)) for k, v in KINDS.items()],
        unit_options=[(k, gettext(locale, v)) for k, v in UNITS.items()],
        method_options=[(k, gettext(locale, v)) for k, v in METHODS.items()],
        period_options=period_options(locale),
        segment_options=segments,
    )
