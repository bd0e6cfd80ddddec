"""Registry rows of the analytics_assumptions routes (see routes.py)."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

ANALYTICS_ASSUMPTIONS_ROUTES: list[RouteCase] = []
