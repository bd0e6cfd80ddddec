"""A small pyramid for programme tests, built through the service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import Organisation
from kohtaamo.accounts.permissions import Role
from kohtaamo.programme import service
from kohtaamo.programme.schemas import ElementIn, MeasureIn, StandardIn
from kohtaamo.storage.db import Database
from tests.journeys.helpers import Catalogue


def editor(org: Organisation) -> Actor:
    return Actor(organisation_id=org.id, role=Role.ANALYST)


@dataclass
class Built:
    effortless: uuid.UUID
    no_repeat: uuid.UUID  # a sub-element of effortless
    trustworthy: uuid.UUID
    personal: uuid.UUID  # nothing measured yet
    standard: uuid.UUID  # under no_repeat
    measures: dict[str, uuid.UUID]


def build(db: Database, cat: Catalogue) -> Built:
    actor = editor(cat.org)
    checkout = cat.touchpoints["checkout"]
    with db.transaction(cat.org.id) as session:
        effortless = service.create_element(
            session, ElementIn(name_fi="Vaivaton", name_en="Effortless"), actor
        )
        no_repeat = service.create_element(
            session,
            ElementIn(
                name_fi="Ei tarvitse toistaa", name_en="No need to repeat", parent_id=effortless.id
            ),
            actor,
        )
        trustworthy = service.create_element(
            session, ElementIn(name_fi="Luotettava", name_en="Trustworthy", position=1), actor
        )
        personal = service.create_element(
            session, ElementIn(name_fi="Henkilökohtainen", name_en="Personal", position=2), actor
        )
        standard = service.create_standard(
            session,
            StandardIn(
                element_id=no_repeat.id,
                team_id=cat.team_id,
                touchpoint_ids=[checkout],
                title_fi="Kassalla ei kysytä samaa kahdesti",
                title_en="Checkout never asks twice",
            ),
            actor,
        )

        def measure(name: str, **kw: object) -> uuid.UUID:
            data = MeasureIn.model_validate({"name_fi": name, "name_en": name, **kw})
            return service.create_measure(session, data, actor).id

        measures = {
            # more than perfect: a third of customers should get more than they expected
            "exceeded": measure(
                "Exceeded",
                standard_id=standard.id,
                metric="exceeded_share",
                target=30,
                touchpoint_id=checkout,
            ),
            "nps": measure("NPS", element_id=trustworthy.id, metric="nps", target=20),
            "nps_close": measure(
                "NPS close", element_id=trustworthy.id, metric="nps", target=40, tolerance=10
            ),
            "vip": measure(
                "VIP NPS", element_id=trustworthy.id, metric="nps", target=0, segment="VIP"
            ),
        }
    return Built(effortless.id, no_repeat.id, trustworthy.id, personal.id, standard.id, measures)
