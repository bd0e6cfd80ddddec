"""Use cases of the touchpoint catalogue and its owning teams.

Services flush, never commit: the caller owns the transaction. ``check_*`` validates,
``do_*`` changes state. Journeys and their stages are in ``journeymap``; customers in
``customers``; interaction events in ``ingest``.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.errors import Conflict, InvalidInput, NotFound
from kohtaamo.journeys import repository as repo
from kohtaamo.journeys.catalogue import Channel, FactorGroup
from kohtaamo.journeys.ingest import forget_touchpoints_after_commit
from kohtaamo.journeys.models import Team, Touchpoint
from kohtaamo.journeys.schemas import TeamIn, TouchpointIn, TouchpointUpdate

KEY_RE = re.compile(r"^[a-z0-9_.-]{1,80}$")


def check_key(key: str, field: str = "key") -> None:
    if not KEY_RE.match(key):
        raise InvalidInput(
            "A key may contain only lowercase letters, digits, '_', '.' and '-' "
            "(at most 80 characters).",
            field=field,
        )


# --- teams ------------------------------------------------------------------------------


def get_team(session: Session, actor: Actor, team_id: uuid.UUID) -> Team:
    actor.require("journeys.view")
    team = repo.team(session, team_id)
    if team is None:
        raise NotFound("No such team.")
    return team


def list_teams(session: Session, actor: Actor) -> list[Team]:
    actor.require("journeys.view")
    return repo.teams(session)


def check_team_name(session: Session, name: str, *, exclude: uuid.UUID | None = None) -> None:
    existing = repo.team_by_name(session, name)
    if existing is not None and existing.id != exclude:
        raise Conflict("A team with this name already exists.", field="name")


def do_create_team(session: Session, actor: Actor, data: TeamIn) -> Team:
    actor.require("journeys.edit")
    check_team_name(session, data.name)
    team = Team(name=data.name)
    session.add(team)
    session.flush()
    return team


def do_rename_team(session: Session, actor: Actor, team_id: uuid.UUID, data: TeamIn) -> Team:
    actor.require("journeys.edit")
    team = get_team(session, actor, team_id)
    check_team_name(session, data.name, exclude=team.id)
    team.name = data.name
    session.flush()
    return team


def do_delete_team(session: Session, actor: Actor, team_id: uuid.UUID) -> None:
    actor.require("journeys.edit")
    team = get_team(session, actor, team_id)
    if repo.team_owns_touchpoints(session, team.id):
        raise Conflict("This team owns touchpoints. Give them another owner first.")
    session.delete(team)
    session.flush()


# --- touchpoints ------------------------------------------------------------------------


def get_touchpoint(session: Session, actor: Actor, touchpoint_id: uuid.UUID) -> Touchpoint:
    actor.require("journeys.view")
    found = repo.touchpoint(session, touchpoint_id)
    if found is None:
        raise NotFound("No such touchpoint.")
    return found


def list_touchpoints(
    session: Session,
    actor: Actor,
    *,
    channel: Channel | None = None,
    team_id: uuid.UUID | None = None,
    factor_group: FactorGroup | None = None,
    journey_id: uuid.UUID | None = None,
    critical: bool | None = None,
) -> list[Touchpoint]:
    actor.require("journeys.view")
    return repo.touchpoints(
        session,
        channel=channel.value if channel else None,
        team_id=team_id,
        factor_group=factor_group.value if factor_group else None,
        journey_id=journey_id,
        critical=critical,
    )


def _check_owner(session: Session, team_id: uuid.UUID) -> None:
    if repo.team(session, team_id) is None:
        raise InvalidInput("Choose an existing team as the owner.", field="owner_team_id")


def do_create_touchpoint(session: Session, actor: Actor, data: TouchpointIn) -> Touchpoint:
    actor.require("journeys.edit")
    check_key(data.key)
    if repo.touchpoint_by_key(session, data.key) is not None:
        raise Conflict("A touchpoint with this key already exists.", field="key")
    _check_owner(session, data.owner_team_id)
    touchpoint = Touchpoint(**_touchpoint_values(data.model_dump()))
    session.add(touchpoint)
    session.flush()
    forget_touchpoints_after_commit(session)
    return touchpoint


def do_update_touchpoint(
    session: Session, actor: Actor, touchpoint_id: uuid.UUID, data: TouchpointUpdate
) -> Touchpoint:
    actor.require("journeys.edit")
    touchpoint = get_touchpoint(session, actor, touchpoint_id)
    changes = data.model_dump(exclude_unset=True)
    for required in ("name_fi", "name_en", "channel", "factor_group", "owner_team_id", "critical"):
        if required in changes and changes[required] is None:
            raise InvalidInput("This field is required.", field=required)
    if "owner_team_id" in changes:
        _check_owner(session, changes["owner_team_id"])
    for name, value in _touchpoint_values(changes).items():
        setattr(touchpoint, name, "" if value is None else value)
    session.flush()
    return touchpoint


def do_delete_touchpoint(session: Session, actor: Actor, touchpoint_id: uuid.UUID) -> None:
    """Delete a touchpoint that no event refers to; history is never deleted by accident."""
    actor.require("journeys.edit")
    touchpoint = get_touchpoint(session, actor, touchpoint_id)
    if repo.touchpoint_has_events(session, touchpoint.id):
        raise Conflict("Customers have met this touchpoint: it has interaction events and stays.")
    session.delete(touchpoint)
    session.flush()
    forget_touchpoints_after_commit(session)


def do_ensure_touchpoints(
    session: Session, actor: Actor, keys: set[str], *, owner: Team
) -> dict[str, uuid.UUID]:
    """Create touchpoints in channel "other" for event-log activities not yet known."""
    actor.require("journeys.edit")
    known = repo.touchpoint_keys(session)
    for key in sorted(keys - known.keys()):
        check_key(key, field="activity")
        touchpoint = Touchpoint(
            key=key,
            name_fi=key,
            name_en=key,
            channel=Channel.OTHER.value,
            factor_group=FactorGroup.FUNCTIONAL.value,
            owner_team_id=owner.id,
        )
        session.add(touchpoint)
        session.flush()
        known[key] = touchpoint.id
    forget_touchpoints_after_commit(session)
    return known


def do_ensure_team(session: Session, actor: Actor, name: str) -> Team:
    actor.require("journeys.edit")
    team = repo.team_by_name(session, name)
    if team is None:
        team = Team(name=name)
        session.add(team)
        session.flush()
    return team


def _touchpoint_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.value if isinstance(v, Channel | FactorGroup) else v) for k, v in values.items()}
