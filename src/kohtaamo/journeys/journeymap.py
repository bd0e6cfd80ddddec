"""Use cases of the journey editor: journeys, ordered stages, touchpoints placed on them.

Positions are kept dense (0, 1, 2, …) within a journey's stages and within a stage's
touchpoints, so a drag-to-order editor can send "put X at position n" and get back the
order it shows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.errors import Conflict, InvalidInput, NotFound
from kohtaamo.journeys import repository as repo
from kohtaamo.journeys.models import Journey, JourneyTouchpoint, Stage
from kohtaamo.journeys.schemas import (
    JourneyIn,
    JourneyOut,
    JourneyUpdate,
    PlacementIn,
    PlacementOut,
    StageIn,
    StageOrder,
    StageOut,
    StageUpdate,
)
from kohtaamo.journeys.service import check_key


@dataclass(frozen=True)
class JourneyView:
    journey: Journey
    stages: list[tuple[Stage, list[tuple[JourneyTouchpoint, str]]]]

    def out(self) -> JourneyOut:
        j = self.journey
        return JourneyOut(
            id=j.id,
            key=j.key,
            name=j.name,
            description=j.description,
            owner_team_id=j.owner_team_id,
            target_segment=j.target_segment,
            stages=[
                StageOut(
                    id=s.id,
                    position=s.position,
                    name_fi=s.name_fi,
                    name_en=s.name_en,
                    name_sv=s.name_sv,
                    touchpoints=[
                        PlacementOut(touchpoint_id=p.touchpoint_id, key=key, position=p.position)
                        for p, key in placed
                    ],
                )
                for s, placed in self.stages
            ],
        )


def get_journey(session: Session, actor: Actor, journey_id: uuid.UUID) -> Journey:
    actor.require("journeys.view")
    found = repo.journey(session, journey_id)
    if found is None:
        raise NotFound("No such journey.")
    return found


def journey_view(session: Session, actor: Actor, journey_id: uuid.UUID) -> JourneyView:
    journey = get_journey(session, actor, journey_id)
    by_stage: dict[uuid.UUID, list[tuple[JourneyTouchpoint, str]]] = {}
    for placed, key in repo.placements(session, journey.id):
        by_stage.setdefault(placed.stage_id, []).append((placed, key))
    return JourneyView(journey, [(s, by_stage.get(s.id, [])) for s in journey.stages])


def list_journeys(session: Session, actor: Actor) -> list[Journey]:
    actor.require("journeys.view")
    return repo.journeys(session)


def _check_team(session: Session, team_id: uuid.UUID | None) -> None:
    if team_id is not None and repo.team(session, team_id) is None:
        raise InvalidInput("Choose an existing team as the owner.", field="owner_team_id")


def do_create_journey(session: Session, actor: Actor, data: JourneyIn) -> Journey:
    actor.require("journeys.edit")
    check_key(data.key)
    if repo.journey_by_key(session, data.key) is not None:
        raise Conflict("A journey with this key already exists.", field="key")
    _check_team(session, data.owner_team_id)
    journey = Journey(
        key=data.key,
        name=data.name,
        description=data.description,
        owner_team_id=data.owner_team_id,
        target_segment=data.target_segment or None,
    )
    session.add(journey)
    session.flush()
    for position, stage in enumerate(data.stages):
        session.add(
            Stage(
                journey_id=journey.id,
                position=position,
                name_fi=stage.name_fi,
                name_en=stage.name_en,
                name_sv=stage.name_sv,
            )
        )
    session.flush()
    session.refresh(journey, ["stages"])
    return journey


def do_update_journey(
    session: Session, actor: Actor, journey_id: uuid.UUID, data: JourneyUpdate
) -> Journey:
    actor.require("journeys.edit")
    journey = get_journey(session, actor, journey_id)
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        raise InvalidInput("This field is required.", field="name")
    if "owner_team_id" in changes:
        _check_team(session, changes["owner_team_id"])
    for name, value in changes.items():
        setattr(journey, name, "" if value is None and name == "description" else value)
    session.flush()
    return journey


def do_delete_journey(session: Session, actor: Actor, journey_id: uuid.UUID) -> None:
    """Delete a journey with its stages and placements; touchpoints and events stay."""
    actor.require("journeys.edit")
    session.delete(get_journey(session, actor, journey_id))
    session.flush()


# --- stages -------------------------------------------------------------------------------


def _stage(session: Session, journey: Journey, stage_id: uuid.UUID) -> Stage:
    found = repo.stage(session, journey.id, stage_id)
    if found is None:
        raise NotFound("No such stage.")
    return found


def _renumber(session: Session, stages: list[Stage]) -> None:
    """Give ``stages`` positions 0..n-1 in list order.

    (journey, position) is unique, so positions first move out of the way (negative)
    and are flushed before taking their final values.
    """
    for i, stage in enumerate(stages):
        stage.position = -1 - i
    session.flush()
    for i, stage in enumerate(stages):
        stage.position = i
    session.flush()


def do_add_stage(session: Session, actor: Actor, journey_id: uuid.UUID, data: StageIn) -> Stage:
    actor.require("journeys.edit")
    journey = get_journey(session, actor, journey_id)
    stages = list(journey.stages)
    if len(stages) >= 100:
        raise InvalidInput("A journey has at most 100 stages.")
    stage = Stage(
        journey_id=journey.id,
        position=-1000,
        name_fi=data.name_fi,
        name_en=data.name_en,
        name_sv=data.name_sv,
    )
    session.add(stage)
    at = len(stages) if data.position is None else min(data.position, len(stages))
    stages.insert(at, stage)
    _renumber(session, stages)
    session.expire(journey, ["stages"])
    return stage


def do_update_stage(
    session: Session, actor: Actor, journey_id: uuid.UUID, stage_id: uuid.UUID, data: StageUpdate
) -> Stage:
    actor.require("journeys.edit")
    stage = _stage(session, get_journey(session, actor, journey_id), stage_id)
    for name, value in data.model_dump(exclude_unset=True).items():
        if value is None and name != "name_sv":
            raise InvalidInput("This field is required.", field=name)
        setattr(stage, name, value or "")
    session.flush()
    return stage


def do_delete_stage(
    session: Session, actor: Actor, journey_id: uuid.UUID, stage_id: uuid.UUID
) -> None:
    """Delete a stage; the touchpoints placed on it leave this journey (not the catalogue)."""
    actor.require("journeys.edit")
    journey = get_journey(session, actor, journey_id)
    stage = _stage(session, journey, stage_id)
    rest = [s for s in journey.stages if s.id != stage.id]
    session.delete(stage)
    session.flush()
    _renumber(session, rest)
    session.expire(journey, ["stages"])


def do_reorder_stages(
    session: Session, actor: Actor, journey_id: uuid.UUID, data: StageOrder
) -> list[Stage]:
    actor.require("journeys.edit")
    journey = get_journey(session, actor, journey_id)
    by_id = {s.id: s for s in journey.stages}
    if len(data.stage_ids) != len(by_id) or set(data.stage_ids) != by_id.keys():
        raise InvalidInput("List every stage of the journey exactly once.", field="stage_ids")
    ordered = [by_id[i] for i in data.stage_ids]
    _renumber(session, ordered)
    session.expire(journey, ["stages"])
    return ordered


# --- placements ---------------------------------------------------------------------------


def do_place_touchpoint(
    session: Session,
    actor: Actor,
    journey_id: uuid.UUID,
    touchpoint_id: uuid.UUID,
    data: PlacementIn,
) -> JourneyTouchpoint:
    """Place a touchpoint on a stage at a position, or move it there if already placed."""
    actor.require("journeys.edit")
    journey = get_journey(session, actor, journey_id)
    if repo.touchpoint(session, touchpoint_id) is None:
        raise NotFound("No such touchpoint.")
    target = repo.stage(session, journey.id, data.stage_id)
    if target is None:
        raise InvalidInput("Choose a stage of this journey.", field="stage_id")
    placed = repo.placement(session, journey.id, touchpoint_id)
    if placed is not None and placed.stage_id != target.id:
        old = [p for p in repo.stage_placements(session, placed.stage_id) if p.id != placed.id]
        _renumber_placements(old)
    if placed is None:
        placed = JourneyTouchpoint(
            journey_id=journey.id, stage_id=target.id, touchpoint_id=touchpoint_id, position=0
        )
        session.add(placed)
    placed.stage_id = target.id
    row = [p for p in repo.stage_placements(session, target.id) if p.id != placed.id]
    at = len(row) if data.position is None else min(data.position, len(row))
    row.insert(at, placed)
    _renumber_placements(row)
    session.flush()
    return placed


def do_remove_touchpoint(
    session: Session, actor: Actor, journey_id: uuid.UUID, touchpoint_id: uuid.UUID
) -> None:
    actor.require("journeys.edit")
    journey = get_journey(session, actor, journey_id)
    placed = repo.placement(session, journey.id, touchpoint_id)
    if placed is None:
        raise NotFound("This touchpoint is not on this journey.")
    rest = [p for p in repo.stage_placements(session, placed.stage_id) if p.id != placed.id]
    session.delete(placed)
    _renumber_placements(rest)
    session.flush()


def _renumber_placements(row: list[JourneyTouchpoint]) -> None:
    for i, placed in enumerate(row):
        placed.position = i
