"""Registry rows of journey walkthroughs (see routes.py). Makers schedule a walk of the
tenant's own journey through the service; the run and check makers walk it too."""

from __future__ import annotations

import itertools
from datetime import timedelta

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.permissions import Role
from kohtaamo.journeys import journeymap
from kohtaamo.journeys.schemas import JourneyIn, StageIn
from kohtaamo.kit.clock import utcnow
from kohtaamo.programme import walkthroughs
from kohtaamo.programme.schemas import CheckIn, WalkthroughIn
from kohtaamo.programme.vocab import CheckResult
from tests.security.routes_base import Call, RouteCase
from tests.security.world import Tenant, World

_n = itertools.count(1)
REDIRECT = frozenset({303})
_W = "/programme/walkthroughs"


def _actor(tenant: Tenant) -> Actor:
    return Actor(organisation_id=tenant.id, user_id=tenant.owner.id, role=Role.OWNER)


def _journey(world: World, tenant: Tenant) -> str:
    with world.db.transaction(tenant.id) as session:
        journey = journeymap.do_create_journey(
            session,
            _actor(tenant),
            JourneyIn(
                key=f"walk-{next(_n)}", name="Polku", stages=[StageIn(name_fi="A", name_en="A")]
            ),
        )
        return str(journey.id)


def _run(world: World, tenant: Tenant) -> str:
    journey = _journey(world, tenant)
    with world.db.transaction(tenant.id) as session:
        walk = walkthroughs.schedule(
            session,
            WalkthroughIn(title="Kävely", journey_id=journey, first_due=utcnow().date()),
            _actor(tenant),
        )
        return str(walkthroughs.start_run(session, walk.id, _actor(tenant)).id)


def new(world: World, tenant: Tenant) -> Call:
    day = (utcnow().date() + timedelta(days=7)).isoformat()
    return Call(form={"title": "Kävely", "journey_id": _journey(world, tenant), "first_due": day})


def start(world: World, tenant: Tenant) -> Call:
    journey = _journey(world, tenant)
    with world.db.transaction(tenant.id) as session:
        walk = walkthroughs.schedule(
            session,
            WalkthroughIn(title="Kävely", journey_id=journey, first_due=utcnow().date()),
            _actor(tenant),
        )
        return Call(path_params={"walkthrough_id": str(walk.id)})


def run(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"run_id": _run(world, tenant)}, form={"summary": "Hyvin meni"})


def check(world: World, tenant: Tenant) -> Call:
    """A check of a touchpoint that is not on the walk's journey: 422 for the owner's own
    run (the registry's role tests accept it as an answered form), 404 for a stranger."""
    return Call(
        path_params={"run_id": _run(world, tenant)},
        form={"touchpoint_id": "00000000-0000-0000-0000-000000000000", "result": "pass"},
    )


def failed(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"check_id": _failed_check(world, tenant)})


def _failed_check(world: World, tenant: Tenant) -> str:
    from kohtaamo.journeys import service as journeys
    from kohtaamo.journeys.catalogue import Channel, FactorGroup
    from kohtaamo.journeys.models import Journey
    from kohtaamo.journeys.schemas import PlacementIn, TeamIn, TouchpointIn

    actor = _actor(tenant)
    n = next(_n)
    with world.db.transaction(tenant.id) as session:
        team = journeys.do_create_team(session, actor, TeamIn(name=f"Tiimi {n}"))
        tp = journeys.do_create_touchpoint(
            session,
            actor,
            TouchpointIn(
                key=f"tp-walk-{n}",
                name_fi="Kassa",
                name_en="Checkout",
                channel=Channel.WEBSITE,
                factor_group=FactorGroup.FUNCTIONAL,
                owner_team_id=team.id,
            ),
        )
        journey = journeymap.do_create_journey(
            session,
            actor,
            JourneyIn(key=f"walkf-{n}", name="Polku", stages=[StageIn(name_fi="A", name_en="A")]),
        )
        stage = session.get(Journey, journey.id).stages[0]  # type: ignore[union-attr]
        journeymap.do_place_touchpoint(
            session, actor, journey.id, tp.id, PlacementIn(stage_id=stage.id)
        )
        walk = walkthroughs.schedule(
            session,
            WalkthroughIn(title="K", journey_id=journey.id, first_due=utcnow().date()),
            actor,
        )
        run_row = walkthroughs.start_run(session, walk.id, actor)
        made = walkthroughs.record_check(
            session, run_row.id, CheckIn(touchpoint_id=tp.id, result=CheckResult.FAIL), actor
        )
        return str(made.id)


PROGRAMME_WALKTHROUGHS_ROUTES: list[RouteCase] = [
    RouteCase("GET", _W, "programme.view"),
    RouteCase("POST", _W, "programme.edit", call=new, ok=REDIRECT),
    RouteCase(
        "POST",
        f"{_W}/{{walkthrough_id}}/start",
        "walkthroughs.record",
        call=start,
        takes_id=True,
        ok=REDIRECT,
    ),
    RouteCase("GET", f"{_W}/runs/{{run_id}}", "walkthroughs.record", call=run, takes_id=True),
    RouteCase(
        "POST",
        f"{_W}/runs/{{run_id}}/checks",
        "walkthroughs.record",
        call=check,
        takes_id=True,
        ok=frozenset({422}),
    ),
    RouteCase(
        "POST",
        f"{_W}/runs/{{run_id}}/finish",
        "walkthroughs.record",
        call=run,
        takes_id=True,
        ok=REDIRECT,
    ),
    RouteCase(
        "POST",
        f"{_W}/checks/{{check_id}}/action",
        "programme.edit",
        call=failed,
        takes_id=True,
        ok=REDIRECT,
    ),
]
