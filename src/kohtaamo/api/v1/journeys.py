"""Teams, journeys with their stages and placed touchpoints, and the touchpoint catalogue."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from kohtaamo.api.deps import ApiContext, api_permission
from kohtaamo.journeys import journeymap, service
from kohtaamo.journeys.catalogue import Channel, FactorGroup
from kohtaamo.journeys.schemas import (
    JourneyIn,
    JourneyOut,
    JourneyUpdate,
    PlacementIn,
    StageIn,
    StageOrder,
    StageUpdate,
    TeamIn,
    TeamOut,
    TouchpointIn,
    TouchpointOut,
    TouchpointUpdate,
)

router = APIRouter(tags=["journeys"])

Viewer = Annotated[ApiContext, Depends(api_permission("journeys.view"))]
Editor = Annotated[ApiContext, Depends(api_permission("journeys.edit"))]


# --- teams ------------------------------------------------------------------------------


@router.get("/teams", response_model=list[TeamOut], summary="Teams that own touchpoints")
def list_teams(ctx: Viewer) -> list[TeamOut]:
    with ctx.transaction(readonly=True) as session:
        return [TeamOut.model_validate(t) for t in service.list_teams(session, ctx.actor)]


@router.post("/teams", response_model=TeamOut, status_code=201, summary="Create a team")
def create_team(ctx: Editor, body: TeamIn) -> TeamOut:
    with ctx.transaction() as session:
        return TeamOut.model_validate(service.do_create_team(session, ctx.actor, body))


@router.patch("/teams/{team_id}", response_model=TeamOut, summary="Rename a team")
def rename_team(ctx: Editor, team_id: uuid.UUID, body: TeamIn) -> TeamOut:
    with ctx.transaction() as session:
        return TeamOut.model_validate(service.do_rename_team(session, ctx.actor, team_id, body))


@router.delete("/teams/{team_id}", status_code=204, summary="Delete a team that owns nothing")
def delete_team(ctx: Editor, team_id: uuid.UUID) -> Response:
    with ctx.transaction() as session:
        service.do_delete_team(session, ctx.actor, team_id)
    return Response(status_code=204)


# --- touchpoints ------------------------------------------------------------------------


@router.get("/touchpoints", response_model=list[TouchpointOut], summary="The touchpoint catalogue")
def list_touchpoints(
    ctx: Viewer,
    channel: Channel | None = None,
    team: Annotated[uuid.UUID | None, Query(description="Owning team")] = None,
    factor_group: FactorGroup | None = None,
    journey: Annotated[uuid.UUID | None, Query(description="Placed on this journey")] = None,
    critical: bool | None = None,
) -> list[TouchpointOut]:
    with ctx.transaction(readonly=True) as session:
        found = service.list_touchpoints(
            session,
            ctx.actor,
            channel=channel,
            team_id=team,
            factor_group=factor_group,
            journey_id=journey,
            critical=critical,
        )
        return [TouchpointOut.model_validate(t) for t in found]


@router.post(
    "/touchpoints", response_model=TouchpointOut, status_code=201, summary="Add a touchpoint"
)
def create_touchpoint(ctx: Editor, body: TouchpointIn) -> TouchpointOut:
    with ctx.transaction() as session:
        return TouchpointOut.model_validate(service.do_create_touchpoint(session, ctx.actor, body))


@router.get("/touchpoints/{touchpoint_id}", response_model=TouchpointOut, summary="A touchpoint")
def get_touchpoint(ctx: Viewer, touchpoint_id: uuid.UUID) -> TouchpointOut:
    with ctx.transaction(readonly=True) as session:
        return TouchpointOut.model_validate(
            service.get_touchpoint(session, ctx.actor, touchpoint_id)
        )


@router.patch(
    "/touchpoints/{touchpoint_id}", response_model=TouchpointOut, summary="Change a touchpoint"
)
def update_touchpoint(
    ctx: Editor, touchpoint_id: uuid.UUID, body: TouchpointUpdate
) -> TouchpointOut:
    with ctx.transaction() as session:
        return TouchpointOut.model_validate(
            service.do_update_touchpoint(session, ctx.actor, touchpoint_id, body)
        )


@router.delete(
    "/touchpoints/{touchpoint_id}",
    status_code=204,
    summary="Delete a touchpoint no event refers to",
    responses={409: {"description": "Customers have met this touchpoint."}},
)
def delete_touchpoint(ctx: Editor, touchpoint_id: uuid.UUID) -> Response:
    with ctx.transaction() as session:
        service.do_delete_touchpoint(session, ctx.actor, touchpoint_id)
    return Response(status_code=204)


# --- journeys ---------------------------------------------------------------------------


@router.get("/journeys", response_model=list[JourneyOut], summary="Journeys with their stages")
def list_journeys(ctx: Viewer) -> list[JourneyOut]:
    with ctx.transaction(readonly=True) as session:
        return [
            journeymap.journey_view(session, ctx.actor, j.id).out()
            for j in journeymap.list_journeys(session, ctx.actor)
        ]


@router.post("/journeys", response_model=JourneyOut, status_code=201, summary="Create a journey")
def create_journey(ctx: Editor, body: JourneyIn) -> JourneyOut:
    with ctx.transaction() as session:
        journey = journeymap.do_create_journey(session, ctx.actor, body)
        return journeymap.journey_view(session, ctx.actor, journey.id).out()


@router.get("/journeys/{journey_id}", response_model=JourneyOut, summary="A journey")
def get_journey(ctx: Viewer, journey_id: uuid.UUID) -> JourneyOut:
    with ctx.transaction(readonly=True) as session:
        return journeymap.journey_view(session, ctx.actor, journey_id).out()


@router.patch("/journeys/{journey_id}", response_model=JourneyOut, summary="Change a journey")
def update_journey(ctx: Editor, journey_id: uuid.UUID, body: JourneyUpdate) -> JourneyOut:
    with ctx.transaction() as session:
        journeymap.do_update_journey(session, ctx.actor, journey_id, body)
        return journeymap.journey_view(session, ctx.actor, journey_id).out()


@router.delete("/journeys/{journey_id}", status_code=204, summary="Delete a journey")
def delete_journey(ctx: Editor, journey_id: uuid.UUID) -> Response:
    with ctx.transaction() as session:
        journeymap.do_delete_journey(session, ctx.actor, journey_id)
    return Response(status_code=204)


@router.post(
    "/journeys/{journey_id}/stages",
    response_model=JourneyOut,
    status_code=201,
    summary="Add a stage",
)
def add_stage(ctx: Editor, journey_id: uuid.UUID, body: StageIn) -> JourneyOut:
    with ctx.transaction() as session:
        journeymap.do_add_stage(session, ctx.actor, journey_id, body)
        return journeymap.journey_view(session, ctx.actor, journey_id).out()


@router.put(
    "/journeys/{journey_id}/stages", response_model=JourneyOut, summary="Put the stages in order"
)
def reorder_stages(ctx: Editor, journey_id: uuid.UUID, body: StageOrder) -> JourneyOut:
    with ctx.transaction() as session:
        journeymap.do_reorder_stages(session, ctx.actor, journey_id, body)
        return journeymap.journey_view(session, ctx.actor, journey_id).out()


@router.patch(
    "/journeys/{journey_id}/stages/{stage_id}", response_model=JourneyOut, summary="Rename a stage"
)
def update_stage(
    ctx: Editor, journey_id: uuid.UUID, stage_id: uuid.UUID, body: StageUpdate
) -> JourneyOut:
    with ctx.transaction() as session:
        journeymap.do_update_stage(session, ctx.actor, journey_id, stage_id, body)
        return journeymap.journey_view(session, ctx.actor, journey_id).out()


@router.delete(
    "/journeys/{journey_id}/stages/{stage_id}", response_model=JourneyOut, summary="Delete a stage"
)
def delete_stage(ctx: Editor, journey_id: uuid.UUID, stage_id: uuid.UUID) -> JourneyOut:
    with ctx.transaction() as session:
        journeymap.do_delete_stage(session, ctx.actor, journey_id, stage_id)
        return journeymap.journey_view(session, ctx.actor, journey_id).out()


@router.put(
    "/journeys/{journey_id}/touchpoints/{touchpoint_id}",
    response_model=JourneyOut,
    summary="Place a touchpoint on a stage, or move it",
)
def place_touchpoint(
    ctx: Editor, journey_id: uuid.UUID, touchpoint_id: uuid.UUID, body: PlacementIn
) -> JourneyOut:
    with ctx.transaction() as session:
        journeymap.do_place_touchpoint(session, ctx.actor, journey_id, touchpoint_id, body)
        return journeymap.journey_view(session, ctx.actor, journey_id).out()


@router.delete(
    "/journeys/{journey_id}/touchpoints/{touchpoint_id}",
    response_model=JourneyOut,
    summary="Take a touchpoint off the journey",
)
def remove_touchpoint(ctx: Editor, journey_id: uuid.UUID, touchpoint_id: uuid.UUID) -> JourneyOut:
    with ctx.transaction() as session:
        journeymap.do_remove_touchpoint(session, ctx.actor, journey_id, touchpoint_id)
        return journeymap.journey_view(session, ctx.actor, journey_id).out()
