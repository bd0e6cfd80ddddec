"""A small catalogue to test against: one team, a few touchpoints, one journey."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import Organisation
from kohtaamo.accounts.permissions import Role
from kohtaamo.journeys import journeymap, service
from kohtaamo.journeys.catalogue import Channel, FactorGroup
from kohtaamo.journeys.schemas import JourneyIn, StageIn, TeamIn, TouchpointIn
from kohtaamo.storage.db import Database

TOUCHPOINTS = ("advert", "website", "checkout", "ticket", "support")


@dataclass
class Catalogue:
    org: Organisation
    actor: Actor
    team_id: uuid.UUID
    touchpoints: dict[str, uuid.UUID]
    journey_id: uuid.UUID


def owner(org: Organisation) -> Actor:
    return Actor(organisation_id=org.id, role=Role.OWNER)


def touchpoint_in(key: str, team_id: uuid.UUID, **extra: object) -> TouchpointIn:
    values: dict[str, object] = {
        "key": key,
        "name_fi": f"{key} fi",
        "name_en": f"{key} en",
        "channel": Channel.WEBSITE,
        "factor_group": FactorGroup.FUNCTIONAL,
        "owner_team_id": team_id,
    }
    return TouchpointIn.model_validate(values | extra)


def seed(db: Database, org: Organisation) -> Catalogue:
    actor = owner(org)
    with db.transaction(org.id) as session:
        team = service.do_create_team(session, actor, TeamIn(name="Asiakaspalvelu"))
        touchpoints = {
            key: service.do_create_touchpoint(session, actor, touchpoint_in(key, team.id)).id
            for key in TOUCHPOINTS
        }
        journey = journeymap.do_create_journey(
            session,
            actor,
            JourneyIn(
                key="ticket",
                name="Lippu",
                stages=[
                    StageIn(name_fi="Herääminen", name_en="Awareness"),
                    StageIn(name_fi="Osto", name_en="Purchase"),
                ],
            ),
        )
    return Catalogue(org, actor, team.id, touchpoints, journey.id)
