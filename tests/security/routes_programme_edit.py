"""Registry rows of the programme's forms (see routes.py). Only the action's status
takes an id: its maker adds an action in the tenant through the API."""

from __future__ import annotations

import itertools

from tests.security.routes_base import Call, RouteCase
from tests.security.world import Tenant, World

_n = itertools.count(1)
REDIRECT = frozenset({303})


def element(_w: World, _t: Tenant) -> Call:
    return Call(form={"name_fi": "Vaivaton", "name_en": f"Effortless {next(_n)}"})


def action(_w: World, _t: Tenant) -> Call:
    return Call(form={"title": f"Jonot pois {next(_n)}"})


def _element_id(world: World, tenant: Tenant) -> str:
    body = {"name_fi": "E", "name_en": f"E {next(_n)}"}
    return str(world.api(tenant, "POST", "/api/v1/programme/elements", body)["id"])


def standard(world: World, tenant: Tenant) -> Call:
    return Call(
        form={
            "element_id": _element_id(world, tenant),
            "title_fi": "S",
            "title_en": f"S {next(_n)}",
        }
    )


def measure(world: World, tenant: Tenant) -> Call:
    return Call(
        form={
            "element_id": _element_id(world, tenant),
            "name_fi": "M",
            "name_en": f"M {next(_n)}",
            "metric": "nps",
            "target": "20",
        }
    )


def action_status(world: World, tenant: Tenant) -> Call:
    made = world.api(tenant, "POST", "/api/v1/programme/actions", {"title": f"A {next(_n)}"})
    return Call(path_params={"action_id": str(made["id"])}, form={"status": "done"})


PROGRAMME_EDIT_ROUTES: list[RouteCase] = [
    *(
        RouteCase("GET", f"/programme/{kind}/new", "programme.edit")
        for kind in ("elements", "standards", "measures", "actions")
    ),
    RouteCase("POST", "/programme/elements/new", "programme.edit", call=element, ok=REDIRECT),
    RouteCase("POST", "/programme/standards/new", "programme.edit", call=standard, ok=REDIRECT),
    RouteCase("POST", "/programme/measures/new", "programme.edit", call=measure, ok=REDIRECT),
    RouteCase("POST", "/programme/actions/new", "programme.edit", call=action, ok=REDIRECT),
    RouteCase(
        "POST",
        "/programme/actions/{action_id}/status",
        "programme.edit",
        call=action_status,
        takes_id=True,
        ok=REDIRECT,
    ),
]
