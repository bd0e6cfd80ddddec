"""Registry rows of the programme (edit); see routes.py."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

PROGRAMME_EDIT_ROUTES: list[RouteCase] = []
