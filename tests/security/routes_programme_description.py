"""Registry rows of the CX description (see routes.py). No route takes an id: each reads
or changes only the caller's own organisation's description."""

from __future__ import annotations

from tests.security.routes_base import Call, RouteCase
from tests.security.world import Tenant, World

REDIRECT = frozenset({303})


def words(_world: World, _tenant: Tenant) -> Call:
    return Call(
        form={
            "title_fi": "Kuvaus",
            "title_en": "Description",
            "promise_fi": "Lupaus",
            "promise_en": "Promise",
            "closing_fi": "",
            "closing_en": "",
        }
    )


PROGRAMME_DESCRIPTION_ROUTES: list[RouteCase] = [
    RouteCase("GET", "/programme/description", "programme.view"),
    RouteCase("GET", "/programme/description.pdf", "programme.view"),
    RouteCase("GET", "/programme/description/edit", "programme.edit"),
    RouteCase("POST", "/programme/description/edit", "programme.edit", call=words, ok=REDIRECT),
]
