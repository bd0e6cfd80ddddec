"""One survey's overview: status, versions, publish / close / reopen, details, delete, and
distribution: the public link, QR codes, the widget snippet and its settings."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.errors import KohtaamoError
from kohtaamo.http.context import locale_of, settings_of
from kohtaamo.i18n import N_
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys import service
from kohtaamo.surveys.schemas import SurveySettings, SurveyUpdate
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.routes.settings import flash_of
from kohtaamo.web.routes.survey_common import (
    DONE,
    KIND_LABELS,
    checked,
    head_context,
    labels,
    survey_head,
    touchpoint_options,
)

router = APIRouter(prefix="/feedback")

Viewer = Annotated[WebContext, Depends(page_permission("feedback.view"))]
Editor = Annotated[WebContext, Depends(page_permission("feedback.edit"))]

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
WIDGET_SNIPPET = (
    '<script src="{base_url}/static/widget/kohtaamo-widget.js" '
    'data-survey="{slug}" data-lang="fi" async></script>'
)


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
