"""Registry rows of the analytics_report routes (see routes.py)."""

from __future__ import annotations

from tests.security.routes_base import Call, RouteCase
from tests.security.world import Tenant, World


def report_month(_world: World, _tenant: Tenant) -> Call:
    return Call(query={"month": "2026-10", "lang": "en"})


ANALYTICS_REPORT_ROUTES: list[RouteCase] = [
    RouteCase("GET", "/analytics/report", "analytics.view"),
    RouteCase("GET", "/analytics/report.pdf", "analytics.view", call=report_month),
]
