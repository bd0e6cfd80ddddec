"""Surveys: the list with its chart and the "new survey" form, and one survey's overview
(status, versions, publish / close / reopen, details and distribution: the public link,
QR codes, the widget snippet and its settings).

The builder is in ``survey_builder``, responses and exports in ``survey_responses``; the
import (``/feedback/import``), e-mail campaigns and triggers are other modules. Helpers
the three survey page modules share live here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.errors import FieldProblem, InvalidInput, KohtaamoError
from kohtaamo.http.context import locale_of, settings_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.journeys import service as journeys
from kohtaamo.journeys.ingest import problems_of
from kohtaamo.surveys import browse, service
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys.catalogue import SurveyKind, SurveyStatus
from kohtaamo.surveys.schemas import SurveyIn, SurveyOut, SurveySettings, SurveyUpdate
from kohtaamo.web import charts
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.routes.journeys import FORM_MESSAGES
from kohtaamo.web.routes.settings import flash_of
from kohtaamo.web.survey_forms import bank_options, starter_definition

router = APIRouter(prefix="/feedback")

Viewer = Annotated[WebContext, Depends(page_permission("feedback.view"))]
Editor = Annotated[WebContext, Depends(page_permission("feedback.edit"))]

STATUS_LABELS = {
    SurveyStatus.DRAFT: N_("Draft"),
    SurveyStatus.OPEN: N_("Open"),
    SurveyStatus.CLOSED: N_("Closed"),
}
KIND_LABELS = {
    SurveyKind.TOUCHPOINT: N_("Touchpoint survey"),
    SurveyKind.RELATIONSHIP: N_("Relationship survey"),
}
WIDGET_TRIGGERS = {
    "time_on_page": N_("After some time on the page"),
    "page_view": N_("When the page opens"),
    "click": N_("When an element is clicked"),
    "exit_intent": N_("When the visitor is about to leave"),
    "custom_event": N_("On a custom event of the page"),
}
WIDGET_POSITIONS = {
    "bottom-right": N_("Bottom right"),
    "bottom-left": N_("Bottom left"),
    "center": N_("Centre"),
}
DONE = {
    "deleted": N_("The survey was deleted."),
    "published": N_("The survey was published. Respondents now get this version."),
    "closed": N_("The survey was closed. Its link no longer takes responses."),
    "reopened": N_("The survey was reopened."),
    "saved": N_("The changes were saved."),
}
WIDGET_SNIPPET = (
    '<script src="{base_url}/static/widget/kohtaamo-widget.js" '
    'data-survey="{slug}" data-lang="fi" async></script>'
)

M = TypeVar("M", bound=BaseModel)


def checked(model: type[M], values: dict[str, Any]) -> M:
    """``model`` from a form's values, or InvalidInput naming each field by its dotted path."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = []
        for err, fallback in zip(exc.errors(), problems_of(exc), strict=True):
            message = FORM_MESSAGES.get(err["type"])
            problems.append(FieldProblem(fallback.field, message) if message else fallback)
        raise InvalidInput(problems=problems) from None


def labels(locale: str, table: dict[Any, str]) -> list[tuple[str, str]]:
    return [(str(k), gettext(locale, v)) for k, v in table.items()]


def touchpoint_options(session: Session, actor: Actor, locale: str) -> list[tuple[str, str]]:
    """The catalogue's touchpoints as (key, name) for selects."""
    return [
        (t.key, (t.name_fi if locale == "fi" else t.name_en) or t.name_en or t.key)
        for t in journeys.list_touchpoints(session, actor)
    ]


@dataclass(frozen=True)
class SurveyHead:
    """What every page of one survey shows at its top."""

    out: SurveyOut
    touchpoint_name: str

    @property
    def id(self) -> uuid.UUID:
        return self.out.id

    @property
    def name(self) -> str:
        return self.out.name


def survey_head(session: Session, ctx: WebContext, survey_id: uuid.UUID, locale: str) -> SurveyHead:
    """The survey as the pages show it (NotFound for another organisation's id)."""
    survey = service.get_survey(session, ctx.org_actor, survey_id)
    out = service.survey_out(session, survey)
    names = dict(touchpoint_options(session, ctx.org_actor, locale)) if out.touchpoint else {}
    return SurveyHead(out, names.get(out.touchpoint or "", out.touchpoint or ""))


def head_context(locale: str, head: SurveyHead) -> dict[str, Any]:
    return {
        "survey": head.out,
        "touchpoint_name": head.touchpoint_name,
        "status_label": gettext(locale, STATUS_LABELS[head.out.status]),
        "kind_label": gettext(locale, KIND_LABELS[head.out.kind]),
    }


# --- the list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyRow:
    out: SurveyOut
    touchpoint: str
    last_response: datetime | None


def responses_spec(locale: str, rows: list[SurveyRow]) -> charts.Spec:
    """Finished responses per survey as horizontal bars (labels in the reader's language)."""
    title = gettext(locale, "Finished responses per survey")
    data = [
        {
            "name": r.out.name if len(r.out.name) <= 40 else r.out.name[:39] + "…",
            "finished": r.out.finished_responses,
            "label": charts.number(locale, r.out.finished_responses),
        }
        for r in rows
    ]
    top = max((r.out.finished_responses for r in rows), default=0)
    return {
        "$schema": charts.SCHEMA,
        "description": title,
        "width": "container",
        "height": max(60, 28 * len(data)),
        "autosize": {"type": "fit-x", "contains": "padding"},
        "background": None,
        "config": {"font": charts.FONT, "view": {"stroke": None}, "text": {"fontSize": 12}},
        "data": {"values": data},
        "encoding": {
            "y": {
                "field": "name",
                "type": "nominal",
                "sort": "-x",
                "title": None,
                "axis": {"labelLimit": {"expr": charts.LABEL_LIMIT}},
            },
            "x": {
                "field": "finished",
                "type": "quantitative",
                "title": gettext(locale, "Finished responses"),
                "axis": {"tickCount": 4, "tickMinStep": 1},
                "scale": {"domainMax": top * 1.4 if top else 1},
            },
        },
        "layer": [
            {
                "mark": {"type": "bar", "color": charts.BRAND, "cornerRadiusEnd": 3},
                "encoding": {
                    "tooltip": [
                        {"field": "name", "title": gettext(locale, "Survey")},
                        {"field": "label", "title": gettext(locale, "Finished responses")},
                    ]
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "color": "#1d2731"},
                "encoding": {"text": {"field": "label"}},
            },
        ],
    }


def _list_page(
    request: Request,
    ctx: WebContext,
    *,
    status: str = "",
    status_code: int = 200,
    flash: str | None = None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    locale = locale_of(request)
    wanted = status if status in {s.value for s in SurveyStatus} else ""
    with ctx.transaction(readonly=True) as session:
        tps = touchpoint_options(session, ctx.org_actor, locale)
        names = dict(tps)
        last = browse.last_response_at(session)
        rows = [
            SurveyRow(s, names.get(s.touchpoint or "", s.touchpoint or ""), last.get(s.id))
            for s in service.list_surveys(session, ctx.org_actor, status=wanted or None)
        ]
    return render(
        request,
        "surveys/index.html",
        status_code=status_code,
        active="feedback",
        rows=rows,
        status=wanted,
        status_options=labels(locale, STATUS_LABELS),
        status_label=lambda s: gettext(locale, STATUS_LABELS[SurveyStatus(s)]),
        kind_label=lambda k: gettext(locale, KIND_LABELS[SurveyKind(k)]),
        kind_options=labels(locale, KIND_LABELS),
        touchpoints=tps,
        bank=bank_options(locale),
        spec=responses_spec(locale, rows) if any(r.out.finished_responses for r in rows) else None,
        number=lambda n: charts.number(locale, n),
        can_edit=ctx.may("feedback.edit"),
        flash=flash,
        form=form or {"start": "empty", "kind": "touchpoint"},
        errors=errors or {},
    )


@router.get("", response_class=HTMLResponse)
def surveys(request: Request, ctx: Viewer, status: str = "", done: str | None = None) -> Response:
    return _list_page(request, ctx, status=status, flash=flash_of(request, done, DONE))


@router.post("", dependencies=[Depends(verify_csrf)])
def create_survey(
    request: Request,
    ctx: Editor,
    key: Annotated[str, Form(max_length=80)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=20)] = "touchpoint",
    touchpoint: Annotated[str, Form(max_length=80)] = "",
    start: Annotated[str, Form(max_length=20)] = "empty",
    bank_key: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    """Create a survey with one first question (empty start or from the question bank)."""
    if start == "import":
        return RedirectResponse("/feedback/import", status_code=303)
    form = {"key": key, "name": name, "kind": kind, "touchpoint": touchpoint, "start": start}
    form["bank_key"] = bank_key
    try:
        if start == "bank" and not bank_key:
            raise InvalidInput("Choose a question from the bank.", field="bank_key")
        definition = starter_definition(
            name.strip() or key, touchpoint or None, bank_key if start == "bank" else None
        )
        data = checked(
            SurveyIn,
            {
                "key": key.strip(),
                "name": name,
                "kind": kind,
                "touchpoint": touchpoint or None,
                "definition": definition,
            },
        )
        with ctx.transaction() as session:
            survey_id = service.do_create_survey(session, ctx.org_actor, data).id
    except KohtaamoError as exc:
        return _list_page(
            request,
            ctx,
            status_code=exc.status,
            form=form,
            errors=field_errors(locale_of(request), exc),
        )
    return RedirectResponse(f"/feedback/surveys/{survey_id}/edit?done=created", status_code=303)


# --- one survey ----------------------------------------------------------------------------


def public_link(request: Request, slug: str) -> str:
    return f"{settings_of(request).base_url.rstrip('/')}/s/{slug}"


def _served(request: Request, path: str) -> bool:
    """Whether the app answers GET ``path`` (the QR images come from another module)."""
    return any(getattr(r, "path", None) == path for r in request.app.router.routes)


def _overview(
    request: Request,
    ctx: WebContext,
    survey_id: uuid.UUID,
    *,
    status_code: int = 200,
    flash: str | None = None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    error_at: str = "",
) -> Response:
    locale = locale_of(request)
    with ctx.transaction(readonly=True) as session:
        head = survey_head(session, ctx, survey_id, locale)
        versions = [
            {"number": v.number, "created_at": v.created_at, "published_at": v.published_at}
            for v in reversed(repo.versions(session, survey_id))
        ]
        tps = touchpoint_options(session, ctx.org_actor, locale)
    out = head.out
    base = settings_of(request).base_url.rstrip("/")
    qr = "/feedback/surveys/{survey_id}/qr.svg"
    return render(
        request,
        "surveys/overview.html",
        status_code=status_code,
        active="feedback",
        tab="overview",
        **head_context(locale, head),
        versions=versions,
        public_url=public_link(request, out.slug),
        snippet=WIDGET_SNIPPET.format(base_url=base, slug=out.slug),
        qr_served=_served(request, qr),
        qr_png_served=_served(request, "/feedback/surveys/{survey_id}/qr.png"),
        settings=out.settings,
        touchpoints=tps,
        kind_options=labels(locale, KIND_LABELS),
        trigger_options=labels(locale, WIDGET_TRIGGERS),
        position_options=labels(locale, WIDGET_POSITIONS),
        can_edit=ctx.may("feedback.edit"),
        flash=flash,
        form=form or {},
        errors=errors or {},
        error_at=error_at,
    )


@router.get("/surveys/{survey_id}", response_class=HTMLResponse)
def survey_overview(
    request: Request, ctx: Viewer, survey_id: uuid.UUID, done: str | None = None
) -> Response:
    return _overview(request, ctx, survey_id, flash=flash_of(request, done, DONE))


def _back(survey_id: uuid.UUID, done: str, anchor: str = "") -> Response:
    target = f"/feedback/surveys/{survey_id}?done={done}" + (f"#{anchor}" if anchor else "")
    return RedirectResponse(target, status_code=303)


def _refused(
    request: Request,
    ctx: WebContext,
    survey_id: uuid.UUID,
    exc: KohtaamoError,
    error_at: str,
    form: dict[str, Any] | None = None,
) -> Response:
    if exc.status in (403, 404):
        raise exc
    return _overview(
        request,
        ctx,
        survey_id,
        status_code=exc.status,
        form=form,
        errors=field_errors(locale_of(request), exc),
        error_at=error_at,
    )


@router.post("/surveys/{survey_id}/publish", dependencies=[Depends(verify_csrf)])
def publish(request: Request, ctx: Editor, survey_id: uuid.UUID) -> Response:
    try:
        with ctx.transaction() as session:
            service.do_publish(session, ctx.org_actor, survey_id)
    except KohtaamoError as exc:
        return _refused(request, ctx, survey_id, exc, "status")
    return _back(survey_id, "published")


@router.post("/surveys/{survey_id}/close", dependencies=[Depends(verify_csrf)])
def close(request: Request, ctx: Editor, survey_id: uuid.UUID) -> Response:
    try:
        with ctx.transaction() as session:
            service.do_close(session, ctx.org_actor, survey_id)
    except KohtaamoError as exc:
        return _refused(request, ctx, survey_id, exc, "status")
    return _back(survey_id, "closed")


@router.post("/surveys/{survey_id}/reopen", dependencies=[Depends(verify_csrf)])
def reopen(request: Request, ctx: Editor, survey_id: uuid.UUID) -> Response:
    try:
        with ctx.transaction() as session:
            service.do_reopen(session, ctx.org_actor, survey_id)
    except KohtaamoError as exc:
        return _refused(request, ctx, survey_id, exc, "status")
    return _back(survey_id, "reopened")


@router.post("/surveys/{survey_id}/details", dependencies=[Depends(verify_csrf)])
def save_details(
    request: Request,
    ctx: Editor,
    survey_id: uuid.UUID,
    name: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=20)] = "touchpoint",
    touchpoint: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    form = {"name": name, "kind": kind, "touchpoint": touchpoint}
    try:
        data = checked(SurveyUpdate, {"name": name, "kind": kind, "touchpoint": touchpoint or None})
        with ctx.transaction() as session:
            service.do_update_survey(session, ctx.org_actor, survey_id, data)
    except KohtaamoError as exc:
        return _refused(request, ctx, survey_id, exc, "details", form)
    return _back(survey_id, "saved", "details")


@router.post("/surveys/{survey_id}/distribution", dependencies=[Depends(verify_csrf)])
def save_distribution(
    request: Request,
    ctx: Editor,
    survey_id: uuid.UUID,
    allowed_origins: Annotated[str, Form(max_length=4000)] = "",
    min_seconds: Annotated[str, Form(max_length=6)] = "",
    trigger: Annotated[str, Form(max_length=20)] = "time_on_page",
    seconds: Annotated[str, Form(max_length=6)] = "",
    selector: Annotated[str, Form(max_length=200)] = "",
    event_name: Annotated[str, Form(max_length=80)] = "",
    sample_percent: Annotated[str, Form(max_length=8)] = "",
    position: Annotated[str, Form(max_length=20)] = "bottom-right",
) -> Response:
    """The widget's origins and trigger and the too-fast threshold; other settings stay."""
    form = {
        "allowed_origins": allowed_origins,
        "min_seconds": min_seconds,
        "widget.trigger": trigger,
        "widget.seconds": seconds,
        "widget.selector": selector,
        "widget.event_name": event_name,
        "widget.sample_percent": sample_percent,
        "widget.position": position,
    }
    try:
        with ctx.transaction() as session:
            current = service.get_survey(session, ctx.org_actor, survey_id).settings or {}
            widget = {
                **(current.get("widget") or {}),
                "trigger": trigger,
                "selector": selector.strip(),
                "event_name": event_name.strip(),
                "position": position,
            }
            if seconds.strip():
                widget["seconds"] = seconds.strip()
            if sample_percent.strip():
                widget["sample_percent"] = sample_percent.strip().replace(",", ".")
            values = {
                **current,
                "allowed_origins": [o for o in allowed_origins.split() if o],
                "widget": widget,
            }
            if min_seconds.strip():
                values["min_seconds"] = min_seconds.strip()
            settings = checked(SurveySettings, values)
            service.do_update_survey(
                session, ctx.org_actor, survey_id, SurveyUpdate(settings=settings)
            )
    except KohtaamoError as exc:
        return _refused(request, ctx, survey_id, exc, "distribution", form)
    return _back(survey_id, "saved", "distribution")


@router.post("/surveys/{survey_id}/delete", dependencies=[Depends(verify_csrf)])
def delete_survey(request: Request, ctx: Editor, survey_id: uuid.UUID) -> Response:
    try:
        with ctx.transaction() as session:
            service.do_delete_survey(session, ctx.org_actor, survey_id)
    except KohtaamoError as exc:
        return _refused(request, ctx, survey_id, exc, "delete")
    return RedirectResponse("/feedback?done=deleted", status_code=303)
