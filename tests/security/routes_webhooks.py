"""Registry rows of the webhooks routes (see routes.py).

Endpoints are made through the service: the API refuses every key (``webhooks.manage``
is for people only), so it cannot make them. They point at port 9 of 127.0.0.1 with
that range allowed: nothing listens there, so a queued test event fails fast.
"""

from __future__ import annotations

import itertools

from kohtaamo.webhooks import service
from kohtaamo.webhooks.schemas import EndpointIn
from tests.security.routes_base import Call, RouteCase
from tests.security.world import Tenant, World

_n = itertools.count(1)
URL = "http://127.0.0.1:9/hook"
RANGE = "127.0.0.0/8"
REDIRECT = frozenset({303})


def _endpoint(world: World, tenant: Tenant) -> str:
    with world.db.transaction(tenant.id) as session:
        made = service.do_create_endpoint(
            session,
            EndpointIn(url=URL, description=f"Kuuntelija {next(_n)}", allowed_private_range=RANGE),
        )
        return str(made.id)


def endpoint(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"endpoint_id": _endpoint(world, tenant)})


def endpoint_form(world: World, tenant: Tenant) -> Call:
    return Call(
        path_params={"endpoint_id": _endpoint(world, tenant)},
        form={"url": URL, "description": "Muutettu", "allowed_private_range": RANGE},
    )


def new_endpoint_form(_w: World, _t: Tenant) -> Call:
    return Call(form={"url": URL, "description": "Uusi", "allowed_private_range": RANGE})


def _page(method: str, path: str, **kw: object) -> RouteCase:
    return RouteCase(method, path, "webhooks.manage", **kw)  # type: ignore[arg-type]


ID = "/settings/webhooks/{endpoint_id}"

WEBHOOKS_ROUTES: list[RouteCase] = [
    # Pages
    _page("GET", "/settings/webhooks"),
    _page("GET", "/settings/webhooks/new"),
    _page("POST", "/settings/webhooks", call=new_endpoint_form),
    _page("GET", ID, call=endpoint, takes_id=True),
    _page("GET", ID + "/edit", call=endpoint, takes_id=True),
    _page("POST", ID, call=endpoint_form, takes_id=True, ok=REDIRECT),
    _page("POST", ID + "/rotate", call=endpoint, takes_id=True),
    _page("POST", ID + "/enable", call=endpoint, takes_id=True, ok=REDIRECT),
    _page("POST", ID + "/disable", call=endpoint, takes_id=True, ok=REDIRECT),
    _page("POST", ID + "/test", call=endpoint, takes_id=True, ok=REDIRECT),
    _page("POST", ID + "/delete", call=endpoint, takes_id=True, ok=REDIRECT),
]
