"""The touchpoint catalogue and the journey editor, through their services."""

from __future__ import annotations

import pytest

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.permissions import Role
from kohtaamo.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kohtaamo.journeys import journeymap, service
from kohtaamo.journeys.catalogue import Channel
from kohtaamo.journeys.schemas import (
    PlacementIn,
    StageIn,
    StageOrder,
    TeamIn,
    TouchpointUpdate,
)
from kohtaamo.storage.db import Database
from tests.factories import Factory
from tests.journeys.helpers import Catalogue, seed, touchpoint_in


@pytest.fixture
def cat(db: Database, factory: Factory) -> Catalogue:
    return seed(db, factory.organisation())


def test_touchpoint_keys_are_machine_keys_and_unique(db: Database, cat: Catalogue) -> None:
    with db.transaction(cat.org.id) as session, pytest.raises(Conflict):
        service.do_create_touchpoint(session, cat.actor, touchpoint_in("website", cat.team_id))
    with db.transaction(cat.org.id) as session, pytest.raises(InvalidInput):
        service.check_key("Not A Key")


def test_touchpoint_needs_an_existing_owner_team(
    db: Database, cat: Catalogue, factory: Factory
) -> None:
    other = seed(db, factory.organisation())
    with db.transaction(cat.org.id) as session, pytest.raises(InvalidInput) as err:
        # Another organisation's team is as unknown here as a made-up one.
        service.do_create_touchpoint(session, cat.actor, touchpoint_in("new", other.team_id))
    assert err.value.problems[0].field == "owner_team_id"


def test_touchpoint_filters(db: Database, cat: Catalogue) -> None:
    with db.transaction(cat.org.id) as session:
        service.do_update_touchpoint(
            session,
            cat.actor,
            cat.touchpoints["support"],
            TouchpointUpdate(channel=Channel.PHONE, critical=True),
        )
        journeymap.do_place_touchpoint(
            session,
            cat.actor,
            cat.journey_id,
            cat.touchpoints["advert"],
            PlacementIn(
                stage_id=journeymap.get_journey(session, cat.actor, cat.journey_id).stages[0].id
            ),
        )
    with db.transaction(cat.org.id, readonly=True) as session:
        keys = lambda **kw: [t.key for t in service.list_touchpoints(session, cat.actor, **kw)]  # noqa: E731
        assert keys(channel=Channel.PHONE) == ["support"]
        assert keys(critical=True) == ["support"]
        assert keys(journey_id=cat.journey_id) == ["advert"]
        assert len(keys(team_id=cat.team_id)) == 5


def test_viewer_cannot_edit(db: Database, cat: Catalogue) -> None:
    viewer = Actor(organisation_id=cat.org.id, role=Role.VIEWER)
    with db.transaction(cat.org.id) as session, pytest.raises(PermissionDenied):
        service.do_create_team(session, viewer, TeamIn(name="X"))


def test_team_that_owns_touchpoints_is_not_deleted(db: Database, cat: Catalogue) -> None:
    with db.transaction(cat.org.id) as session, pytest.raises(Conflict):
        service.do_delete_team(session, cat.actor, cat.team_id)


def _stage_names(db: Database, cat: Catalogue) -> list[str]:
    with db.transaction(cat.org.id, readonly=True) as session:
        return [
            s.name_en for s in journeymap.get_journey(session, cat.actor, cat.journey_id).stages
        ]


def test_stages_insert_reorder_delete_keep_dense_positions(db: Database, cat: Catalogue) -> None:
    with db.transaction(cat.org.id) as session:
        journeymap.do_add_stage(
            session, cat.actor, cat.journey_id, StageIn(name_fi="K", name_en="Use", position=1)
        )
    assert _stage_names(db, cat) == ["Awareness", "Use", "Purchase"]
    with db.transaction(cat.org.id) as session:
        stages = journeymap.get_journey(session, cat.actor, cat.journey_id).stages
        order = [stages[2].id, stages[0].id, stages[1].id]
        journeymap.do_reorder_stages(
            session, cat.actor, cat.journey_id, StageOrder(stage_ids=order)
        )
    assert _stage_names(db, cat) == ["Purchase", "Awareness", "Use"]
    with db.transaction(cat.org.id) as session:
        stages = journeymap.get_journey(session, cat.actor, cat.journey_id).stages
        journeymap.do_delete_stage(session, cat.actor, cat.journey_id, stages[1].id)
        with pytest.raises(InvalidInput):
            journeymap.do_reorder_stages(
                session, cat.actor, cat.journey_id, StageOrder(stage_ids=[stages[0].id])
            )
    with db.transaction(cat.org.id, readonly=True) as session:
        stages = journeymap.get_journey(session, cat.actor, cat.journey_id).stages
        assert [(s.name_en, s.position) for s in stages] == [("Purchase", 0), ("Use", 1)]


def test_place_move_and_remove_touchpoints(db: Database, cat: Catalogue) -> None:
    tp = cat.touchpoints
    with db.transaction(cat.org.id) as session:
        first, second = journeymap.get_journey(session, cat.actor, cat.journey_id).stages
        place = lambda key, stage, pos=None: journeymap.do_place_touchpoint(  # noqa: E731
            session,
            cat.actor,
            cat.journey_id,
            tp[key],
            PlacementIn(stage_id=stage.id, position=pos),
        )
        place("advert", first)
        place("website", first)
        place("checkout", first, 0)
        place("website", second)  # moved: the first stage closes the gap
        place("ticket", second, 0)
    with db.transaction(cat.org.id, readonly=True) as session:
        view = journeymap.journey_view(session, cat.actor, cat.journey_id).out()
    assert [[(p.key, p.position) for p in s.touchpoints] for s in view.stages] == [
        [("checkout", 0), ("advert", 1)],
        [("ticket", 0), ("website", 1)],
    ]
    with db.transaction(cat.org.id) as session:
        journeymap.do_remove_touchpoint(session, cat.actor, cat.journey_id, tp["ticket"])
        with pytest.raises(NotFound):
            journeymap.do_remove_touchpoint(session, cat.actor, cat.journey_id, tp["ticket"])
    with db.transaction(cat.org.id, readonly=True) as session:
        view = journeymap.journey_view(session, cat.actor, cat.journey_id).out()
    assert [(p.key, p.position) for p in view.stages[1].touchpoints] == [("website", 0)]


def test_placing_on_another_journeys_stage_is_refused(
    db: Database, cat: Catalogue, factory: Factory
) -> None:
    with db.transaction(cat.org.id) as session:
        other = journeymap.do_create_journey(
            session,
            cat.actor,
            journeymap.JourneyIn(
                key="event", name="Event", stages=[StageIn(name_fi="a", name_en="a")]
            ),
        )
        with pytest.raises(InvalidInput):
            journeymap.do_place_touchpoint(
                session,
                cat.actor,
                cat.journey_id,
                cat.touchpoints["advert"],
                PlacementIn(stage_id=other.stages[0].id),
            )
