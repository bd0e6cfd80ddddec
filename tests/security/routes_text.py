"""Registry rows of the text routes (see routes.py).

(``GET /text`` itself is a row of ``routes.py``.) The makers build the tenant's theme
with the text domain's theme service, as the theme editor does.
"""

from __future__ import annotations

import itertools

from kohtaamo.text import theme_rules
from kohtaamo.text.schemas import ThemeIn
from tests.security.routes_base import Call, Maker, RouteCase
from tests.security.world import Tenant, World

_n = itertools.count(1)
REDIRECT = frozenset({303})
V, E = "text.view", "text.edit"


def _theme(world: World, tenant: Tenant) -> str:
    with world.db.transaction(tenant.id) as session:
        theme = theme_rules.create_theme(
            session, ThemeIn(key=f"teema_{next(_n)}", terms={"fi": ["latausasema"]})
        )
        return str(theme.id)


def theme(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"theme_id": _theme(world, tenant)})


def theme_form(action: str, *, takes_id: bool) -> Maker:
    def make(world: World, tenant: Tenant) -> Call:
        form = {"key": f"uusi_{next(_n)}", "terms_fi": "latausasema", "action": action}
        params = {"theme_id": _theme(world, tenant)} if takes_id else {}
        return Call(path_params=params, form=form)

    return make


def candidate(_w: World, _t: Tenant) -> Call:
    return Call(form={"phrase": f"latausasema {next(_n)}", "language": "fi"})


T = "/text/themes/{theme_id}"

TEXT_ROUTES: list[RouteCase] = [
    RouteCase("GET", "/text/comments", V),
    RouteCase("GET", "/text/emerging", V),
    RouteCase("POST", "/text/emerging", E, call=candidate, ok=REDIRECT),
    RouteCase("GET", "/text/themes", V),
    RouteCase("GET", "/text/themes/new", E),
    RouteCase("POST", "/text/themes", E, call=theme_form("save", takes_id=False), ok=REDIRECT),
    RouteCase("GET", T, E, call=theme, takes_id=True),
    RouteCase("POST", T, E, call=theme_form("save", takes_id=True), takes_id=True, ok=REDIRECT),
    RouteCase("POST", T + "/delete", E, call=theme, takes_id=True, ok=REDIRECT),
]
