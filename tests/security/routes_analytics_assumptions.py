"""Registry rows of the assumption register (see routes.py): its pages and its API.

Makers plant the tenant's answers in the shared in-memory analytics store, so that a
new assumption names groups and touchpoints that exist, and create assumptions straight
in the operational database for the routes that take an id.
"""

from __future__ import annotations

from kohtaamo.analytics.models import Assumption
from tests.analytics.assumption_world import plant_for
from tests.security.routes_base import Call, RouteCase
from tests.security.world import Tenant, World

REDIRECT = frozenset({303})
CREATED = frozenset({201})
NO_CONTENT = frozenset({204})

SPEC = {
    "kind": "compare_groups",
    "metric": "csat",
    "dimension": "segment",
    "group_a": "corporate",
    "group_b": "consumer",
    "direction": "higher",
    "touchpoint": "billing",
    "test": "auto",
    "start": None,
    "end": None,
}


def _assumption(world: World, tenant: Tenant) -> str:
    plant_for(world.db, tenant.id)
    with world.db.transaction(tenant.id) as session:
        row = Assumption(
            organisation_id=tenant.id,
            statement="Yritysasiakkaat ovat tyytyväisempiä laskutukseen",
            kind="compare_groups",
            spec=dict(SPEC),
        )
        session.add(row)
        session.flush()
        return str(row.id)


def assumption(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"assumption_id": _assumption(world, tenant)})


def new_assumption_json(world: World, tenant: Tenant) -> Call:
    plant_for(world.db, tenant.id)
    return Call(json={"statement": "", "spec": {k: v for k, v in SPEC.items() if v is not None}})


def new_assumption_form(world: World, tenant: Tenant) -> Call:
    plant_for(world.db, tenant.id)
    form = {k: str(v) for k, v in SPEC.items() if v is not None}
    return Call(form=form)


ANALYTICS_ASSUMPTIONS_ROUTES: list[RouteCase] = [
    # Pages
    RouteCase("GET", "/analytics/assumptions", "analytics.view"),
    RouteCase(
        "POST", "/analytics/assumptions", "analytics.edit", call=new_assumption_form, ok=REDIRECT
    ),
    RouteCase(
        "GET",
        "/analytics/assumptions/{assumption_id}",
        "analytics.view",
        call=assumption,
        takes_id=True,
    ),
    RouteCase(
        "POST",
        "/analytics/assumptions/{assumption_id}/check",
        "analytics.edit",
        call=assumption,
        takes_id=True,
        ok=REDIRECT,
    ),
    RouteCase(
        "POST",
        "/analytics/assumptions/{assumption_id}/delete",
        "analytics.edit",
        call=assumption,
        takes_id=True,
        ok=REDIRECT,
    ),
    # API
    RouteCase("GET", "/api/v1/assumptions", "analytics.view"),
    RouteCase(
        "POST", "/api/v1/assumptions", "analytics.edit", call=new_assumption_json, ok=CREATED
    ),
    RouteCase(
        "GET",
        "/api/v1/assumptions/{assumption_id}",
        "analytics.view",
        call=assumption,
        takes_id=True,
    ),
    RouteCase(
        "GET",
        "/api/v1/assumptions/{assumption_id}/checks",
        "analytics.view",
        call=assumption,
        takes_id=True,
    ),
    RouteCase(
        "POST",
        "/api/v1/assumptions/{assumption_id}/check",
        "analytics.edit",
        call=assumption,
        takes_id=True,
        ok=CREATED,
    ),
    RouteCase(
        "DELETE",
        "/api/v1/assumptions/{assumption_id}",
        "analytics.edit",
        call=assumption,
        takes_id=True,
        ok=NO_CONTENT,
    ),
]
