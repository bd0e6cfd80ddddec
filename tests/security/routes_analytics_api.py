"""Registry rows of the analytics_api routes (see routes.py)."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

ANALYTICS_API_ROUTES: list[RouteCase] = []
