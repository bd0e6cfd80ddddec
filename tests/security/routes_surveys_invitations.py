"""Registry rows of the survey routes: surveys_invitations (see routes.py)."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

SURVEYS_INVITATIONS_ROUTES: tuple[RouteCase, ...] = ()
