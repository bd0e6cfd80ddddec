"""Registry rows of the survey routes: surveys_public (see routes.py)."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

SURVEYS_PUBLIC_ROUTES: tuple[RouteCase, ...] = ()
