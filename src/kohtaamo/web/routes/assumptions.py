"""Pages of the assumption register: the list, the forms to write a new assumption (by
choosing metric and groups, two drivers, or a touchpoint's gap), and an assumption's
verdict with its numbers, chart and history.

The forms work without JavaScript: the group selects list the values of the dimension
chosen in the address (``?dimension=``), which the "Show groups" button changes.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.analytics import assumption_service as service
from kohtaamo.analytics import assumption_words as words
from kohtaamo.analytics.assumption_data import DIMENSIONS, group_values
from kohtaamo.analytics.assumptions import COMPARABLE_KINDS, CompareGroups, DriverOrder, GapClaim
from kohtaamo.analytics.catalogue import label, listing
from kohtaamo.analytics.source import Source
from kohtaamo.analytics.tasks import current_source
from kohtaamo.errors import InvalidInput, KohtaamoError
from kohtaamo.http.context import database, locale_of, settings_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.web.charts_assumptions import check_spec
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.routes.journeys import validated
from kohtaamo.web.routes.settings import flash_of

router = APIRouter(prefix="/analytics/assumptions")

Viewer = Annotated[WebContext, Depends(page_permission("analytics.view"))]
Editor = Annotated[WebContext, Depends(page_permission("analytics.edit"))]

DONE = {
    "checked": N_("The assumption was checked again."),
    "deleted": N_("The assumption was deleted."),
}
KINDS: dict[str, type[CompareGroups | DriverOrder | GapClaim]] = {
    "compare_groups": CompareGroups,
    "driver_order": DriverOrder,
    "gap": GapClaim,
}
DIRECTIONS = {
    "higher": N_("higher for A than for B"),
    "lower": N_("lower for A than for B"),
    "different": N_("different between A and B"),
}
GAP_DIRECTIONS = {
    "short": N_("falls short of expectations"),
    "exceeds": N_("exceeds expectations"),
}
TESTS = {
    "auto": N_("the metric (chosen test)"),
    "distribution": N_("the whole answer distribution (chi-square)"),
}


def source_for(request: Request) -> Source:
    return current_source(settings_of(request), database(request))


def _touchpoints(source: Source, org: str, locale: str) -> list[tuple[str, str]]:
    t = source.touchpoints
    frame = source.execute(
        t.filter(t.organisation_id == org).select("key", "name_fi", "name_en").order_by("key")
    )
    name = "name_fi" if locale == "fi" else "name_en"
    return [(str(r["key"]), str(r[name])) for r in frame.to_dict("records")]


def _choices(request: Request, ctx: WebContext, dimension: str) -> dict[str, Any]:
    locale = locale_of(request)
    source = source_for(request)
    org = str(ctx.org_actor.organisation_id)
    touchpoints = _touchpoints(source, org, locale)
    dimension = dimension if dimension in DIMENSIONS else "segment"
    values = group_values(source, org, dimension)
    names = dict(touchpoints)
    return {
        "metrics": [
            (m.slug, label(m.slug, locale)) for m in listing() if m.kind in COMPARABLE_KINDS
        ],
        "dimensions": [(d, gettext(locale, words.DIMENSION_LABELS[d])) for d in DIMENSIONS],
        "dimension": dimension,
        "groups": [(v, names.get(v, v) if dimension == "touchpoint" else v) for v in values],
        "touchpoints": touchpoints,
        "outcomes": [(k, gettext(locale, v)) for k, v in words.OUTCOME_LABELS.items()],
        "directions": [(k, gettext(locale, v)) for k, v in DIRECTIONS.items()],
        "gap_directions": [(k, gettext(locale, v)) for k, v in GAP_DIRECTIONS.items()],
        "tests": [(k, gettext(locale, v)) for k, v in TESTS.items()],
    }


def _register(
    request: Request,
    ctx: WebContext,
    *,
    dimension: str = "segment",
    status_code: int = 200,
    flash: str | None = None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    with ctx.transaction(readonly=True) as session:
        rows = [
            {
                "id": a.id,
                "statement": a.statement,
                "verdict": a.verdict,
                "checked_at": a.checked_at,
                "created_at": a.created_at,
            }
            for a in service.list_assumptions(session, ctx.org_actor)
        ]
    if form and form.get("dimension"):
        dimension = str(form["dimension"])
    return render(
        request,
        "analytics/assumptions.html",
        status_code=status_code,
        active="analytics",
        tab="assumptions",
        assumptions=rows,
        verdicts=words.VERDICT_LABELS,
        can_edit=ctx.may("analytics.edit"),
        flash=flash,
        form=form or {},
        errors=errors or {},
        **_choices(request, ctx, dimension),
    )


@router.get("", response_class=HTMLResponse)
def assumptions_page(
    request: Request, ctx: Viewer, dimension: str = "segment", done: str | None = None
) -> Response:
    return _register(request, ctx, dimension=dimension, flash=flash_of(request, done, DONE))


def _form_fields(scope: dict[str, Any]) -> dict[str, Any]:
    """The form's own fields (for showing them again after an error)."""
    return {k: v for k, v in scope.items() if isinstance(v, str)}


def _day(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("Give a date as YYYY-MM-DD.", field=field) from None


@router.post("", dependencies=[Depends(verify_csrf)])
def create_assumption(
    request: Request,
    ctx: Editor,
    kind: Annotated[str, Form(max_length=32)] = "",
    statement: Annotated[str, Form(max_length=500)] = "",
    metric: Annotated[str, Form(max_length=80)] = "",
    dimension: Annotated[str, Form(max_length=80)] = "",
    group_a: Annotated[str, Form(max_length=200)] = "",
    group_b: Annotated[str, Form(max_length=200)] = "",
    direction: Annotated[str, Form(max_length=32)] = "",
    test: Annotated[str, Form(max_length=32)] = "auto",
    touchpoint: Annotated[str, Form(max_length=200)] = "",
    outcome: Annotated[str, Form(max_length=40)] = "",
    driver_a: Annotated[str, Form(max_length=200)] = "",
    driver_b: Annotated[str, Form(max_length=200)] = "",
    start: Annotated[str, Form(max_length=10)] = "",
    end: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    form = _form_fields(locals())
    try:
        model = KINDS.get(kind)
        if model is None:
            raise InvalidInput("Choose one of the options.", field="kind")
        values: dict[str, Any] = {
            "start": _day(start, "start"),
            "end": _day(end, "end"),
        }
        if kind == "compare_groups":
            values |= {
                "metric": metric,
                "dimension": dimension,
                "group_a": group_a,
                "group_b": group_b or None,
                "direction": direction or "higher",
                "test": test or "auto",
                "touchpoint": touchpoint or None,
            }
        elif kind == "driver_order":
            values |= {"outcome": outcome or "nps", "driver_a": driver_a, "driver_b": driver_b}
        else:
            values |= {"touchpoint": touchpoint, "direction": direction or "short"}
        spec = validated(model, values)
        data = validated(service.AssumptionIn, {"statement": statement, "spec": spec})
        source = source_for(request)
        with ctx.transaction() as session:
            row = service.do_create_assumption(
                session, ctx.org_actor, source, data, locale=locale_of(request)
            )
            service.do_check_assumption(session, ctx.org_actor, source, row.id)
            new_id = row.id
    except KohtaamoError as exc:
        return _register(
            request,
            ctx,
            status_code=exc.status,
            form=form,
            errors=_by_field(field_errors(locale_of(request), exc), form),
        )
    return RedirectResponse(f"/analytics/assumptions/{new_id}", status_code=303)


def _by_field(errors: dict[str, str], form: dict[str, Any]) -> dict[str, str]:
    """Errors of the form's fields by field; the rest (rules across fields, such as two
    equal groups) under ``""``, shown above the buttons."""
    out: dict[str, str] = {}
    for name, message in errors.items():
        key = name if name in form and name != "kind" else ""
        out[key] = f"{out[key]} {message}" if key in out else message
    return out


@router.get("/{assumption_id}", response_class=HTMLResponse)
def assumption_page(
    request: Request, ctx: Viewer, assumption_id: uuid.UUID, done: str | None = None
) -> Response:
    locale = locale_of(request)
    with ctx.transaction(readonly=True) as session:
        row = service.get_assumption(session, ctx.org_actor, assumption_id)
        checks = service.list_checks(session, ctx.org_actor, assumption_id)
        assumption = {
            "id": row.id,
            "statement": row.statement,
            "verdict": row.verdict,
            "checked_at": row.checked_at,
            "created_at": row.created_at,
        }
        history = [
            {
                "verdict": c.verdict,
                "checked_at": c.checked_at,
                "sentence": words.sentence(locale, c.result),
                "result": c.result,
            }
            for c in checks
        ]
    latest = history[0] if history else None
    result: dict[str, Any] = checks[0].result if checks else {}
    return render(
        request,
        "analytics/assumptions_detail.html",
        active="analytics",
        tab="assumptions",
        assumption=assumption,
        latest=latest,
        numbers=_numbers(locale, result) if result else [],
        chart=check_spec(locale, result) if result else None,
        history=history,
        verdicts=words.VERDICT_LABELS,
        can_edit=ctx.may("analytics.edit"),
        flash=flash_of(request, done, DONE),
    )


TEST_LABELS = {
    "two_proportion_z": N_("Two-proportion z-test"),
    "fisher_exact": N_("Fisher's exact test"),
    "welch_t": N_("Welch's t-test"),
    "z": N_("z-test of the NPS difference"),
    "chi_square": N_("Chi-square test"),
    "chi_square_simulated": N_("Chi-square test (simulated p-value)"),
    "bootstrap_difference": N_("Bootstrap interval of the difference"),
    "paired_t": N_("Paired t-test"),
    "one_sample_t": N_("One-sample t-test against the midpoint"),
}


EFFECT_NAMES = {
    "cohens_h": "Cohen's h",
    "cohens_d": "Cohen's d",
    "cohens_dz": "Cohen's dz",
    "cramers_v": "Cramér's V",
}


def _numbers(locale: str, r: dict[str, Any]) -> list[tuple[str, str]]:
    """The numbers behind the verdict as (label, value) rows."""
    _ = gettext
    rows: list[tuple[str, str]] = []
    if r.get("test"):
        rows.append((_(locale, "Test"), _(locale, TEST_LABELS.get(r["test"], r["test"]))))
    if r.get("difference") is not None:
        rows.append((_(locale, "Difference"), words.num(locale, r["difference"], 3)))
    if r.get("low") is not None and r.get("high") is not None:
        level = round(float(r.get("confidence", 0.95)) * 100)
        rows.append(
            (
                _(locale, "%(level)s%% interval", level=level),
                f"{words.num(locale, r['low'], 3)} – {words.num(locale, r['high'], 3)}",
            )
        )
    if r.get("p_value") is not None:
        rows.append(("p", words.p_text(locale, r["p_value"])))
    if r.get("mann_whitney_p") is not None:
        rows.append(("Mann–Whitney p", words.p_text(locale, r["mann_whitney_p"])))
    if r.get("wilcoxon_p") is not None:
        rows.append((_(locale, "Signed-rank test p"), words.p_text(locale, r["wilcoxon_p"])))
    if r.get("effect_size") is not None:
        kind = EFFECT_NAMES.get(str(r.get("effect_size_kind", "")), "")
        rows.append(
            (_(locale, "Effect size (%(kind)s)", kind=kind), words.num(locale, r["effect_size"], 2))
        )
    for side in ("a", "b"):
        if isinstance(r.get(side), dict) and "n" in r[side]:
            rows.append((_(locale, "Answers (%(group)s)", group=side.upper()), str(r[side]["n"])))
    return rows


@router.post("/{assumption_id}/check", dependencies=[Depends(verify_csrf)])
def recheck(request: Request, ctx: Editor, assumption_id: uuid.UUID) -> Response:
    source = source_for(request)
    with ctx.transaction() as session:
        service.do_check_assumption(session, ctx.org_actor, source, assumption_id)
    return RedirectResponse(f"/analytics/assumptions/{assumption_id}?done=checked", status_code=303)


@router.post("/{assumption_id}/delete", dependencies=[Depends(verify_csrf)])
def delete(ctx: Editor, assumption_id: uuid.UUID) -> Response:
    with ctx.transaction() as session:
        service.do_delete_assumption(session, ctx.org_actor, assumption_id)
    return RedirectResponse("/analytics/assumptions?done=deleted", status_code=303)
