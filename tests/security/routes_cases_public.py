"""Registry rows of the cases_public routes (see routes.py)."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

CASES_PUBLIC_ROUTES: list[RouteCase] = []
