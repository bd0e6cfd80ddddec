"""Registry rows of the programme (api); see routes.py."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

PROGRAMME_API_ROUTES: list[RouteCase] = []
