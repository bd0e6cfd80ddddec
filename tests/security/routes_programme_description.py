"""Registry rows of the programme (description); see routes.py."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

PROGRAMME_DESCRIPTION_ROUTES: list[RouteCase] = []
