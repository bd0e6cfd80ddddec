"""Registry rows of the analytics_pages routes (see routes.py)."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

ANALYTICS_PAGES_ROUTES: list[RouteCase] = []
