"""Registry rows of employees' observations (see routes.py). Makers submit an
observation in the tenant through the service, as one of its members."""

from __future__ import annotations

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.permissions import Role
from kohtaamo.programme import observations
from kohtaamo.programme.schemas import ObservationIn
from kohtaamo.programme.vocab import ObservationKind
from tests.security.routes_base import Call, RouteCase
from tests.security.world import Tenant, World

REDIRECT = frozenset({303})
_O = "/programme/observations"


def _observation(world: World, tenant: Tenant) -> str:
    actor = Actor(organisation_id=tenant.id, user_id=tenant.owner.id, role=Role.OWNER)
    with world.db.transaction(tenant.id) as session:
        row = observations.submit(
            session, ObservationIn(kind=ObservationKind.IDEA, body="Jonot ovella"), actor
        )
        return str(row.id)


def new(_w: World, _t: Tenant) -> Call:
    return Call(
        form={"kind": "said", "touchpoint_id": "", "body": "Asiakkaat kysyvät pysäköinnistä"}
    )


def one(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"observation_id": _observation(world, tenant)})


def note(world: World, tenant: Tenant) -> Call:
    return Call(
        path_params={"observation_id": _observation(world, tenant)}, form={"body": "Samoin"}
    )


def decision(world: World, tenant: Tenant) -> Call:
    return Call(
        path_params={"observation_id": _observation(world, tenant)},
        form={"outcome": "discussed", "note": "Käsitelty"},
    )


PROGRAMME_OBSERVATIONS_ROUTES: list[RouteCase] = [
    RouteCase("GET", _O, "programme.view"),
    RouteCase("GET", f"{_O}/mine", "observations.submit"),
    RouteCase("GET", f"{_O}/new", "observations.submit"),
    RouteCase("POST", f"{_O}/new", "observations.submit", call=new, ok=REDIRECT),
    RouteCase("GET", f"{_O}/{{observation_id}}", "programme.view", call=one, takes_id=True),
    RouteCase(
        "POST",
        f"{_O}/{{observation_id}}/vote",
        "observations.submit",
        call=one,
        takes_id=True,
        ok=REDIRECT,
    ),
    RouteCase(
        "POST",
        f"{_O}/{{observation_id}}/notes",
        "observations.submit",
        call=note,
        takes_id=True,
        ok=REDIRECT,
    ),
    RouteCase(
        "POST",
        f"{_O}/{{observation_id}}/decision",
        "programme.edit",
        call=decision,
        takes_id=True,
        ok=REDIRECT,
    ),
]
