"""Registry rows of the journeys API: teams, touchpoints, journeys, events, customers.

Makers create the tenant's objects through the API itself with the tenant's own key,
so they follow the API as it changes instead of the service signatures.
"""

from __future__ import annotations

import itertools

from tests.security.routes_base import Call, RouteCase
from tests.security.world import Tenant, World

_n = itertools.count(1)
CREATED = frozenset({201})
NO_CONTENT = frozenset({204})
SAVED = frozenset({200, 201})


def _team(world: World, tenant: Tenant) -> str:
    return str(world.api(tenant, "POST", "/api/v1/teams", {"name": f"Tiimi {next(_n)}"})["id"])


def _touchpoint(world: World, tenant: Tenant) -> str:
    n = next(_n)
    body = {
        "key": f"tp-{n}",
        "name_fi": "Kassa",
        "name_en": "Till",
        "channel": "website",
        "factor_group": "content",
        "owner_team_id": _team(world, tenant),
    }
    return str(world.api(tenant, "POST", "/api/v1/touchpoints", body)["id"])


def _journey(world: World, tenant: Tenant) -> dict[str, object]:
    body = {
        "key": f"polku-{next(_n)}",
        "name": "Ostopolku",
        "stages": [{"name_fi": "Haku", "name_en": "Search"}, {"name_fi": "Osto", "name_en": "Buy"}],
    }
    journey: dict[str, object] = world.api(tenant, "POST", "/api/v1/journeys", body)
    return journey


def _stage_ids(journey: dict[str, object]) -> list[str]:
    return [str(s["id"]) for s in journey["stages"]]  # type: ignore[attr-defined]


def new_team(_w: World, _t: Tenant) -> Call:
    return Call(json={"name": f"Tiimi {next(_n)}"})


def team(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"team_id": _team(world, tenant)}, json={"name": f"Uusi {next(_n)}"})


def new_touchpoint(world: World, tenant: Tenant) -> Call:
    return Call(
        json={
            "key": f"tp-{next(_n)}",
            "name_fi": "Kassa",
            "name_en": "Till",
            "channel": "email",
            "factor_group": "functional",
            "owner_team_id": _team(world, tenant),
        }
    )


def touchpoint(world: World, tenant: Tenant) -> Call:
    return Call(
        path_params={"touchpoint_id": _touchpoint(world, tenant)}, json={"name_en": "Checkout"}
    )


def new_journey(_w: World, _t: Tenant) -> Call:
    return Call(json={"key": f"polku-{next(_n)}", "name": "Palautus"})


def journey(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"journey_id": str(_journey(world, tenant)["id"])}, json={"name": "X"})


def journey_new_stage(world: World, tenant: Tenant) -> Call:
    return Call(
        path_params={"journey_id": str(_journey(world, tenant)["id"])},
        json={"name_fi": "Toimitus", "name_en": "Delivery"},
    )


def journey_stage_order(world: World, tenant: Tenant) -> Call:
    found = _journey(world, tenant)
    return Call(
        path_params={"journey_id": str(found["id"])},
        json={"stage_ids": list(reversed(_stage_ids(found)))},
    )


def journey_stage(world: World, tenant: Tenant) -> Call:
    found = _journey(world, tenant)
    return Call(
        path_params={"journey_id": str(found["id"]), "stage_id": _stage_ids(found)[0]},
        json={"name_en": "Looking"},
    )


def placement(world: World, tenant: Tenant) -> Call:
    found = _journey(world, tenant)
    return Call(
        path_params={
            "journey_id": str(found["id"]),
            "touchpoint_id": _touchpoint(world, tenant),
        },
        json={"stage_id": _stage_ids(found)[0]},
    )


def placed(world: World, tenant: Tenant) -> Call:
    call = placement(world, tenant)
    world.api(
        tenant,
        "PUT",
        "/api/v1/journeys/{journey_id}/touchpoints/{touchpoint_id}".format(**call.path_params),
        call.json,
    )
    return Call(path_params=call.path_params)


def customer(world: World, tenant: Tenant) -> Call:
    # Only this tenant has this external id: another tenant asking for it gets 404.
    external = f"asiakas-{tenant.org.slug}-{next(_n)}"
    world.api(tenant, "PUT", f"/api/v1/customers/{external}", {"segment": "kuluttaja"})
    return Call(path_params={"external_id": external}, json={"segment": "yritys"})


def new_customers(_w: World, _t: Tenant) -> Call:
    return Call(
        json={"customers": [{"external_id": f"asiakas-{next(_n)}", "segment": "kuluttaja"}]}
    )


def new_event(world: World, tenant: Tenant) -> Call:
    key = f"tp-{next(_n)}"
    body = {
        "key": key,
        "name_fi": "Kassa",
        "name_en": "Till",
        "channel": "website",
        "factor_group": "content",
        "owner_team_id": _team(world, tenant),
    }
    world.api(tenant, "POST", "/api/v1/touchpoints", body)
    event = {
        "id": f"e-{next(_n)}",
        "customer": "asiakas-1",
        "touchpoint": key,
        "occurred_at": "2026-01-01T10:00:00+02:00",
    }
    return Call(json={"events": [event]})


J = "/api/v1/journeys/{journey_id}"


def journey_paths(world: World, tenant: Tenant) -> Call:
    return Call(query={"journey": str(_journey(world, tenant)["id"])})


JOURNEY_ROUTES: tuple[RouteCase, ...] = (
    RouteCase("GET", "/api/v1/paths", "journeys.view", call=journey_paths, takes_id=True),
    RouteCase("GET", "/api/v1/teams", "journeys.view"),
    RouteCase("POST", "/api/v1/teams", "journeys.edit", call=new_team, ok=CREATED),
    RouteCase("PATCH", "/api/v1/teams/{team_id}", "journeys.edit", call=team, takes_id=True),
    RouteCase(
        "DELETE",
        "/api/v1/teams/{team_id}",
        "journeys.edit",
        call=team,
        takes_id=True,
        ok=NO_CONTENT,
    ),
    RouteCase("GET", "/api/v1/touchpoints", "journeys.view"),
    RouteCase("POST", "/api/v1/touchpoints", "journeys.edit", call=new_touchpoint, ok=CREATED),
    RouteCase(
        "GET", "/api/v1/touchpoints/{touchpoint_id}", "journeys.view", touchpoint, takes_id=True
    ),
    RouteCase(
        "PATCH", "/api/v1/touchpoints/{touchpoint_id}", "journeys.edit", touchpoint, takes_id=True
    ),
    RouteCase(
        "DELETE",
        "/api/v1/touchpoints/{touchpoint_id}",
        "journeys.edit",
        touchpoint,
        takes_id=True,
        ok=NO_CONTENT,
    ),
    RouteCase("GET", "/api/v1/journeys", "journeys.view"),
    RouteCase("POST", "/api/v1/journeys", "journeys.edit", call=new_journey, ok=CREATED),
    RouteCase("GET", J, "journeys.view", call=journey, takes_id=True),
    RouteCase("PATCH", J, "journeys.edit", call=journey, takes_id=True),
    RouteCase("DELETE", J, "journeys.edit", call=journey, takes_id=True, ok=NO_CONTENT),
    RouteCase("POST", J + "/stages", "journeys.edit", journey_new_stage, takes_id=True, ok=SAVED),
    RouteCase("PUT", J + "/stages", "journeys.edit", call=journey_stage_order, takes_id=True),
    RouteCase("PATCH", J + "/stages/{stage_id}", "journeys.edit", journey_stage, takes_id=True),
    RouteCase("DELETE", J + "/stages/{stage_id}", "journeys.edit", journey_stage, takes_id=True),
    RouteCase("PUT", J + "/touchpoints/{touchpoint_id}", "journeys.edit", placement, True),
    RouteCase("DELETE", J + "/touchpoints/{touchpoint_id}", "journeys.edit", placed, True),
    RouteCase("POST", "/api/v1/events", "events.ingest", call=new_event),
    RouteCase("GET", "/api/v1/events/export", "journeys.view"),
    RouteCase("GET", "/api/v1/customers", "journeys.view"),
    RouteCase("POST", "/api/v1/customers:batch", "events.ingest", call=new_customers, ok=SAVED),
    RouteCase(
        "GET", "/api/v1/customers/{external_id}", "journeys.view", call=customer, takes_id=True
    ),
    RouteCase(
        "PUT",
        "/api/v1/customers/{external_id}",
        "events.ingest",
        call=customer,
        takes_id=True,
        ok=SAVED,
        # An upsert by the caller's own external id: another tenant's id simply creates
        # the caller's own customer. What matters is that B's row stays untouched.
        foreign=SAVED,
    ),
    RouteCase(
        "DELETE",
        "/api/v1/customers/{external_id}",
        "events.ingest",
        call=customer,
        takes_id=True,
        ok=NO_CONTENT,
    ),
)
