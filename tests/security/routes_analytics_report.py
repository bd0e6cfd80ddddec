"""Registry rows of the analytics_report routes (see routes.py)."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

ANALYTICS_REPORT_ROUTES: list[RouteCase] = []
