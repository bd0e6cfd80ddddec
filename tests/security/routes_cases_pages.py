"""Registry rows of the cases_pages routes (see routes.py)."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

CASES_PAGES_ROUTES: list[RouteCase] = []
