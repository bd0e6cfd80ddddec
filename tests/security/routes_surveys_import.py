"""Registry rows of the survey routes: surveys_import (see routes.py)."""

from __future__ import annotations

from tests.security.routes_base import RouteCase

SURVEYS_IMPORT_ROUTES: tuple[RouteCase, ...] = ()
