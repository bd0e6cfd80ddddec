"""Registry rows of the webhooks routes (see routes.py)."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

WEBHOOKS_ROUTES: list[RouteCase] = []
