"""Registry rows of the analytics pages: the touchpoint page, the explorer and its exports
(the overview, ``GET /analytics``, is in ``routes.py`` with the other area pages)."""

from __future__ import annotations

from tests.security.routes_base import Call, RouteCase
from tests.security.routes_journeys import _touchpoint
from tests.security.world import Tenant, World


def touchpoint(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"touchpoint_id": _touchpoint(world, tenant)})


def explore(_w: World, _t: Tenant) -> Call:
    return Call(query={"metric": "nps", "by": "touchpoint", "compare": "1"})


ANALYTICS_PAGES_ROUTES: list[RouteCase] = [
    RouteCase("GET", "/analytics/critical", "analytics.view"),
    RouteCase(
        "GET",
        "/analytics/touchpoints/{touchpoint_id}",
        "analytics.view",
        call=touchpoint,
        takes_id=True,
    ),
    RouteCase("GET", "/analytics/explore", "analytics.view", call=explore),
    RouteCase("GET", "/analytics/explore.csv", "analytics.view", call=explore),
    RouteCase("GET", "/analytics/explore.xlsx", "analytics.view", call=explore),
]
