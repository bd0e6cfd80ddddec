"""Registry rows of the cases_recovery routes (see routes.py)."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

CASES_RECOVERY_ROUTES: list[RouteCase] = []
