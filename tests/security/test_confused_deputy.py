"""T-02: the tenant comes from the credential only.

The Formbricks pattern: the attacker sends their *own* organisation id (where a naive
check would look) next to the *victim's* resource id. Hypothesis tries every mutating
action with such mixes; the property is that the answer is 404 or 422 and nothing of
the victim organisation changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace

import hypothesis
import pytest
from fastapi.testclient import TestClient
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.accounts import service
from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import ApiKey, Membership, WebSession
from kohtaamo.accounts.permissions import Role, role_may
from kohtaamo.errors import NotFound
from kohtaamo.storage.tenancy import ALL_TENANTS
from tests.security.routes import ROUTES, Call, RouteCase, is_permission, send
from tests.security.world import World, as_browser, as_machine, diff, open_session, snapshot

SETTINGS = hypothesis.settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)
TENANT_FIELDS = ["organisation_id", "organisationId", "org_id", "tenant_id", "organisation"]
MUTATING_ID_ROUTES = [case for case in ROUTES if case.takes_id and case.mutates]


def test_there_are_mutating_id_routes() -> None:
    assert MUTATING_ID_ROUTES


@pytest.mark.parametrize("case", MUTATING_ID_ROUTES, ids=str)
def test_own_org_id_next_to_victim_id(client: TestClient, world: World, case: RouteCase) -> None:
    @SETTINGS
    @hypothesis.given(
        where=st.sampled_from(["query", "body"]),
        name=st.sampled_from(TENANT_FIELDS),
        credential=st.sampled_from(["owner", "shared"]),
    )
    def attempt(where: str, name: str, credential: str) -> None:
        victim = case.call(world, world.b)
        named = set(victim.query) | set(victim.form or {})
        named |= set(victim.json) if isinstance(victim.json, dict) else set()
        # Replacing the victim's own id field would make a different (legitimate) request.
        hypothesis.assume(name not in named)
        own = str(world.a.id)
        if where == "query":
            call = replace(victim, query=victim.query | {name: own})
        elif victim.json is not None and isinstance(victim.json, dict):
            call = replace(victim, json=victim.json | {name: own})
        else:
            call = replace(victim, form=(victim.form or {}) | {name: own})
        before = snapshot(world.db, world.b.id)
        headers = credentials(client, world, case, credential)

        response = send(client, case, call, headers)

        if credential == "shared" and case.path == "/organisation/switch":
            # The shared person really is a member of B: switching there is theirs to do.
            assert response.status_code in case.ok
            return
        role = Role.OWNER if credential == "owner" or case.is_api else Role.VIEWER
        # Without the permission in A the answer is 403 before any id is looked at.
        refused = is_permission(case.access) and not role_may(role, case.access)
        expected = {403} if refused else case.foreign | {422}
        assert response.status_code in expected, (where, name, response.status_code)
        assert not diff(before, snapshot(world.db, world.b.id))

    attempt()


def credentials(client: TestClient, world: World, case: RouteCase, who: str) -> dict[str, str]:
    """A's owner, or the person who is in both organisations, acting in A."""
    if case.is_api:
        return as_machine(client, world.a.key)
    user = world.a.owner if who == "owner" else world.shared
    return as_browser(client, open_session(world.db, user, world.a.org))


# --- the same property one layer down: the services ---------------------------------

Action = Callable[[Session, Actor, uuid.UUID], object]

ACTIONS: dict[str, tuple[str, Action]] = {
    "change role": (
        "membership",
        lambda s, actor, target: service.do_change_role(s, actor, target, Role.VIEWER),
    ),
    "disable member": ("membership", service.do_disable_member),
    "revoke key": ("api_key", service.do_revoke_api_key),
}


def _victims(world: World) -> dict[str, list[uuid.UUID]]:
    with world.db.transaction(world.b.id) as session:
        return {
            "membership": list(session.scalars(select(Membership.id))),
            "api_key": list(session.scalars(select(ApiKey.id))),
        }


def test_services_never_act_on_another_tenants_ids(world: World) -> None:
    victims = _victims(world)
    every_id = [i for ids in victims.values() for i in ids] + [world.b.id, world.shared.id]
    actor = Actor(organisation_id=world.a.id, user_id=world.a.owner.id, role=Role.OWNER)

    @SETTINGS
    @hypothesis.given(
        action=st.sampled_from(sorted(ACTIONS)),
        data=st.data(),
    )
    def attempt(action: str, data: st.DataObject) -> None:
        kind, do = ACTIONS[action]
        # The victim's id of the right kind, or any other id of B's (type confusion).
        target = data.draw(st.sampled_from(victims[kind]) | st.sampled_from(every_id))
        before = snapshot(world.db, world.b.id)
        with pytest.raises(NotFound), world.db.transaction(world.a.id) as session:
            do(session, actor, target)
        assert not diff(before, snapshot(world.db, world.b.id))

    attempt()


def test_switching_to_a_foreign_organisation_is_not_found(world: World) -> None:
    cookie = open_session(world.db, world.a.owner, world.a.org)
    before = snapshot(world.db, world.b.id)
    with world.db.transaction(ALL_TENANTS) as session:
        ws, user = service.authenticate_session(session, cookie)
        with pytest.raises(NotFound):
            service.do_switch_organisation(session, ws, user, world.b.id)
    with world.db.engine.connect() as conn:
        org = conn.execute(
            select(WebSession.__table__.c.organisation_id).where(
                WebSession.__table__.c.token_hash == service.sha256(cookie)
            )
        ).scalar_one()
    assert org == world.a.id
    assert not diff(before, snapshot(world.db, world.b.id))


def test_call_is_a_value() -> None:
    # ``replace`` above relies on Call being a dataclass; keep it so.
    assert replace(Call(), query={"a": "b"}).query == {"a": "b"}
