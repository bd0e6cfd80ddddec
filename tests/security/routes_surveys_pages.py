"""Registry rows of the survey routes: surveys_pages (see routes.py)."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

SURVEYS_PAGES_ROUTES: tuple[RouteCase, ...] = ()
