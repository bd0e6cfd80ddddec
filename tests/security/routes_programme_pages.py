"""Registry rows of the programme (pages); see routes.py."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

PROGRAMME_PAGES_ROUTES: list[RouteCase] = []
