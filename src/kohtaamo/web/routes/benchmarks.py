"""The benchmark page: units (touchpoints, channels, teams, journeys…) side by side for a
metric, each tested against the rest, with our targets and external benchmark values
drawn as lines; and the list of targets and external values with add, edit and delete
(analysts and above).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.analytics import benchmarks as service
from kohtaamo.analytics import catalogue, query
from kohtaamo.analytics.models import BenchmarkValue
from kohtaamo.errors import InvalidInput, KohtaamoError, NotFound
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.web.analytics_view import (
    analytics_source,
    number_text,
    parse_period,
    period_options,
)
from kohtaamo.web.charts_drivers import benchmark_spec
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.routes.journeys import validated
from kohtaamo.web.routes.settings import flash_of

router = APIRouter(prefix="/analytics/benchmarks")

Viewer = Annotated[WebContext, Depends(page_permission("analytics.view"))]
Editor = Annotated[WebContext, Depends(page_permission("analytics.edit"))]

METRICS = ("nps", "csat", "ces", "expectation_gap", "exceeded_share", "repurchase_intent", "trust")
DIMENSIONS = {
    "touchpoint": N_("Touchpoint"),
    "channel": N_("Channel"),
    "team": N_("Team"),
    "journey": N_("Journey"),
    "stage": N_("Stage"),
    "factor_group": N_("Factor group"),
    "segment": N_("Segment"),
}
KINDS = {"target": N_("Target"), "external": N_("External benchmark")}
DONE = {
    "created": N_("The benchmark was saved."),
    "saved": N_("The benchmark was saved."),
    "deleted": N_("The benchmark was deleted."),
}
FIELDS = ("kind", "metric", "value", "scope_dimension", "scope_value", "label", "source")


def _choice(value: str, allowed: Any, field: str) -> str:
    if value not in allowed:
        raise InvalidInput("Choose one of the options.", field=field)
    return value


def _p_text(p: float | None) -> str:
    if p is None:
        return "–"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _benchmark_text(locale: str, b: BenchmarkValue, names: dict[str, str]) -> str:
    scope = names.get(b.scope_value or "", b.scope_value or "")
    kind = gettext(locale, KINDS.get(b.kind, b.kind))
    text = f"{kind}: {number_text(locale, b.metric, b.value)}"
    if b.label:
        text += f" · {b.label}"
    return f"{text} ({scope})" if scope else text


def _comparison(
    request: Request, ctx: WebContext, metric: str, dimension: str, period: str
) -> dict[str, Any]:
    locale = locale_of(request)
    span = parse_period(period)
    source = analytics_source(request)
    org = str(ctx.org_actor.organisation_id)
    with ctx.transaction(readonly=True) as session:
        stored = service.list_benchmarks(session, ctx.org_actor)
        session.expunge_all()
    found = service.compare_units(
        source, org, metric, dimension, stored, start=span.start, end=span.end
    )
    names = query.dimension_labels(source, org, dimension, locale)
    rows, bars, rules = [], [], []
    for u in found.units:
        v = u.value
        number = v.value
        name = names.get(u.key, u.key)
        rows.append(
            {
                "name": name,
                "value": number_text(locale, metric, number) if number is not None else None,
                "status": str(v.status),
                "n": v.n,
                "difference": (
                    number_text(locale, metric, u.difference, signed=True)
                    if u.difference is not None
                    else "–"
                ),
                "p": _p_text(u.adjusted_p_value),
                "significant": u.significant,
                "benchmarks": [_benchmark_text(locale, b, {}) for b in u.benchmarks],
            }
        )
        if number is not None:
            bars.append(
                {
                    "unit": name,
                    "value": number,
                    "low": v.low,
                    "high": v.high,
                    "text": f"{name}: {rows[-1]['value']} (n = {v.n})",
                }
            )
        rules += [
            {"value": b.value, "kind": b.kind, "label": _benchmark_text(locale, b, names)}
            for b in u.benchmarks
        ]
    rules += [
        {"value": b.value, "kind": b.kind, "label": _benchmark_text(locale, b, names)}
        for b in found.overall
    ]
    title = catalogue.label(metric, locale)
    return {
        "rows": rows,
        "spec": benchmark_spec(locale, title, bars, rules) if bars else None,
        "overall": [_benchmark_text(locale, b, names) for b in found.overall],
        "stored": [
            {"id": b.id, "text": _benchmark_text(locale, b, names), "source": b.source}
            for b in stored
        ],
        "unit_options": sorted(names.items(), key=lambda kv: kv[1].lower()),
        "metric_label": title,
        "period_label": span.label(locale),
    }


def _page(
    request: Request,
    ctx: WebContext,
    filters: dict[str, str],
    *,
    status_code: int = 200,
    flash: str | None = None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    locale = locale_of(request)
    metric = _choice(filters["metric"], METRICS, "metric")
    dimension = _choice(filters["dimension"], DIMENSIONS, "dimension")
    view = _comparison(request, ctx, metric, dimension, filters["period"])
    return render(
        request,
        "analytics/benchmarks.html",
        status_code=status_code,
        active="analytics",
        tab="benchmarks",
        filters=filters,
        view=view,
        flash=flash,
        form=form or {"kind": "target", "metric": metric, "scope_dimension": dimension},
        errors=errors or {},
        can_edit=ctx.may("analytics.edit"),
        metric_options=[(m, catalogue.label(m, locale)) for m in METRICS],
        dimension_options=[(k, gettext(locale, v)) for k, v in DIMENSIONS.items()],
        kind_options=[(k, gettext(locale, v)) for k, v in KINDS.items()],
        period_options=period_options(locale),
    )


@router.get("", response_class=HTMLResponse, name="benchmarks_page")
def benchmarks_page(
    request: Request,
    ctx: Viewer,
    metric: Annotated[str, Query(max_length=40)] = "csat",  # asked at touchpoints
    dimension: Annotated[str, Query(max_length=40)] = "touchpoint",
    period: Annotated[str, Query(max_length=10)] = "365d",
    done: str | None = None,
) -> Response:
    filters = {"metric": metric, "dimension": dimension, "period": period}
    return _page(request, ctx, filters, flash=flash_of(request, done, DONE))


def _values(form: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {k: v.strip() for k, v in form.items()}
    raw = values["value"].replace(",", ".").replace("\u2212", "-")
    try:
        values["value"] = float(raw)
    except ValueError:
        raise InvalidInput("Enter a number.", field="value") from None
    if not values["scope_value"]:
        values["scope_dimension"] = ""
    return values


def _back(metric: str, dimension: str, period: str, done: str) -> str:
    return (
        f"/analytics/benchmarks?metric={metric}&dimension={dimension}&period={period}&done={done}"
    )


FormText = Annotated[str, Form(max_length=200)]


@router.post("", dependencies=[Depends(verify_csrf)])
def create_benchmark(
    request: Request,
    ctx: Editor,
    kind: Annotated[str, Form(max_length=16)] = "",
    metric: Annotated[str, Form(max_length=40)] = "",
    value: Annotated[str, Form(max_length=40)] = "",
    scope_dimension: Annotated[str, Form(max_length=40)] = "",
    scope_value: FormText = "",
    label: FormText = "",
    source: Annotated[str, Form(max_length=2000)] = "",
    period: Annotated[str, Form(max_length=10)] = "365d",
) -> Response:
    form = dict(
        zip(FIELDS, (kind, metric, value, scope_dimension, scope_value, label, source), strict=True)
    )
    dimension = scope_dimension if scope_dimension in DIMENSIONS else "touchpoint"
    filters = {"metric": metric if metric in METRICS else "nps", "dimension": dimension}
    filters["period"] = period
    try:
        data = validated(service.BenchmarkIn, _values(form))
        with ctx.transaction() as session:
            service.do_create_benchmark(session, ctx.org_actor, data)
    except KohtaamoError as exc:
        errors = field_errors(locale_of(request), exc)
        return _page(request, ctx, filters, status_code=exc.status, form=form, errors=errors)
    return RedirectResponse(_back(metric, dimension, period, "created"), status_code=303)


def _benchmark_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("No such benchmark.") from None


@router.get("/{benchmark_id}", response_class=HTMLResponse)
def edit_page(request: Request, ctx: Editor, benchmark_id: str) -> Response:
    with ctx.transaction(readonly=True) as session:
        b = service.get_benchmark(session, ctx.org_actor, _benchmark_id(benchmark_id))
        form = {f: getattr(b, f) if getattr(b, f) is not None else "" for f in FIELDS}
    return _edit(request, benchmark_id, form, {})


def _edit(
    request: Request,
    benchmark_id: str,
    form: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    locale = locale_of(request)
    return render(
        request,
        "analytics/benchmarks_edit.html",
        status_code=status_code,
        active="analytics",
        tab="benchmarks",
        benchmark_id=benchmark_id,
        form=form,
        errors=errors,
        metric_options=[(m, catalogue.label(m, locale)) for m in METRICS],
        dimension_options=[(k, gettext(locale, v)) for k, v in DIMENSIONS.items()],
        kind_options=[(k, gettext(locale, v)) for k, v in KINDS.items()],
    )


@router.post("/{benchmark_id}", dependencies=[Depends(verify_csrf)])
def update_benchmark(
    request: Request,
    ctx: Editor,
    benchmark_id: str,
    kind: Annotated[str, Form(max_length=16)] = "",
    metric: Annotated[str, Form(max_length=40)] = "",
    value: Annotated[str, Form(max_length=40)] = "",
    scope_dimension: Annotated[str, Form(max_length=40)] = "",
    scope_value: FormText = "",
    label: FormText = "",
    source: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    form = dict(
        zip(FIELDS, (kind, metric, value, scope_dimension, scope_value, label, source), strict=True)
    )
    bid = _benchmark_id(benchmark_id)
    try:
        data = validated(service.BenchmarkIn, _values(form))
        with ctx.transaction() as session:
            service.do_update_benchmark(session, ctx.org_actor, bid, data)
    except NotFound:
        raise
    except KohtaamoError as exc:
        errors = field_errors(locale_of(request), exc)
        return _edit(request, benchmark_id, form, errors, exc.status)
    dimension = data.scope_dimension or "touchpoint"
    return RedirectResponse(_back(data.metric, dimension, "365d", "saved"), status_code=303)


@router.post("/{benchmark_id}/delete", dependencies=[Depends(verify_csrf)])
def delete_benchmark(ctx: Editor, benchmark_id: str) -> Response:
    with ctx.transaction() as session:
        service.do_delete_benchmark(session, ctx.org_actor, _benchmark_id(benchmark_id))
    return RedirectResponse(_back("csat", "touchpoint", "365d", "deleted"), status_code=303)
