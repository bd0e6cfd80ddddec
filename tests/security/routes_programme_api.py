"""Registry rows of the programme API (see routes.py). Makers build the tenant's own
element, standard, measure or action through the API with the tenant's key."""

from __future__ import annotations

import itertools

from tests.security.routes_base import Call, RouteCase
from tests.security.world import Tenant, World

_n = itertools.count(1)
CREATED = frozenset({201})
NO_CONTENT = frozenset({204})
_P = "/api/v1/programme"


def _element(world: World, tenant: Tenant) -> str:
    body = {"name_fi": f"Vaivaton {next(_n)}", "name_en": "Effortless"}
    return str(world.api(tenant, "POST", f"{_P}/elements", body)["id"])


def _element_body() -> dict[str, object]:
    return {"name_fi": "Luotettava", "name_en": f"Trustworthy {next(_n)}"}


def new_element(_w: World, _t: Tenant) -> Call:
    return Call(json=_element_body())


def element(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"element_id": _element(world, tenant)}, json=_element_body())


def _standard_body(element_id: str) -> dict[str, object]:
    return {"element_id": element_id, "title_fi": "Vastaus", "title_en": f"Answer {next(_n)}"}


def new_standard(world: World, tenant: Tenant) -> Call:
    return Call(json=_standard_body(_element(world, tenant)))


def standard(world: World, tenant: Tenant) -> Call:
    body = _standard_body(_element(world, tenant))
    made = world.api(tenant, "POST", f"{_P}/standards", body)
    return Call(path_params={"standard_id": str(made["id"])}, json=body)


def _measure_body(element_id: str) -> dict[str, object]:
    return {
        "element_id": element_id,
        "name_fi": "NPS",
        "name_en": f"NPS {next(_n)}",
        "metric": "nps",
        "target": 20,
    }


def new_measure(world: World, tenant: Tenant) -> Call:
    return Call(json=_measure_body(_element(world, tenant)))


def measure(world: World, tenant: Tenant) -> Call:
    body = _measure_body(_element(world, tenant))
    made = world.api(tenant, "POST", f"{_P}/measures", body)
    return Call(path_params={"measure_id": str(made["id"])}, json=body)


def new_action(_w: World, _t: Tenant) -> Call:
    return Call(json={"title": f"Lomake lyhyemmäksi {next(_n)}"})


def _action(world: World, tenant: Tenant) -> str:
    return str(world.api(tenant, "POST", f"{_P}/actions", {"title": f"T {next(_n)}"})["id"])


def action(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"action_id": _action(world, tenant)}, json={"title": "Muutettu"})


def action_status(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"action_id": _action(world, tenant)}, json={"status": "in_progress"})


PROGRAMME_API_ROUTES: list[RouteCase] = [
    RouteCase("GET", f"{_P}/status", "programme.view"),
    RouteCase("GET", f"{_P}/elements", "programme.view"),
    RouteCase("POST", f"{_P}/elements", "programme.edit", call=new_element, ok=CREATED),
    RouteCase(
        "GET", f"{_P}/elements/{{element_id}}", "programme.view", call=element, takes_id=True
    ),
    RouteCase(
        "PUT", f"{_P}/elements/{{element_id}}", "programme.edit", call=element, takes_id=True
    ),
    RouteCase(
        "DELETE",
        f"{_P}/elements/{{element_id}}",
        "programme.edit",
        call=element,
        takes_id=True,
        ok=NO_CONTENT,
    ),
    RouteCase("GET", f"{_P}/standards", "programme.view"),
    RouteCase("POST", f"{_P}/standards", "programme.edit", call=new_standard, ok=CREATED),
    RouteCase(
        "PUT", f"{_P}/standards/{{standard_id}}", "programme.edit", call=standard, takes_id=True
    ),
    RouteCase("GET", f"{_P}/measures", "programme.view"),
    RouteCase("POST", f"{_P}/measures", "programme.edit", call=new_measure, ok=CREATED),
    RouteCase(
        "PUT", f"{_P}/measures/{{measure_id}}", "programme.edit", call=measure, takes_id=True
    ),
    RouteCase("GET", f"{_P}/actions", "programme.view"),
    RouteCase("POST", f"{_P}/actions", "programme.edit", call=new_action, ok=CREATED),
    RouteCase("PUT", f"{_P}/actions/{{action_id}}", "programme.edit", call=action, takes_id=True),
    RouteCase(
        "POST",
        f"{_P}/actions/{{action_id}}/status",
        "programme.edit",
        call=action_status,
        takes_id=True,
    ),
]
