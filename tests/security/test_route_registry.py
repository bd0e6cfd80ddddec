"""The registry gate: every route is declared, guarded or explicitly public, documented.

A failure here is a to-do list for whoever added a route: add a ``RouteCase`` row to
``tests/security/routes.py`` saying who may call it and how to exercise it.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.security.routes import (
    BY_KEY,
    PUBLIC,
    ROUTES,
    SIGNED_IN,
    AppRoute,
    app_routes,
    is_permission,
)


def _routes(app: FastAPI) -> list[AppRoute]:
    routes = list(app_routes(app))
    assert routes, "found no routes: has the way FastAPI exposes routes changed?"
    return routes


def test_every_route_is_in_the_registry(app: FastAPI) -> None:
    missing = [r for r in _routes(app) if (r.method, r.path) not in BY_KEY]
    assert not missing, (
        "Routes without a row in tests/security/routes.py ROUTES. For each, add\n"
        "  RouteCase(<method>, <path>, <permission | PUBLIC | SIGNED_IN>, call=<maker>, "
        "takes_id=<bool>, ok=<statuses>)\n"
        "where <maker>(world, tenant) builds an object of that tenant (for id-taking "
        "routes) and returns the Call aimed at it:\n"
        + "\n".join(f"  {r.method} {r.path}" for r in missing)
    )


def test_registry_has_no_stale_rows(app: FastAPI) -> None:
    live = {(r.method, r.path) for r in _routes(app)}
    stale = [str(case) for case in ROUTES if case.key not in live]
    assert not stale, f"rows for routes the app no longer has (remove them): {stale}"
    assert len(BY_KEY) == len(ROUTES), "a route is listed twice in ROUTES"


def test_every_route_is_guarded_or_declared_open(app: FastAPI) -> None:
    problems = []
    for route in _routes(app):
        case = BY_KEY.get((route.method, route.path))
        if case is None:
            continue  # reported by test_every_route_is_in_the_registry
        where = f"{route.method} {route.path}"
        if not route.is_api_route:
            problems.append(f"{where}: not a FastAPI route, so it cannot carry a guard")
        elif case.access in (PUBLIC, SIGNED_IN):
            if route.guards:
                problems.append(f"{where}: declared {case.access} but guarded by {route.guards}")
            if not case.why:
                problems.append(f"{where}: declared {case.access} without saying why")
        elif not is_permission(case.access):
            problems.append(f"{where}: {case.access!r} is not in the permission table")
        elif not route.guards:
            problems.append(
                f"{where}: has no PermissionGuard; add Depends(api_permission("
                f"{case.access!r})) or page_permission(...), or declare it PUBLIC"
            )
        elif list(route.guards) != [case.access]:
            problems.append(f"{where}: guarded by {route.guards}, registry says {case.access!r}")
    assert not problems, "\n".join(problems)


def test_api_routes_are_exactly_the_documented_ones(app: FastAPI, client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    documented = {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete", "options")
    }
    served = {(r.method, r.path) for r in _routes(app) if r.path.startswith("/api/")}
    assert served == documented, (
        f"undocumented API routes: {sorted(served - documented)}; "
        f"documented but not served: {sorted(documented - served)}"
    )
    pages_in_schema = [p for p in spec["paths"] if not p.startswith("/api/")]
    assert not pages_in_schema, f"pages leak into the API schema: {pages_in_schema}"


def test_nothing_undocumented_answers_under_api(client: TestClient) -> None:
    for path in ("/api/v1/admin", "/api/v2/me", "/api/internal"):
        response = client.get(path, headers={"accept-language": "en"})
        assert response.status_code == 404, (path, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = client.request(method, "/api/v1/me")
        assert response.status_code == 405, (method, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")
