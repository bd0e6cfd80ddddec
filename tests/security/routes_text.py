"""Registry rows of the text routes (see routes.py)."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

TEXT_ROUTES: list[RouteCase] = []
