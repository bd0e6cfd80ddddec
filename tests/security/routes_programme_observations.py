"""Registry rows of the programme (observations); see routes.py."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

PROGRAMME_OBSERVATIONS_ROUTES: list[RouteCase] = []
