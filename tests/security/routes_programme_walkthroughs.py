"""Registry rows of the programme (walkthroughs); see routes.py."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

PROGRAMME_WALKTHROUGHS_ROUTES: list[RouteCase] = []
