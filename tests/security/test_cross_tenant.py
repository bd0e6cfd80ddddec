"""T-01/T-02: organisation A's credentials never reach organisation B's data.

For every route of the registry that takes an id, A's owner (a session for pages, an
API key for the API) asks for B's object: the answer is 404, never 403 (no existence
oracle), and a DB diff of everything B owns is empty. Every route called by A on A's
own objects leaves B unchanged and shows none of B's ids.
"""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient

from tests.security.routes import ROUTES, RouteCase, send
from tests.security.world import World, as_browser, as_machine, diff, open_session, snapshot

ID_ROUTES = [case for case in ROUTES if case.takes_id]
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def credentials_of_a(client: TestClient, world: World, case: RouteCase) -> dict[str, str]:
    if case.is_api:
        return as_machine(client, world.a.key)
    return as_browser(client, open_session(world.db, world.a.owner, world.a.org))


def test_there_are_id_taking_routes_to_check() -> None:
    # Guards the parametrisation below against silently checking nothing.
    assert ID_ROUTES


@pytest.mark.parametrize("case", ID_ROUTES, ids=str)
def test_foreign_id_answers_404_and_changes_nothing(
    client: TestClient, world: World, case: RouteCase
) -> None:
    foreign = case.call(world, world.b)
    before = snapshot(world.db, world.b.id)
    headers = credentials_of_a(client, world, case)

    response = send(client, case, foreign, headers)

    assert response.status_code in case.foreign, (
        f"{case} with B's ids gave {response.status_code}, expected {sorted(case.foreign)}: "
        f"{response.text[:300]}"
    )
    assert not diff(before, snapshot(world.db, world.b.id)), diff(
        before, snapshot(world.db, world.b.id)
    )


@pytest.mark.parametrize("case", ID_ROUTES, ids=str)
def test_foreign_and_missing_ids_look_the_same(
    client: TestClient, world: World, case: RouteCase
) -> None:
    """No existence oracle: B's real id and an id nobody has get the same answer."""
    foreign = case.call(world, world.b)
    nobody = str(uuid.uuid4())
    # Every path parameter names B's object (an id, or an external id like a customer's).
    fake_ids = {
        k: nobody if UUID_RE.fullmatch(v) else f"nobody-{nobody}"
        for k, v in foreign.path_params.items()
    }
    fake_form = (
        {k: nobody if UUID_RE.fullmatch(v) else v for k, v in foreign.form.items()}
        if foreign.form
        else None
    )
    fake = type(foreign)(
        path_params=fake_ids, query=foreign.query, json=foreign.json, form=fake_form
    )
    headers = credentials_of_a(client, world, case)

    real = send(client, case, foreign, headers)
    missing = send(client, case, fake, headers)

    assert (real.status_code, real.headers.get("content-type")) == (
        missing.status_code,
        missing.headers.get("content-type"),
    )


@pytest.mark.parametrize("case", ROUTES, ids=str)
def test_own_calls_leave_the_other_tenant_alone(
    client: TestClient, world: World, case: RouteCase
) -> None:
    own = case.call(world, world.a)
    before = snapshot(world.db, world.b.id)
    b_ids = {
        str(value)
        for table, rows in before.items()
        if table != "users"  # the shared member's user row is legitimately in both
        for row in rows
        for value in row
        if isinstance(value, uuid.UUID) and value != world.shared.id
    }
    headers = credentials_of_a(client, world, case)

    response = send(client, case, own, headers)

    assert response.status_code < 500, response.text[:300]
    leaked = b_ids & set(UUID_RE.findall(response.text))
    assert not leaked, f"{case} showed B's ids to A: {leaked}"
    assert not diff(before, snapshot(world.db, world.b.id))
