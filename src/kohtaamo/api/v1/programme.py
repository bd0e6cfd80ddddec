"""API: the programme's pyramid (elements, standards, measures, actions)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.api.deps import ApiContext, api_permission
from kohtaamo.programme import service
from kohtaamo.programme.models import Action, Element, Measure, Standard
from kohtaamo.programme.schemas import ActionIn, ActionStatusIn, ElementIn, MeasureIn, StandardIn

router = APIRouter(tags=["programme"])

Viewer = Annotated[ApiContext, Depends(api_permission("programme.view"))]
Editor = Annotated[ApiContext, Depends(api_permission("programme.edit"))]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ElementOut(_Out):
    id: uuid.UUID
    key: str
    parent_id: uuid.UUID | None
    position: int
    name_fi: str
    name_en: str
    meaning_fi: str
    meaning_en: str


class StandardOut(_Out):
    id: uuid.UUID
    key: str
    element_id: uuid.UUID
    team_id: uuid.UUID | None
    touchpoint_ids: list[uuid.UUID] = []
    title_fi: str
    title_en: str
    description_fi: str
    description_en: str
    check_fi: str
    check_en: str
    active: bool


class MeasureOut(_Out):
    id: uuid.UUID
    key: str
    element_id: uuid.UUID
    standard_id: uuid.UUID | None
    name_fi: str
    name_en: str
    metric: str
    touchpoint_id: uuid.UUID | None
    journey_id: uuid.UUID | None
    segment: str | None
    target: float
    direction: str
    tolerance: float
    window_days: int


class ActionOut(_Out):
    id: uuid.UUID
    number: int
    title: str
    description: str
    element_id: uuid.UUID | None
    standard_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    team_id: uuid.UUID | None
    status: str
    due_date: date | None
    expected_effect: str
    started_on: date | None
    done_on: date | None
    measure_ids: list[uuid.UUID] = []
    case_ids: list[uuid.UUID] = []


def _standard_out(session: Session, standard: Standard) -> StandardOut:
    out = StandardOut.model_validate(standard)
    out.touchpoint_ids = service.standard_touchpoints(session, standard.id)
    return out


def _action_out(session: Session, action: Action) -> ActionOut:
    out = ActionOut.model_validate(action)
    out.measure_ids, out.case_ids = service.action_links(session, action.id)
    return out


# --- elements -------------------------------------------------------------------------


@router.get("/programme/elements", summary="Experience elements and sub-elements")
def list_elements(ctx: Viewer) -> list[ElementOut]:
    with ctx.transaction(readonly=True) as session:
        rows = session.scalars(select(Element).order_by(Element.position, Element.name_en))
        return [ElementOut.model_validate(e) for e in rows]


@router.post("/programme/elements", status_code=201, summary="Add an element")
def create_element(ctx: Editor, body: ElementIn) -> ElementOut:
    with ctx.transaction() as session:
        return ElementOut.model_validate(service.create_element(session, body, ctx.actor))


@router.get("/programme/elements/{element_id}", summary="An element")
def get_element(ctx: Viewer, element_id: uuid.UUID) -> ElementOut:
    with ctx.transaction(readonly=True) as session:
        return ElementOut.model_validate(service.get_element(session, element_id))


@router.put("/programme/elements/{element_id}", summary="Change an element")
def update_element(ctx: Editor, element_id: uuid.UUID, body: ElementIn) -> ElementOut:
    with ctx.transaction() as session:
        element = service.update_element(session, element_id, body, ctx.actor)
        return ElementOut.model_validate(element)


@router.delete(
    "/programme/elements/{element_id}",
    status_code=204,
    summary="Delete an element with its sub-elements, standards and measures",
)
def delete_element(ctx: Editor, element_id: uuid.UUID) -> Response:
    with ctx.transaction() as session:
        service.delete_element(session, element_id, ctx.actor)
    return Response(status_code=204)


# --- standards ------------------------------------------------------------------------


@router.get("/programme/standards", summary="Standards of work")
def list_standards(ctx: Viewer) -> list[StandardOut]:
    with ctx.transaction(readonly=True) as session:
        rows = list(session.scalars(select(Standard).order_by(Standard.title_en)))
        return [_standard_out(session, s) for s in rows]


@router.post("/programme/standards", status_code=201, summary="Add a standard")
def create_standard(ctx: Editor, body: StandardIn) -> StandardOut:
    with ctx.transaction() as session:
        return _standard_out(session, service.create_standard(session, body, ctx.actor))


@router.put("/programme/standards/{standard_id}", summary="Change a standard")
def update_standard(ctx: Editor, standard_id: uuid.UUID, body: StandardIn) -> StandardOut:
    with ctx.transaction() as session:
        standard = service.update_standard(session, standard_id, body, ctx.actor)
        return _standard_out(session, standard)


# --- measures -------------------------------------------------------------------------


@router.get("/programme/measures", summary="Measures with their targets")
def list_measures(ctx: Viewer) -> list[MeasureOut]:
    with ctx.transaction(readonly=True) as session:
        rows = session.scalars(select(Measure).order_by(Measure.name_en))
        return [MeasureOut.model_validate(m) for m in rows]


@router.post("/programme/measures", status_code=201, summary="Add a measure")
def create_measure(ctx: Editor, body: MeasureIn) -> MeasureOut:
    with ctx.transaction() as session:
        return MeasureOut.model_validate(service.create_measure(session, body, ctx.actor))


@router.put("/programme/measures/{measure_id}", summary="Change a measure")
def update_measure(ctx: Editor, measure_id: uuid.UUID, body: MeasureIn) -> MeasureOut:
    with ctx.transaction() as session:
        measure = service.update_measure(session, measure_id, body, ctx.actor)
        return MeasureOut.model_validate(measure)


# --- actions --------------------------------------------------------------------------


@router.get("/programme/actions", summary="Actions, by number")
def list_actions(ctx: Viewer) -> list[ActionOut]:
    with ctx.transaction(readonly=True) as session:
        rows = list(session.scalars(select(Action).order_by(Action.number)))
        return [_action_out(session, a) for a in rows]


@router.post("/programme/actions", status_code=201, summary="Add an action")
def create_action(ctx: Editor, body: ActionIn) -> ActionOut:
    with ctx.transaction() as session:
        return _action_out(session, service.create_action(session, body, ctx.actor))


@router.put("/programme/actions/{action_id}", summary="Change an action")
def update_action(ctx: Editor, action_id: uuid.UUID, body: ActionIn) -> ActionOut:
    with ctx.transaction() as session:
        return _action_out(session, service.update_action(session, action_id, body, ctx.actor))


@router.post("/programme/actions/{action_id}/status", summary="Move an action")
def set_action_status(ctx: Editor, action_id: uuid.UUID, body: ActionStatusIn) -> ActionOut:
    with ctx.transaction() as session:
        action = service.set_action_status(session, action_id, body.status, ctx.actor)
        return _action_out(session, action)
