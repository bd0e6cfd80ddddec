"""Registry rows of the survey routes: surveys_api (see routes.py)."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

SURVEYS_API_ROUTES: tuple[RouteCase, ...] = ()
