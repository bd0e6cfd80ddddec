"""The route registry: every route of the app, and how the security tests exercise it.

``test_route_registry`` fails when the app has a route that is not listed here, so a new
page or API endpoint cannot ship without saying who may call it and, when it takes an
id, how to build another organisation's object of that kind. Adding a route means
adding one ``RouteCase`` row below:

    RouteCase("POST", "/api/v1/journeys/{journey_id}", "journeys.edit",
              call=journey_update, takes_id=True, ok={200})

where ``journey_update(world, tenant)`` creates a journey in ``tenant`` and returns the
``Call`` aimed at it. The tests call it with the caller's own tenant (role matrix) and
with the other tenant (isolation: must answer 404 and change nothing).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import select

from kohtaamo.accounts.models import ApiKey, Membership
from kohtaamo.accounts.permissions import PERMISSIONS, Scope
from kohtaamo.http.context import permission_of
from tests.factories import PASSWORD
from tests.security.routes_analytics_api import ANALYTICS_API_ROUTES
from tests.security.routes_analytics_assumptions import ANALYTICS_ASSUMPTIONS_ROUTES
from tests.security.routes_analytics_drivers import ANALYTICS_DRIVERS_ROUTES
from tests.security.routes_analytics_pages import ANALYTICS_PAGES_ROUTES
from tests.security.routes_analytics_report import ANALYTICS_REPORT_ROUTES
from tests.security.routes_base import Call, Maker, RouteCase, no_input, send
from tests.security.routes_cases_api import CASES_API_ROUTES
from tests.security.routes_cases_complaints import CASES_COMPLAINTS_ROUTES
from tests.security.routes_cases_pages import CASES_PAGES_ROUTES
from tests.security.routes_cases_public import CASES_PUBLIC_ROUTES
from tests.security.routes_cases_recovery import CASES_RECOVERY_ROUTES
from tests.security.routes_journey_pages import JOURNEY_PAGE_ROUTES
from tests.security.routes_journeys import JOURNEY_ROUTES
from tests.security.routes_programme_api import PROGRAMME_API_ROUTES
from tests.security.routes_programme_description import PROGRAMME_DESCRIPTION_ROUTES
from tests.security.routes_programme_edit import PROGRAMME_EDIT_ROUTES
from tests.security.routes_programme_observations import PROGRAMME_OBSERVATIONS_ROUTES
from tests.security.routes_programme_pages import PROGRAMME_PAGES_ROUTES
from tests.security.routes_programme_walkthroughs import PROGRAMME_WALKTHROUGHS_ROUTES
from tests.security.routes_surveys_api import SURVEYS_API_ROUTES
from tests.security.routes_surveys_import import SURVEYS_IMPORT_ROUTES
from tests.security.routes_surveys_invitations import SURVEYS_INVITATIONS_ROUTES
from tests.security.routes_surveys_pages import SURVEYS_PAGES_ROUTES
from tests.security.routes_surveys_public import SURVEYS_PUBLIC_ROUTES
from tests.security.routes_text import TEXT_ROUTES
from tests.security.routes_webhooks import WEBHOOKS_ROUTES
from tests.security.world import Tenant, World

__all__ = ["Call", "Maker", "RouteCase", "no_input", "send"]

PUBLIC = "<public>"  # anyone, signed in or not
SIGNED_IN = "<signed-in>"  # any signed-in user; what they may touch is checked inside

# Framework routes that are not the product's: the API docs and the static files.
IGNORED_PATHS = ("/static", "/api/docs", "/api/openapi.json", "/docs/oauth2-redirect")


# --- how to build each kind of object ----------------------------------------------


def login_form(world: World, tenant: Tenant) -> Call:
    return Call(form={"email": tenant.owner.email, "password": PASSWORD, "next": "/"})


def switch_to(_world: World, tenant: Tenant) -> Call:
    return Call(form={"organisation_id": str(tenant.id)})


def language_form(_world: World, _tenant: Tenant) -> Call:
    return Call(form={"locale": "en", "next": "/"})


def _membership_id(world: World, tenant: Tenant, user_id: object) -> str:
    table = Membership.__table__
    with world.db.engine.connect() as conn:
        found = conn.execute(
            select(table.c.id).where(
                table.c.organisation_id == tenant.id, table.c.user_id == user_id
            )
        ).scalar_one()
    return str(found)


def shared_member(world: World, tenant: Tenant) -> Call:
    """The person in both organisations: the same e-mail names a membership in each."""
    return Call(path_params={"membership_id": _membership_id(world, tenant, world.shared.id)})


def shared_member_role(world: World, tenant: Tenant) -> Call:
    return replace(shared_member(world, tenant), form={"role": "analyst"})


def invite_form(_world: World, _tenant: Tenant) -> Call:
    return Call(
        form={"email": f"uusi{uuid.uuid4().hex[:8]}@example.test", "name": "Uusi", "role": "viewer"}
    )


def new_key_form(_world: World, _tenant: Tenant) -> Call:
    return Call(form={"name": "Integraatio", "scopes": ["read"]})  # type: ignore[dict-item]


def existing_key(world: World, tenant: Tenant) -> Call:
    """A fresh key of the tenant, named like every other tenant's key."""
    prefix = world.api_key(tenant, [Scope.READ]).split("_")[1]
    table = ApiKey.__table__
    with world.db.engine.connect() as conn:
        key_id = conn.execute(select(table.c.id).where(table.c.prefix == prefix)).scalar_one()
    return Call(path_params={"key_id": str(key_id)})


def forgot_form(_world: World, _tenant: Tenant) -> Call:
    return Call(form={"email": "nobody@example.test"})


def made_up_link(_world: World, _tenant: Tenant) -> Call:
    return Call(
        path_params={"link": "made-up-link"},
        form={"password": "a long password", "password_again": "a long password"},
    )


# --- the table ---------------------------------------------------------------------

REDIRECT = frozenset({303})

ROUTES: tuple[RouteCase, ...] = (
    # API v1
    RouteCase("GET", "/api/v1/me", "org.view"),
    RouteCase("GET", "/api/v1/organisation", "org.view"),
    # Pages: signing in and out
    RouteCase("GET", "/login", PUBLIC, why="the sign-in form"),
    RouteCase("POST", "/login", PUBLIC, call=login_form, ok=REDIRECT, why="signing in"),
    RouteCase("POST", "/logout", PUBLIC, ok=REDIRECT, why="ends only the caller's own session"),
    RouteCase("GET", "/password/forgot", PUBLIC, why="asking for a reset link"),
    RouteCase("POST", "/password/forgot", PUBLIC, call=forgot_form, why="asking for a reset link"),
    RouteCase(
        "GET",
        "/password/set/{link}",
        PUBLIC,
        call=made_up_link,
        ok=frozenset({404}),
        why="the single-use link is the credential; a made-up one is not found",
    ),
    RouteCase(
        "POST",
        "/password/set/{link}",
        PUBLIC,
        call=made_up_link,
        ok=frozenset({404}),
        why="the single-use link is the credential; a made-up one is not found",
    ),
    RouteCase(
        "POST",
        "/language",
        PUBLIC,
        call=language_form,
        ok=REDIRECT,
        why="the language choice works before sign-in too",
    ),
    RouteCase(
        "POST",
        "/organisation/switch",
        SIGNED_IN,
        call=switch_to,
        takes_id=True,
        ok=REDIRECT,
        why="a user with no role in the current organisation must still reach their others",
    ),
    # Pages: the product
    RouteCase("GET", "/", "org.view"),
    RouteCase("GET", "/journeys", "journeys.view"),
    RouteCase("GET", "/feedback", "feedback.view"),
    RouteCase("GET", "/analytics", "analytics.view"),
    RouteCase("GET", "/text", "text.view"),
    RouteCase("GET", "/cases", "cases.view"),
    RouteCase("GET", "/programme", "programme.view"),
    # Pages: settings
    RouteCase("GET", "/settings", "org.view"),
    RouteCase("GET", "/settings/roles", "members.view"),
    RouteCase("GET", "/settings/members", "members.view"),
    RouteCase("POST", "/settings/members", "members.manage", call=invite_form, ok=REDIRECT),
    RouteCase(
        "POST",
        "/settings/members/{membership_id}/role",
        "members.manage",
        call=shared_member_role,
        takes_id=True,
        ok=REDIRECT,
    ),
    RouteCase(
        "POST",
        "/settings/members/{membership_id}/disable",
        "members.manage",
        call=shared_member,
        takes_id=True,
        ok=REDIRECT,
    ),
    RouteCase("GET", "/settings/api-keys", "apikeys.manage"),
    RouteCase("GET", "/settings/audit", "audit.view"),
    RouteCase("GET", "/settings/audit.csv", "audit.view"),
    RouteCase("POST", "/settings/api-keys", "apikeys.manage", call=new_key_form),
    RouteCase(
        "POST",
        "/settings/api-keys/{key_id}/revoke",
        "apikeys.manage",
        call=existing_key,
        takes_id=True,
        ok=REDIRECT,
    ),
    *JOURNEY_ROUTES,
    *JOURNEY_PAGE_ROUTES,
    *SURVEYS_API_ROUTES,
    *SURVEYS_PUBLIC_ROUTES,
    *SURVEYS_PAGES_ROUTES,
    *SURVEYS_INVITATIONS_ROUTES,
    *SURVEYS_IMPORT_ROUTES,
    *ANALYTICS_API_ROUTES,
    *ANALYTICS_ASSUMPTIONS_ROUTES,
    *ANALYTICS_DRIVERS_ROUTES,
    *ANALYTICS_PAGES_ROUTES,
    *ANALYTICS_REPORT_ROUTES,
    *TEXT_ROUTES,
    *CASES_API_ROUTES,
    *CASES_PAGES_ROUTES,
    *CASES_PUBLIC_ROUTES,
    *PROGRAMME_API_ROUTES,
    *PROGRAMME_PAGES_ROUTES,
    *PROGRAMME_EDIT_ROUTES,
    *PROGRAMME_DESCRIPTION_ROUTES,
    *PROGRAMME_OBSERVATIONS_ROUTES,
    *PROGRAMME_WALKTHROUGHS_ROUTES,
    *CASES_COMPLAINTS_ROUTES,
    *CASES_RECOVERY_ROUTES,
    *WEBHOOKS_ROUTES,
)

BY_KEY: dict[tuple[str, str], RouteCase] = {case.key: case for case in ROUTES}


# --- reading the app ---------------------------------------------------------------


@dataclass(frozen=True)
class AppRoute:
    method: str
    path: str
    guards: tuple[str, ...]  # permissions of the PermissionGuard dependencies
    is_api_route: bool  # a FastAPI route (has dependencies); False for bare Starlette routes


def _guards(dependant: Any) -> list[str]:
    found: list[str] = []
    for sub in getattr(dependant, "dependencies", []):
        perm = permission_of(sub.call)
        if perm is not None:
            found.append(perm)
        found += _guards(sub)
    return found


def app_routes(app: FastAPI) -> Iterator[AppRoute]:
    """Every (method, path) the app answers, included routers flattened."""
    for ctx in iter_route_contexts(app.routes):
        path = str(ctx.path)
        if path.startswith(IGNORED_PATHS):
            continue
        original = ctx.original_route
        methods = sorted(getattr(ctx, "methods", None) or ["*"])
        guards = tuple(_guards(ctx.dependant)) if isinstance(original, APIRoute) else ()
        for method in methods:
            if method == "HEAD" and "GET" in methods:
                continue
            yield AppRoute(method, path, guards, isinstance(original, APIRoute))


def is_permission(access: str) -> bool:
    return access in PERMISSIONS
