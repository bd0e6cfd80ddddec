"""The journey triggers of a survey: list, create, edit and switch off trigger rules
(``/feedback/surveys/{id}/triggers``). Included by ``survey_invitations``' router."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.errors import KohtaamoError
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.surveys import triggers
from kohtaamo.surveys.models import Survey, SurveyTrigger
from kohtaamo.surveys.service import get_survey
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.journey_report import touchpoint_name
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.routes.journeys import validated
from kohtaamo.web.routes.settings import flash_of

router = APIRouter()

Viewer = Annotated[WebContext, Depends(page_permission("feedback.view"))]
Editor = Annotated[WebContext, Depends(page_permission("feedback.edit"))]

BASE = "/feedback/surveys/{survey_id}"
DONE = {
    "created": N_("The trigger was added."),
    "saved": N_("The trigger was saved."),
    "deactivated": N_("The trigger was switched off."),
}
TRIGGER_FIELDS = (
    "name",
    "touchpoint_id",
    "delay_minutes",
    "sample_percent",
    "quiet_days",
    "consent_key",
    "quota",
    "quota_days",
)


@dataclass(frozen=True)
class TriggerRow:
    id: uuid.UUID
    name: str
    touchpoint: str
    trigger: SurveyTrigger


def _triggers_page(
    request: Request,
    ctx: WebContext,
    survey_id: uuid.UUID,
    *,
    template: str = "surveys/triggers.html",
    status_code: int = 200,
    flash: str | None = None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    editing: SurveyTrigger | None = None,
) -> Response:
    locale = locale_of(request)
    with ctx.transaction(readonly=True) as session:
        survey: Survey = get_survey(session, ctx.org_actor, survey_id)
        tps = journeys_repo.touchpoints(session)
        names = {t.id: touchpoint_name(t, locale) for t in tps}
        rows = [
            TriggerRow(t.id, t.name, names.get(t.touchpoint_id, ""), t)
            for t in triggers.list_triggers(session, ctx.org_actor, survey.id)
        ]
    return render(
        request,
        template,
        status_code=status_code,
        active="feedback",
        survey=survey,
        triggers=rows,
        touchpoints=sorted(((str(i), n) for i, n in names.items()), key=lambda p: p[1]),
        can_edit=ctx.may("feedback.edit"),
        flash=flash,
        form=form or _form_of(editing),
        errors=errors or {},
        editing=editing,
    )


def _form_of(trigger: SurveyTrigger | None) -> dict[str, Any]:
    """The form's values: the trigger's, or a new trigger's defaults."""
    out: dict[str, Any] = {}
    for name in TRIGGER_FIELDS:
        spec = triggers.TriggerIn.model_fields[name]
        value = (
            getattr(trigger, name) if trigger else (None if spec.is_required() else spec.default)
        )
        out[name] = "" if value is None else str(value)
    out["active"] = trigger.active if trigger else True
    return out


def _trigger_in(form: dict[str, Any]) -> triggers.TriggerIn:
    values = {k: (v if v != "" else None) for k, v in form.items()}
    for name in ("delay_minutes", "sample_percent", "quiet_days", "quota_days"):
        if values[name] is None:
            values.pop(name)
    return validated(triggers.TriggerIn, values)


def _trigger_form(**values: Any) -> dict[str, Any]:
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}


@router.get(BASE + "/triggers", response_class=HTMLResponse)
def triggers_page(
    request: Request, ctx: Viewer, survey_id: uuid.UUID, done: str | None = None
) -> Response:
    return _triggers_page(request, ctx, survey_id, flash=flash_of(request, done, DONE))


TriggerForm = Annotated[str, Form(max_length=200)]


@router.post(BASE + "/triggers", dependencies=[Depends(verify_csrf)])
def create_trigger(
    request: Request,
    ctx: Editor,
    survey_id: uuid.UUID,
    name: TriggerForm = "",
    touchpoint_id: TriggerForm = "",
    delay_minutes: TriggerForm = "",
    sample_percent: TriggerForm = "",
    quiet_days: TriggerForm = "",
    consent_key: TriggerForm = "",
    quota: TriggerForm = "",
    quota_days: TriggerForm = "",
) -> Response:
    form = _trigger_form(**{k: v for k, v in locals().items() if k in TRIGGER_FIELDS})
    try:
        data = _trigger_in(form)
        with ctx.transaction() as session:
            triggers.do_create_trigger(session, ctx.org_actor, survey_id, data)
    except KohtaamoError as exc:
        if exc.status in (403, 404):
            raise
        return _triggers_page(
            request,
            ctx,
            survey_id,
            status_code=exc.status,
            form=form | {"active": True},
            errors=field_errors(locale_of(request), exc),
        )
    return RedirectResponse(f"/feedback/surveys/{survey_id}/triggers?done=created", 303)


@router.get(BASE + "/triggers/{trigger_id}/edit", response_class=HTMLResponse)
def edit_trigger_page(
    request: Request, ctx: Editor, survey_id: uuid.UUID, trigger_id: uuid.UUID
) -> Response:
    with ctx.transaction(readonly=True) as session:
        found = triggers.get_trigger(session, ctx.org_actor, survey_id, trigger_id)
    return _triggers_page(
        request, ctx, survey_id, template="surveys/triggers_edit.html", editing=found
    )


@router.post(BASE + "/triggers/{trigger_id}/edit", dependencies=[Depends(verify_csrf)])
def edit_trigger(
    request: Request,
    ctx: Editor,
    survey_id: uuid.UUID,
    trigger_id: uuid.UUID,
    name: TriggerForm = "",
    touchpoint_id: TriggerForm = "",
    delay_minutes: TriggerForm = "",
    sample_percent: TriggerForm = "",
    quiet_days: TriggerForm = "",
    consent_key: TriggerForm = "",
    quota: TriggerForm = "",
    quota_days: TriggerForm = "",
    active: Annotated[bool, Form()] = False,
) -> Response:
    form = _trigger_form(**{k: v for k, v in locals().items() if k in TRIGGER_FIELDS})
    try:
        data = _trigger_in(form | {"active": active})
        with ctx.transaction() as session:
            triggers.do_update_trigger(session, ctx.org_actor, survey_id, trigger_id, data)
    except KohtaamoError as exc:
        if exc.status in (403, 404):
            raise
        with ctx.transaction(readonly=True) as session:
            found = triggers.get_trigger(session, ctx.org_actor, survey_id, trigger_id)
        return _triggers_page(
            request,
            ctx,
            survey_id,
            template="surveys/triggers_edit.html",
            status_code=exc.status,
            form=form | {"active": active},
            errors=field_errors(locale_of(request), exc),
            editing=found,
        )
    return RedirectResponse(f"/feedback/surveys/{survey_id}/triggers?done=saved", 303)


@router.post(BASE + "/triggers/{trigger_id}/deactivate", dependencies=[Depends(verify_csrf)])
def deactivate_trigger(
    request: Request, ctx: Editor, survey_id: uuid.UUID, trigger_id: uuid.UUID
) -> Response:
    with ctx.transaction() as session:
        triggers.do_deactivate_trigger(session, ctx.org_actor, survey_id, trigger_id)
    return RedirectResponse(f"/feedback/surveys/{survey_id}/triggers?done=deactivated", 303)
