"""Journeys: the list with a create form, the journey map, and the paths of all touchpoints.

The editor is in ``journeys_edit``, the touchpoint catalogue and teams in
``touchpoints``, the CSV import in ``journeys_import``. Fixed addresses under
``/journeys/`` are registered before ``/journeys/{journey_id}`` (see ``web/router.py``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from kohtaamo.errors import FieldProblem, InvalidInput, KohtaamoError
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_
from kohtaamo.journeys import journeymap, service
from kohtaamo.journeys.analytics import PathQuery, path_report
from kohtaamo.journeys.ingest import problems_of
from kohtaamo.journeys.pathstore import PathStore
from kohtaamo.journeys.schemas import JourneyIn
from kohtaamo.web import charts
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.journey_report import (
    Filters,
    ReportView,
    parse_filters,
    report_view,
    run_report,
    segments,
    touchpoint_meta,
)
from kohtaamo.web.render import DEFAULT_TIMEZONE, field_errors, render
from kohtaamo.web.routes.settings import flash_of

router = APIRouter(prefix="/journeys")

Viewer = Annotated[WebContext, Depends(page_permission("journeys.view"))]
Editor = Annotated[WebContext, Depends(page_permission("journeys.edit"))]

DONE = {
    "deleted": N_("The journey was deleted. Its touchpoints and events stay."),
}


def path_store(request: Request) -> PathStore:
    store: PathStore = request.app.state.path_store
    return store


def timezone_of(ctx: WebContext) -> str:
    return getattr(ctx.current_org, "timezone", None) or DEFAULT_TIMEZONE


def stage_name(stage: Any, locale: str) -> str:
    return str((stage.name_fi if locale == "fi" else stage.name_en) or stage.name_en)


@dataclass(frozen=True)
class JourneyRow:
    id: uuid.UUID
    name: str
    key: str
    team: str
    segment: str
    stages: int
    customers: str


def _journeys_page(
    request: Request,
    ctx: WebContext,
    *,
    status_code: int = 200,
    flash: str | None = None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    locale = locale_of(request)
    store = path_store(request)
    with ctx.transaction(readonly=True) as session:
        teams = service.list_teams(session, ctx.org_actor)
        team_names = {t.id: t.name for t in teams}
        rows = []
        for j in journeymap.list_journeys(session, ctx.org_actor):
            report = path_report(session, store, ctx.org_actor, PathQuery(journey_id=j.id, top=1))
            rows.append(
                JourneyRow(
                    j.id,
                    j.name,
                    j.key,
                    team_names.get(j.owner_team_id, "") if j.owner_team_id else "",
                    j.target_segment or "",
                    len(j.stages),
                    charts.number(locale, report.customers),
                )
            )
        team_choices = [(t.id, t.name) for t in teams]
    return render(
        request,
        "journeys/index.html",
        status_code=status_code,
        active="journeys",
        tab="journeys",
        journeys=rows,
        teams=team_choices,
        can_edit=ctx.may("journeys.edit"),
        flash=flash,
        form=form or {},
        errors=errors or {},
    )


@router.get("", response_class=HTMLResponse)
def journeys(request: Request, ctx: Viewer, done: str | None = None) -> Response:
    return _journeys_page(request, ctx, flash=flash_of(request, done, DONE))


# Form fields answer in the words of a form, not of the API's validation messages.
FORM_MESSAGES = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is required."),
    "string_pattern_mismatch": N_(
        "A key may contain only lowercase letters, digits, '_', '.' and '-' "
        "(at most 80 characters)."
    ),
    "enum": N_("Choose one of the options."),
    "uuid_parsing": N_("Choose one of the options."),
}

M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], values: dict[str, Any]) -> M:
    """``model`` built from a form's values, or InvalidInput naming each wrong field."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = []
        for err, fallback in zip(exc.errors(), problems_of(exc), strict=True):
            message = FORM_MESSAGES.get(err["type"])
            field = str(err["loc"][0]) if err["loc"] else ""
            problems.append(FieldProblem(field, message) if message else fallback)
        raise InvalidInput(problems=problems) from None


def optional_id(value: str, field: str) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput("Choose one of the options.", field=field) from None


@router.post("", dependencies=[Depends(verify_csrf)])
def create_journey(
    request: Request,
    ctx: Editor,
    name: Annotated[str, Form(max_length=200)] = "",
    key: Annotated[str, Form(max_length=80)] = "",
    owner_team_id: Annotated[str, Form(max_length=40)] = "",
    target_segment: Annotated[str, Form(max_length=80)] = "",
    description: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    form = {
        "name": name,
        "key": key,
        "owner_team_id": owner_team_id,
        "target_segment": target_segment,
        "description": description,
    }
    try:
        data = validated(
            JourneyIn,
            {
                "name": name,
                "key": key.strip(),
                "owner_team_id": optional_id(owner_team_id, "owner_team_id"),
                "target_segment": target_segment.strip() or None,
                "description": description,
            },
        )
        with ctx.transaction() as session:
            journey = journeymap.do_create_journey(session, ctx.org_actor, data)
            journey_id = journey.id
    except KohtaamoError as exc:
        return _journeys_page(
            request,
            ctx,
            status_code=exc.status,
            form=form,
            errors=field_errors(locale_of(request), exc),
        )
    return RedirectResponse(f"/journeys/{journey_id}/edit?done=created", status_code=303)


# --- the paths of all touchpoints ---------------------------------------------------------


# The period and segment filters of the map and the paths page, as GET parameters.
From = Annotated[str, Query(alias="from", max_length=40)]
To = Annotated[str, Query(alias="to", max_length=40)]
Segment = Annotated[str, Query(max_length=80)]


def _filters(request: Request, ctx: WebContext, start: str, end: str, segment: str) -> Filters:
    return parse_filters(locale_of(request), timezone_of(ctx), start, end, segment)


@router.get("/paths", response_class=HTMLResponse)
def all_paths(
    request: Request, ctx: Viewer, start: From = "", end: To = "", segment: Segment = ""
) -> Response:
    locale = locale_of(request)
    filters = _filters(request, ctx, start, end, segment)
    with ctx.transaction(readonly=True) as session:
        meta = touchpoint_meta(session, ctx.org_actor, locale)
        report = run_report(session, path_store(request), ctx.org_actor, filters)
        choices = segments(session, ctx.org_actor)
    view = report_view(locale, report, meta)
    return render(
        request,
        "journeys/paths.html",
        status_code=400 if filters.errors else 200,
        active="journeys",
        tab="paths",
        filters=filters,
        segment_options=[(s, s) for s in choices],
        number=partial(charts.number, locale),
        view=view,
    )


# --- the journey map -----------------------------------------------------------------------


@router.get("/{journey_id}", response_class=HTMLResponse)
def journey_map(
    request: Request,
    ctx: Viewer,
    journey_id: uuid.UUID,
    start: From = "",
    end: To = "",
    segment: Segment = "",
) -> Response:
    locale = locale_of(request)
    filters = _filters(request, ctx, start, end, segment)
    with ctx.transaction(readonly=True) as session:
        found = journeymap.journey_view(session, ctx.org_actor, journey_id)
        meta = touchpoint_meta(session, ctx.org_actor, locale)
        by_id = {m.id: m for m in meta.values()}
        team_names = {t.id: t.name for t in service.list_teams(session, ctx.org_actor)}
        report = run_report(session, path_store(request), ctx.org_actor, filters, journey_id)
        choices = segments(session, ctx.org_actor)
        journey = found.journey
        stages = [
            (stage_name(stage, locale), [by_id[p.touchpoint_id] for p, _key in placed])
            for stage, placed in found.stages
        ]
        head = {
            "id": journey.id,
            "name": journey.name,
            "description": journey.description,
            "team": team_names.get(journey.owner_team_id, "") if journey.owner_team_id else "",
            "segment": journey.target_segment or "",
        }
    columns = {m.key: i for i, (_name, tps) in enumerate(stages) for m in tps}
    order = {m.key: j for _name, tps in stages for j, m in enumerate(tps)}
    view = report_view(
        locale,
        report,
        meta,
        stage_names=[name for name, tps in stages if tps],
        columns=columns,
        order=order,
    )
    return render(
        request,
        "journeys/map.html",
        status_code=400 if filters.errors else 200,
        active="journeys",
        journey=head,
        stages=stages,
        filters=filters,
        segment_options=[(s, s) for s in choices],
        number=partial(charts.number, locale),
        view=view,
        volume_text=lambda key: _volume_text(locale, view, key),
        can_edit=ctx.may("journeys.edit"),
    )


def _volume_text(locale: str, view: ReportView, key: str) -> tuple[str, str]:
    events, customers = view.volumes.get(key, (0, 0))
    return charts.number(locale, customers), charts.number(locale, events)
