"""Registry rows of the cases_api routes (see routes.py)."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

CASES_API_ROUTES: list[RouteCase] = []
