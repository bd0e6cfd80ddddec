"""Registry rows of the metrics API (``/api/v1/metrics…``; see routes.py).

The query takes no id: it reads the caller's organisation only, so there is no foreign
object to name (the isolation of its numbers is tested in tests/analytics/test_query.py
and test_metrics_api.py).
"""

from __future__ import annotations

from tests.security.routes_base import Call, RouteCase
from tests.security.world import Tenant, World


def metric_query(_w: World, _t: Tenant) -> Call:
    return Call(json={"metrics": ["nps", "csat"], "by": ["touchpoint"], "period": "month"})


ANALYTICS_API_ROUTES: list[RouteCase] = [
    RouteCase("GET", "/api/v1/metrics", "analytics.view"),
    RouteCase("POST", "/api/v1/metrics/query", "analytics.view", call=metric_query),
]
