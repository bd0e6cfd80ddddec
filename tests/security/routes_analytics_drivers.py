"""Registry rows of the analytics_drivers routes (see routes.py)."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

ANALYTICS_DRIVERS_ROUTES: list[RouteCase] = []
