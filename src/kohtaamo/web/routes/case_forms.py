"""The forms of the case page: a move of the workflow (``/cases/{id}/move/{action}``),
the assignment and a note. Each works without JavaScript: success redirects back to the
case (303), a refusal re-renders the page with the reason next to the form it came
from and the user's input kept; the case is then unchanged (the transaction rolls back).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from kohtaamo.cases import service, workflow
from kohtaamo.cases.schemas import MoveIn
from kohtaamo.errors import Conflict, KohtaamoError, NotFound
from kohtaamo.http.context import locale_of
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.render import field_errors
from kohtaamo.web.routes.case_page import REQUIREMENT_FIELDS, case_page
from kohtaamo.web.routes.journeys import optional_id, validated

router = APIRouter()

Handler = Annotated[WebContext, Depends(page_permission("cases.handle"))]
MOVE_FIELDS = tuple(dict.fromkeys(f for fields in REQUIREMENT_FIELDS.values() for f in fields))
# Fields MoveIn takes as "absent" rather than as an empty text.
OPTIONAL_FIELDS = frozenset(
    {"plan_due", "root_cause_touchpoint_id", "root_cause_theme", "root_cause_standard"}
)


def _refused(
    request: Request,
    ctx: WebContext,
    case_id: uuid.UUID,
    exc: KohtaamoError,
    error_at: str,
    form: dict[str, str],
) -> Response:
    if isinstance(exc, NotFound):
        raise exc
    errors = field_errors(locale_of(request), exc)  # the page puts stray ones on top
    return case_page(
        request, ctx, case_id, status_code=exc.status, form=form, errors=errors, error_at=error_at
    )


@router.post("/{case_id}/move/{action}", dependencies=[Depends(verify_csrf)])
async def move_case(request: Request, ctx: Handler, case_id: uuid.UUID, action: str) -> Response:
    """One step of the workflow. Only the fields the step requires are read; the service
    checks the table (``workflow.transition``) and the requirements again."""
    raw = await request.form()
    form = {f: str(raw.get(f) or "")[:10000] for f in MOVE_FIELDS}
    step = workflow.BY_ACTION.get(action)
    wanted = {f for req in (step.requires if step else ()) for f in REQUIREMENT_FIELDS[req]}
    values: dict[str, object] = {f: form[f].strip() for f in wanted}
    if "message_body" in values:
        values["message_body"] = form["message_body"]  # the handler's own layout
    for name in OPTIONAL_FIELDS & wanted:
        values[name] = values[name] or None
    try:
        if "root_cause_touchpoint_id" in values:
            values["root_cause_touchpoint_id"] = optional_id(
                form["root_cause_touchpoint_id"], "root_cause_touchpoint_id"
            )
        data = validated(MoveIn, values)
        with ctx.transaction() as session:
            service.move(session, case_id, action, data, ctx.org_actor)
    except workflow.TransitionRefused as exc:
        refused = Conflict(exc.reason)
        return _refused(request, ctx, case_id, refused, action, form)
    except KohtaamoError as exc:
        return _refused(request, ctx, case_id, exc, action, form)
    return RedirectResponse(f"/cases/{case_id}?done=moved", status_code=303)


@router.post("/{case_id}/assign", dependencies=[Depends(verify_csrf)])
def assign_case(
    request: Request,
    ctx: Handler,
    case_id: uuid.UUID,
    team_id: Annotated[str, Form(max_length=40)] = "",
    assignee_id: Annotated[str, Form(max_length=40)] = "",
    priority: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    form = {"team_id": team_id, "assignee_id": assignee_id, "priority": priority}
    try:
        team = optional_id(team_id, "team_id")
        person = optional_id(assignee_id, "assignee_id")
        with ctx.transaction() as session:
            service.assign(
                session,
                case_id,
                team_id=team,
                assignee_id=person,
                priority=priority or None,
                actor=ctx.org_actor,
            )
    except KohtaamoError as exc:
        return _refused(request, ctx, case_id, exc, "assign", form)
    return RedirectResponse(f"/cases/{case_id}?done=assigned", status_code=303)


@router.post("/{case_id}/note", dependencies=[Depends(verify_csrf)])
def add_note(
    request: Request,
    ctx: Handler,
    case_id: uuid.UUID,
    body: Annotated[str, Form(max_length=10000)] = "",
) -> Response:
    form = {"body": body}
    try:
        with ctx.transaction() as session:
            service.add_note(session, case_id, body, ctx.org_actor)
    except KohtaamoError as exc:
        return _refused(request, ctx, case_id, exc, "note", form)
    return RedirectResponse(f"/cases/{case_id}?done=noted#timeline", status_code=303)
