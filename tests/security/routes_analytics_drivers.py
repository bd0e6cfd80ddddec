"""Registry rows of the key-driver and benchmark routes (see routes.py): the driver page
and API, the benchmark page and its targets and external values (add, edit, delete)."""

from __future__ import annotations

import itertools

from kohtaamo.analytics.models import BenchmarkValue
from tests.security.routes_base import Call, RouteCase
from tests.security.world import Tenant, World

_n = itertools.count(1)
REDIRECT = frozenset({303})
# Without answers a driver analysis explains that it cannot be done (API: a 422).
ANSWERED = frozenset({200, 422})


def _benchmark(world: World, tenant: Tenant) -> str:
    with world.db.transaction(tenant.id) as session:
        row = BenchmarkValue(
            organisation_id=tenant.id, kind="target", metric="nps", value=40.0, label="Tavoite"
        )
        session.add(row)
        session.flush()
        return str(row.id)


def _form() -> dict[str, str]:
    return {"kind": "external", "metric": "nps", "value": "55", "label": f"Finnair {next(_n)}"}


def new_benchmark(_w: World, _t: Tenant) -> Call:
    return Call(form=_form())


def benchmark(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"benchmark_id": _benchmark(world, tenant)})


def benchmark_save(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"benchmark_id": _benchmark(world, tenant)}, form=_form())


def drivers_api(_w: World, _t: Tenant) -> Call:
    return Call(query={"outcome": "nps", "method": "relative-weights", "bootstrap": "0"})


ANALYTICS_DRIVERS_ROUTES: list[RouteCase] = [
    RouteCase("GET", "/analytics/drivers", "analytics.view"),
    RouteCase("GET", "/api/v1/drivers", "analytics.view", call=drivers_api, ok=ANSWERED),
    RouteCase("GET", "/analytics/benchmarks", "analytics.view"),
    RouteCase("POST", "/analytics/benchmarks", "analytics.edit", new_benchmark, ok=REDIRECT),
    RouteCase(
        "GET", "/analytics/benchmarks/{benchmark_id}", "analytics.edit", benchmark, takes_id=True
    ),
    RouteCase(
        "POST",
        "/analytics/benchmarks/{benchmark_id}",
        "analytics.edit",
        benchmark_save,
        takes_id=True,
        ok=REDIRECT,
    ),
    RouteCase(
        "POST",
        "/analytics/benchmarks/{benchmark_id}/delete",
        "analytics.edit",
        benchmark,
        takes_id=True,
        ok=REDIRECT,
    ),
]
