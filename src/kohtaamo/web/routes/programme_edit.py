"""The programme's forms (programme.edit): a new element or sub-element, a standard on
touchpoints, a measure with its target, an action, and an action's status. Each form
shows its errors next to the fields, in the reader's language, and keeps what was typed;
the service saves nothing of a refused form."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.accounts import repository as accounts_repo
from kohtaamo.analytics import catalogue
from kohtaamo.errors import InvalidInput, KohtaamoError
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.programme import service
from kohtaamo.programme.models import Element, Measure, Standard
from kohtaamo.programme.schemas import ActionIn, ElementIn, MeasureIn, StandardIn
from kohtaamo.programme.vocab import ACTION_STATUS_LABELS, DIRECTION_LABELS, ActionStatus
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.journey_report import touchpoint_name
from kohtaamo.web.programme_view import pick
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.validation import parsed

router = APIRouter(prefix="/programme")

Editor = Annotated[WebContext, Depends(page_permission("programme.edit"))]

KINDS: dict[str, tuple[str, type[BaseModel]]] = {
    "elements": (N_("New experience element"), ElementIn),
    "standards": (N_("New standard"), StandardIn),
    "measures": (N_("New measure"), MeasureIn),
    "actions": (N_("New action"), ActionIn),
}
LISTS = {"touchpoint_ids", "measure_ids"}  # multi-selects


def _choices(session: Session, locale: str) -> dict[str, list[tuple[str, str]]]:
    elements = list(session.scalars(select(Element).order_by(Element.position)))
    return {
        "elements": [(str(e.id), pick(locale, e.name_fi, e.name_en)) for e in elements],
        "standards": [
            (str(s.id), pick(locale, s.title_fi, s.title_en))
            for s in session.scalars(select(Standard).order_by(Standard.title_en))
        ],
        "measures": [
            (str(m.id), pick(locale, m.name_fi, m.name_en))
            for m in session.scalars(select(Measure).order_by(Measure.name_en))
        ],
        "touchpoints": sorted(
            ((str(t.id), touchpoint_name(t, locale)) for t in journeys_repo.touchpoints(session)),
            key=lambda p: p[1],
        ),
        "journeys": [(str(j.id), j.name) for j in journeys_repo.journeys(session)],
        "teams": [(str(t.id), t.name) for t in journeys_repo.teams(session)],
        "people": [
            (str(m.user_id), m.user.name) for m in accounts_repo.members(session) if m.is_active
        ],
        "metrics": [
            (m.slug, m.text(locale))
            for m in catalogue.listing()
            if not m.slug.startswith("mean:") and m.slug != "responses"
        ],
        "directions": [(d.value, gettext(locale, label)) for d, label in DIRECTION_LABELS.items()],
    }


def _page(
    request: Request,
    ctx: WebContext,
    kind: str,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    locale = locale_of(request)
    with ctx.transaction(readonly=True) as session:
        choices = _choices(session, locale)
    return render(
        request,
        "programme/edit.html",
        active="programme",
        kind=kind,
        title=gettext(locale, KINDS[kind][0]),
        values=values,
        errors=errors or {},
        choices=choices,
        status_code=status_code,
    )


def new_form(request: Request, ctx: Editor, kind: str) -> Response:
    values: dict[str, Any] = dict(request.query_params)
    return _page(request, ctx, kind, values)


def _clean(form: Any) -> dict[str, Any]:
    """The posted form as the schema's input: blanks are absent, lists are lists."""
    data: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token":
            continue
        if key in LISTS:
            data[key] = [v for v in form.getlist(key) if v]
        elif form[key] != "":
            data[key] = form[key]
    return data


async def create(request: Request, ctx: Editor, kind: str) -> Response:
    form = await request.form()
    data = _clean(form)
    try:
        item = parsed(KINDS[kind][1], data)
        with ctx.transaction() as session:
            actor = ctx.org_actor
            if isinstance(item, ElementIn):
                service.create_element(session, item, actor)
            elif isinstance(item, StandardIn):
                service.create_standard(session, item, actor)
            elif isinstance(item, MeasureIn):
                service.create_measure(session, item, actor)
            elif isinstance(item, ActionIn):
                service.create_action(session, item, actor)
    except KohtaamoError as exc:
        errors = field_errors(locale_of(request), exc)
        return _page(request, ctx, kind, data, errors, exc.status)
    return RedirectResponse(f"/programme?done={kind}", status_code=303)


def _routes(kind: str) -> None:
    """GET and POST /programme/<kind>/new: fixed addresses, so that no other page's
    /programme/…/new is taken."""

    def show(request: Request, ctx: Editor) -> Response:
        return new_form(request, ctx, kind)

    async def save(request: Request, ctx: Editor) -> Response:
        return await create(request, ctx, kind)

    show.__name__, save.__name__ = f"new_{kind}_form", f"create_{kind}"
    router.add_api_route(f"/{kind}/new", show, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(
        f"/{kind}/new", save, methods=["POST"], dependencies=[Depends(verify_csrf)]
    )


for _kind in KINDS:
    _routes(_kind)


@router.post("/actions/{action_id}/status", dependencies=[Depends(verify_csrf)])
async def move_action(request: Request, ctx: Editor, action_id: uuid.UUID) -> Response:
    form = await request.form()
    status = str(form.get("status", ""))
    if status not in {s.value for s in ActionStatus}:
        raise InvalidInput(
            "Choose one of: %(options)s.",
            field="status",
            options=", ".join(
                gettext(locale_of(request), v) for v in ACTION_STATUS_LABELS.values()
            ),
        )
    with ctx.transaction() as session:
        service.set_action_status(session, action_id, ActionStatus(status), ctx.org_actor)
    return RedirectResponse("/programme?done=moved#actions-title", status_code=303)
