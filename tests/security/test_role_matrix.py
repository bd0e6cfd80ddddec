"""T-03: the permission table drives authorisation, for people and for API keys.

The matrix is generated: every guarded route × every role (a member of organisation A
with that role, acting on A's own objects), and every guarded API route × every key
scope set. Granted → one of the route's success statuses; refused → 403 and nothing of
A changed. Nothing here is hand-written per role, so a change to PERMISSIONS or a new
route row is covered at once.
"""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.permissions import PERMISSIONS, Role, Scope, role_may, scope_may
from kohtaamo.app import create_app
from kohtaamo.config import Settings
from tests.api.probe import PEOPLE_ONLY_PATH, PROBE_PATH, add_probe
from tests.security.routes import ROUTES, RouteCase, is_permission, send
from tests.security.world import World, as_browser, as_machine, diff, open_session, snapshot

GUARDED = [case for case in ROUTES if is_permission(case.access)]
PAGES = [(case, role) for case in GUARDED if not case.is_api for role in Role]
SCOPE_SETS = [frozenset({Scope.READ}), frozenset({Scope.WRITE}), frozenset(Scope)]
API = [(case, scopes) for case in GUARDED if case.is_api for scopes in SCOPE_SETS]


def _expect(
    client: TestClient,
    world: World,
    case: RouteCase,
    headers: dict[str, str],
    granted: bool,
    who: str,
) -> None:
    call = case.call(world, world.a)
    before = snapshot(world.db, world.a.id)

    response = send(client, case, call, headers)

    if granted:
        assert response.status_code in case.ok, (
            f"{who} may {case.access} but {case} gave {response.status_code}: {response.text[:300]}"
        )
    else:
        assert response.status_code == 403, (
            f"{who} may not {case.access} but {case} gave {response.status_code}"
        )
        changed = diff(before, snapshot(world.db, world.a.id))
        assert not changed, f"refused {case} still changed:\n{changed}"


def _pairs(items: list[tuple[RouteCase, object]]) -> list[tuple[RouteCase, object]]:
    assert items, "nothing to check: the matrix is empty"
    return items


@pytest.mark.parametrize(("case", "role"), _pairs(PAGES), ids=lambda v: str(v))  # type: ignore[arg-type]
def test_page_role_matrix(client: TestClient, world: World, case: RouteCase, role: Role) -> None:
    user = world.person(world.a, role)
    headers = as_browser(client, open_session(world.db, user, world.a.org))
    _expect(client, world, case, headers, role_may(role, case.access), f"a {role}")


@pytest.mark.parametrize(("case", "scopes"), _pairs(API), ids=lambda v: str(v))  # type: ignore[arg-type]
def test_api_key_scope_matrix(
    client: TestClient, world: World, case: RouteCase, scopes: frozenset[Scope]
) -> None:
    key = world.api_key(world.a, sorted(scopes))
    headers = as_machine(client, key)
    who = f"a key with {sorted(scopes)}"
    _expect(client, world, case, headers, scope_may(scopes, case.access), who)


def test_keys_are_never_granted_people_only_permissions() -> None:
    people_only = [slug for slug, p in PERMISSIONS.items() if not p.api_key]
    assert {"members.manage", "apikeys.manage", "org.manage"} <= set(people_only)
    for slug in people_only:
        assert not scope_may(frozenset(Scope), slug), slug


def test_read_scope_never_grants_a_write() -> None:
    for slug, permission in PERMISSIONS.items():
        assert scope_may(frozenset({Scope.READ}), slug) == (
            permission.api_key and not permission.writes
        ), slug


def test_permission_table_is_deny_by_default() -> None:
    nobody = Actor(organisation_id=uuid.uuid4())
    assert not any(nobody.may(slug) for slug in PERMISSIONS)
    with pytest.raises(KeyError):
        Actor(organisation_id=nobody.organisation_id, role=Role.OWNER).may("no.such.thing")


# --- the refusal paths, on test-only routes until the API has such routes of its own ---


@pytest.mark.parametrize(
    ("scopes", "ingest", "people_only"),
    [
        ([Scope.READ], 403, 403),
        ([Scope.WRITE], 200, 403),
        ([Scope.READ, Scope.WRITE], 200, 403),
    ],
)
def test_scopes_on_write_and_people_only_routes(
    settings: Settings,
    world: World,
    scopes: list[Scope],
    ingest: int,
    people_only: int,
) -> None:
    app = add_probe(create_app(settings, world.db))
    headers = {"authorization": f"Bearer {world.api_key(world.a, scopes)}"}
    before = snapshot(world.db, world.a.id)
    with TestClient(app) as probe:
        wrote = probe.post(PROBE_PATH, json={"name": "x", "count": 1}, headers=headers)
        people = probe.get(PEOPLE_ONLY_PATH, headers=headers)
    assert (wrote.status_code, people.status_code) == (ingest, people_only)
    for refused in (r for r in (wrote, people) if r.status_code == 403):
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert not diff(before, snapshot(world.db, world.a.id))
