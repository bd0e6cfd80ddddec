"""Cases: the inbox, one case with its timeline and the moves open to it, manual cases
and complaints, moves along the recovery workflow, assignment, notes, and case rules."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from kohtaamo.api.deps import ApiContext, api_permission
from kohtaamo.api.params import NoBody
from kohtaamo.cases import repository, rules, service, triggers, workflow
from kohtaamo.cases.models import Case
from kohtaamo.cases.schemas import (
    ActionOut,
    AssignIn,
    CaseDetailOut,
    CaseEventOut,
    CaseIn,
    CaseListOut,
    CaseOut,
    CaseRuleIn,
    CaseRuleOut,
    NoteIn,
    TransitionIn,
)
from kohtaamo.kit.pagination import MAX_PAGE_SIZE

router = APIRouter(tags=["cases"])

Viewer = Annotated[ApiContext, Depends(api_permission("cases.view"))]
Handler = Annotated[ApiContext, Depends(api_permission("cases.handle"))]
Configurer = Annotated[ApiContext, Depends(api_permission("cases.configure"))]
View = Literal["mine", "team", "breaching", "all", "closed"]
CREATED_OR_FOUND = {
    200: {"description": "The same complaint id was sent before: its case, unchanged."},
    201: {"description": "A new case."},
}


def _detail(ctx: ApiContext, case_id: uuid.UUID) -> CaseDetailOut:
    with ctx.transaction(readonly=True) as session:
        case = service.get_case(session, case_id)
        events = service.timeline(session, case_id)
        return CaseDetailOut(
            case=CaseOut.model_validate(case),
            timeline=[CaseEventOut.model_validate(e) for e in events],
            actions=[
                ActionOut(
                    action=t.action,
                    target=t.target.value,
                    requires=list(t.requires),
                    message=t.message,
                )
                for t in workflow.available(case.state)
            ],
        )


@router.get("/cases", response_model=CaseListOut, summary="Cases of an inbox view")
def list_cases(
    ctx: Viewer,
    view: View = "all",
    state: workflow.State | None = None,
    touchpoint_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> CaseListOut:
    filters = {
        "view": view,
        "user_id": ctx.actor.user_id,
        "touchpoint_id": touchpoint_id,
        "state": state.value if state else None,
    }
    with ctx.transaction(readonly=True) as session:
        found = repository.inbox(session, **filters, limit=limit, offset=offset)  # type: ignore[arg-type]
        total = repository.count_inbox(session, **filters)  # type: ignore[arg-type]
        return CaseListOut(
            items=[CaseOut.model_validate(c) for c in found],
            total=total,
            limit=limit,
            offset=offset,
        )


def _open(ctx: ApiContext, body: CaseIn, response: Response) -> CaseOut:
    with ctx.transaction() as session:
        case, created = triggers.open_from_input(session, body, ctx.actor)
        response.status_code = 201 if created else 200
        return CaseOut.model_validate(case)


@router.post(
    "/cases",
    response_model=CaseOut,
    status_code=201,
    responses=CREATED_OR_FOUND,  # type: ignore[arg-type]
    summary="Open a case by hand, or record a complaint (source=complaint)",
)
def create_case(ctx: Handler, body: CaseIn, response: Response) -> CaseOut:
    return _open(ctx, body, response)


@router.post(
    "/complaints",
    response_model=CaseOut,
    status_code=201,
    responses=CREATED_OR_FOUND,  # type: ignore[arg-type]
    summary="Record a customer's complaint (from a form or another system)",
)
def create_complaint(ctx: Handler, body: CaseIn, response: Response) -> CaseOut:
    return _open(ctx, body.model_copy(update={"source": "complaint"}), response)


@router.get("/cases/{case_id}", response_model=CaseDetailOut, summary="A case with its timeline")
def get_case(ctx: Viewer, case_id: uuid.UUID) -> CaseDetailOut:
    return _detail(ctx, case_id)


@router.post(
    "/cases/{case_id}/transitions",
    response_model=CaseOut,
    summary="Take a step of the recovery workflow",
    responses={409: {"description": "The step is not open from the case's state."}},
)
def move_case(ctx: Handler, case_id: uuid.UUID, body: TransitionIn) -> CaseOut:
    with ctx.transaction() as session:
        case = service.move(session, case_id, body.action, body, ctx.actor)
        return CaseOut.model_validate(case)


@router.post(
    "/cases/{case_id}/assignment",
    response_model=CaseOut,
    summary="Give the case to a team or a person, or change its priority",
)
def assign_case(ctx: Handler, case_id: uuid.UUID, body: AssignIn) -> CaseOut:
    with ctx.transaction() as session:
        case: Case = service.assign(
            session,
            case_id,
            team_id=body.team_id,
            assignee_id=body.assignee_id,
            priority=body.priority,
            actor=ctx.actor,
        )
        return CaseOut.model_validate(case)


@router.post(
    "/cases/{case_id}/notes",
    response_model=CaseEventOut,
    status_code=201,
    summary="Add an internal note to the timeline",
)
def add_note(ctx: Handler, case_id: uuid.UUID, body: NoteIn) -> CaseEventOut:
    with ctx.transaction() as session:
        return CaseEventOut.model_validate(service.add_note(session, case_id, body.body, ctx.actor))


# --- rules ------------------------------------------------------------------------------


@router.get("/case-rules", response_model=list[CaseRuleOut], summary="The case rules")
def list_rules(ctx: Viewer) -> list[CaseRuleOut]:
    with ctx.transaction(readonly=True) as session:
        return [CaseRuleOut.model_validate(r) for r in rules.list_rules(session)]


@router.post("/case-rules", response_model=CaseRuleOut, status_code=201, summary="Add a case rule")
def create_rule(ctx: Configurer, body: CaseRuleIn) -> CaseRuleOut:
    with ctx.transaction() as session:
        return CaseRuleOut.model_validate(rules.create_rule(session, body))


@router.post(
    "/case-rule-defaults",
    response_model=list[CaseRuleOut],
    summary="Add the suggested rules the organisation does not have yet",
)
def add_default_rules(ctx: Configurer, body: NoBody = None) -> list[CaseRuleOut]:
    with ctx.transaction() as session:
        return [CaseRuleOut.model_validate(r) for r in rules.ensure_default_rules(session)]


@router.get("/case-rules/{rule_id}", response_model=CaseRuleOut, summary="A case rule")
def get_rule(ctx: Viewer, rule_id: uuid.UUID) -> CaseRuleOut:
    with ctx.transaction(readonly=True) as session:
        return CaseRuleOut.model_validate(rules.get_rule(session, rule_id))


@router.put("/case-rules/{rule_id}", response_model=CaseRuleOut, summary="Change a case rule")
def update_rule(ctx: Configurer, rule_id: uuid.UUID, body: CaseRuleIn) -> CaseRuleOut:
    with ctx.transaction() as session:
        return CaseRuleOut.model_validate(rules.update_rule(session, rule_id, body))


@router.delete("/case-rules/{rule_id}", status_code=204, summary="Delete a case rule")
def delete_rule(ctx: Configurer, rule_id: uuid.UUID) -> Response:
    with ctx.transaction() as session:
        rules.delete_rule(session, rule_id)
    return Response(status_code=204)
