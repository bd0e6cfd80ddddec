"""Registry rows of the journey pages: the list, the catalogue and teams, the editor, the
map, the paths page and the CSV import.

Makers build the tenant's objects through the API (``routes_journeys``) and aim a page
form at them; forms carry their fields, the test client adds the session and token.
"""

from __future__ import annotations

import itertools

from tests.security.routes_base import Call, RouteCase
from tests.security.routes_journeys import _journey, _stage_ids, _team, _touchpoint, placed
from tests.security.world import Tenant, World

_n = itertools.count(1)
REDIRECT = frozenset({303})


def new_journey(_w: World, _t: Tenant) -> Call:
    return Call(form={"name": "Palautus", "key": f"sivu-polku-{next(_n)}"})


def _touchpoint_form(world: World, tenant: Tenant) -> dict[str, str]:
    return {
        "name_fi": "Kassa",
        "name_en": "Till",
        "channel": "website",
        "factor_group": "content",
        "owner_team_id": _team(world, tenant),
    }


def new_touchpoint(world: World, tenant: Tenant) -> Call:
    return Call(form={"key": f"sivu-tp-{next(_n)}", **_touchpoint_form(world, tenant)})


def touchpoint(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"touchpoint_id": _touchpoint(world, tenant)})


def touchpoint_save(world: World, tenant: Tenant) -> Call:
    tp = _touchpoint(world, tenant)
    return Call(path_params={"touchpoint_id": tp}, form=_touchpoint_form(world, tenant))


def new_team(_w: World, _t: Tenant) -> Call:
    return Call(form={"name": f"Sivutiimi {next(_n)}"})


def team(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"team_id": _team(world, tenant)}, form={"name": f"Uusi {next(_n)}"})


def no_file(_w: World, _t: Tenant) -> Call:
    return Call(form={"delimiter": "auto"})


def journey(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"journey_id": str(_journey(world, tenant)["id"])})


def journey_details(world: World, tenant: Tenant) -> Call:
    return Call(path_params=journey(world, tenant).path_params, form={"name": "Uusi nimi"})


def new_stage(world: World, tenant: Tenant) -> Call:
    return Call(
        path_params=journey(world, tenant).path_params,
        form={"name_fi": "Toimitus", "name_en": "Delivery"},
    )


def stage(world: World, tenant: Tenant) -> Call:
    found = _journey(world, tenant)
    return Call(
        path_params={"journey_id": str(found["id"]), "stage_id": _stage_ids(found)[0]},
        form={"name_fi": "Etsintä", "name_en": "Looking", "direction": "down"},
    )


def placement_form(world: World, tenant: Tenant) -> Call:
    found = _journey(world, tenant)
    return Call(
        path_params={"journey_id": str(found["id"])},
        form={"touchpoint_id": _touchpoint(world, tenant), "stage_id": _stage_ids(found)[1]},
    )


def placed_move(world: World, tenant: Tenant) -> Call:
    return Call(path_params=placed(world, tenant).path_params, form={"direction": "down"})


def placed_remove(world: World, tenant: Tenant) -> Call:
    return Call(path_params=placed(world, tenant).path_params, form={})


J = "/journeys/{journey_id}"
TP = "/journeys/touchpoints/{touchpoint_id}"

JOURNEY_PAGE_ROUTES: tuple[RouteCase, ...] = (
    RouteCase("POST", "/journeys", "journeys.edit", call=new_journey, ok=REDIRECT),
    RouteCase("GET", "/journeys/paths", "journeys.view"),
    RouteCase("GET", "/journeys/touchpoints", "journeys.view"),
    RouteCase("POST", "/journeys/touchpoints", "journeys.edit", new_touchpoint, ok=REDIRECT),
    RouteCase("GET", TP + "/edit", "journeys.edit", call=touchpoint, takes_id=True),
    RouteCase("POST", TP + "/edit", "journeys.edit", touchpoint_save, True, ok=REDIRECT),
    RouteCase("POST", TP + "/delete", "journeys.edit", touchpoint, True, ok=REDIRECT),
    RouteCase("POST", "/journeys/teams", "journeys.edit", call=new_team, ok=REDIRECT),
    RouteCase("POST", "/journeys/teams/{team_id}", "journeys.edit", team, True, ok=REDIRECT),
    RouteCase("GET", "/journeys/import", "events.ingest"),
    # The registry sends no files: an upload without one answers with the form and its
    # error (422), which is what a granted caller gets.
    RouteCase("POST", "/journeys/import", "events.ingest", call=no_file, ok=frozenset({422})),
    RouteCase("GET", J, "journeys.view", call=journey, takes_id=True),
    RouteCase("GET", J + "/edit", "journeys.edit", call=journey, takes_id=True),
    RouteCase("POST", J + "/edit", "journeys.edit", journey_details, True, ok=REDIRECT),
    RouteCase("POST", J + "/delete", "journeys.edit", journey, True, ok=REDIRECT),
    RouteCase("POST", J + "/stages", "journeys.edit", new_stage, True, ok=REDIRECT),
    RouteCase("POST", J + "/stages/{stage_id}", "journeys.edit", stage, True, ok=REDIRECT),
    RouteCase("POST", J + "/stages/{stage_id}/delete", "journeys.edit", stage, True, ok=REDIRECT),
    RouteCase("POST", J + "/stages/{stage_id}/move", "journeys.edit", stage, True, ok=REDIRECT),
    RouteCase("POST", J + "/placements", "journeys.edit", placement_form, True, ok=REDIRECT),
    RouteCase(
        "POST",
        J + "/placements/{touchpoint_id}/move",
        "journeys.edit",
        placed_move,
        True,
        ok=REDIRECT,
    ),
    RouteCase(
        "POST",
        J + "/placements/{touchpoint_id}/remove",
        "journeys.edit",
        placed_remove,
        True,
        ok=REDIRECT,
    ),
)
