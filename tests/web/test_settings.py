"""Settings pages: users and roles, API keys. Every action needs the page's form token,
and each refusal is shown next to the field in the reader's language."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from kohtaamo.accounts import repository
from kohtaamo.accounts.models import ApiKey, Membership
from kohtaamo.accounts.permissions import Role
from kohtaamo.storage.db import Database
from tests.factories import Factory, Member, page_csrf
from tests.web.conftest import Browser

SETTINGS_PAGES = ("/settings/members", "/settings/roles", "/settings/api-keys")


def _membership(db: Database, member: Member) -> Membership:
    with db.transaction(member.organisation.id, readonly=True) as session:
        found = repository.membership_of(session, member.user.id)
        assert found is not None
        session.expunge(found)
        return found


def _post(
    client: TestClient, path: str, data: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    """Submit a form the way the page does: with the page's token."""
    token = page_csrf(client, "/settings/members" if "members" in path else "/settings/api-keys")
    return client.post(
        path, data={**data, "csrf_token": token}, headers=headers, follow_redirects=False
    )


# --- users ----------------------------------------------------------------------------


def test_owner_adds_a_user_with_a_role(browser: Browser, owner: Member, db: Database) -> None:
    client = browser(owner)

    response = _post(
        client,
        "/settings/members",
        {"email": "Liisa@Example.test", "name": "Liisa", "role": "analyst"},
    )

    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "Käyttäjä lisättiin." in page.text
    assert "liisa@example.test" in page.text
    with db.transaction(owner.organisation.id, readonly=True) as session:
        roles = {m.user.email: m.role for m in repository.members(session)}
    assert roles["liisa@example.test"] == Role.ANALYST


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"email": "nobody", "name": "X", "role": "viewer"},
            "email",
            "Anna kelvollinen sähköpostiosoite.",
        ),
        ({"email": "x@example.test", "name": "X", "role": "emperor"}, "role", "Valitse rooli."),
    ],
)
def test_a_refused_invitation_is_explained_next_to_the_field(
    browser: Browser, owner: Member, db: Database, data: dict[str, str], field: str, message: str
) -> None:
    response = _post(browser(owner), "/settings/members", data)

    assert response.status_code == 422
    assert f'class="field-error" id="invite-{field}-error">{message}' in response.text
    assert f'value="{data["email"]}"' in response.text  # what was typed is kept
    with db.transaction(owner.organisation.id, readonly=True) as session:
        assert len(repository.members(session)) == 1


def test_adding_an_existing_member_again_is_a_conflict(browser: Browser, owner: Member) -> None:
    response = _post(
        browser(owner),
        "/settings/members",
        {"email": owner.user.email, "name": "X", "role": "viewer"},
    )
    assert response.status_code == 409
    assert "Henkilö on jo jäsen." in response.text


def test_role_change_without_javascript(
    browser: Browser, owner: Member, factory: Factory, db: Database
) -> None:
    analyst = factory.member(owner.organisation, Role.ANALYST)
    target = _membership(db, analyst)

    response = _post(browser(owner), f"/settings/members/{target.id}/role", {"role": "admin"})

    assert response.status_code == 303
    assert response.headers["location"] == "/settings/members?done=role"
    assert _membership(db, analyst).role == Role.ADMIN


def test_role_change_with_htmx_answers_with_the_row(
    browser: Browser, owner: Member, factory: Factory, db: Database
) -> None:
    analyst = factory.member(owner.organisation, Role.ANALYST)
    target = _membership(db, analyst)

    response = _post(
        browser(owner),
        f"/settings/members/{target.id}/role",
        {"role": "viewer"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="member-{target.id}"')
    assert "Tallennettu." in response.text
    assert _membership(db, analyst).role == Role.VIEWER


def test_the_last_owner_cannot_step_down(browser: Browser, owner: Member, db: Database) -> None:
    own = _membership(db, owner)
    client = browser(owner)

    plain = _post(client, f"/settings/members/{own.id}/role", {"role": "viewer"})
    htmx = _post(
        client,
        f"/settings/members/{own.id}/role",
        {"role": "viewer"},
        headers={"HX-Request": "true"},
    )

    assert plain.status_code == 409
    assert "Organisaatiolla on oltava vähintään yksi omistaja." in plain.text
    assert htmx.status_code == 200  # htmx swaps only successful answers
    assert "Organisaatiolla on oltava vähintään yksi omistaja." in htmx.text
    assert _membership(db, owner).role == Role.OWNER


def test_disabling_a_user_ends_their_session_at_once(
    browser: Browser, owner: Member, factory: Factory, db: Database
) -> None:
    analyst = factory.member(owner.organisation, Role.ANALYST)
    theirs = browser(analyst)
    assert theirs.get("/", follow_redirects=False).status_code == 200

    response = _post(browser(owner), f"/settings/members/{_membership(db, analyst).id}/disable", {})

    assert response.status_code == 303
    assert not _membership(db, analyst).is_active
    after = theirs.get("/", follow_redirects=False)
    assert after.status_code == 303
    assert after.headers["location"].startswith("/login")


def test_nobody_disables_themselves(browser: Browser, owner: Member, db: Database) -> None:
    response = _post(browser(owner), f"/settings/members/{_membership(db, owner).id}/disable", {})
    assert response.status_code == 409
    assert "Et voi poistaa itseäsi käytöstä." in response.text
    assert _membership(db, owner).is_active


def test_another_organisations_member_is_not_found(
    browser: Browser, owner: Member, factory: Factory, db: Database
) -> None:
    stranger = factory.member(factory.organisation(), Role.VIEWER)
    theirs = _membership(db, stranger)
    client = browser(owner)

    for action, data in (("role", {"role": "admin"}), ("disable", {})):
        response = _post(client, f"/settings/members/{theirs.id}/{action}", data)
        assert response.status_code == 404
    assert _membership(db, stranger).role == Role.VIEWER
    assert _membership(db, stranger).is_active


# --- form tokens ------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "forged", "other-session"])
def test_actions_without_the_form_token_change_nothing(
    browser: Browser, owner: Member, factory: Factory, db: Database, token: str | None
) -> None:
    client = browser(owner)
    analyst = factory.member(owner.organisation, Role.ANALYST)
    target = _membership(db, analyst).id
    if token == "other-session":
        token = page_csrf(browser(owner), "/settings/members")  # valid, but not this session's
    actions = [
        ("/settings/members", {"email": "new@example.test", "name": "N", "role": "viewer"}),
        (f"/settings/members/{target}/role", {"role": "admin"}),
        (f"/settings/members/{target}/disable", {}),
        ("/settings/api-keys", {"name": "k", "scopes": "read"}),
    ]
    for path, data in actions:
        form = {**data, "csrf_token": token} if token else data
        response = client.post(path, data=form, follow_redirects=False)
        assert response.status_code == 403, path
        assert "Lomake on vanhentunut." in response.text
    member = _membership(db, analyst)
    assert (member.role, member.is_active) == (Role.ANALYST, True)
    with db.transaction(owner.organisation.id, readonly=True) as session:
        assert len(repository.members(session)) == 2
        assert session.scalars(select(ApiKey)).all() == []


def test_htmx_sends_the_token_in_a_header(
    browser: Browser, owner: Member, factory: Factory, db: Database
) -> None:
    client = browser(owner)
    analyst = factory.member(owner.organisation, Role.ANALYST)
    token = page_csrf(client, "/settings/members")
    response = client.post(
        f"/settings/members/{_membership(db, analyst).id}/role",
        data={"role": "viewer"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert response.status_code == 200
    assert _membership(db, analyst).role == Role.VIEWER


# --- who may see settings ---------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST, Role.CASE_HANDLER])
def test_only_owners_and_admins_see_user_and_key_settings(
    browser: Browser, owner: Member, factory: Factory, role: Role
) -> None:
    client = browser(factory.member(owner.organisation, role))

    hub = client.get("/settings")
    assert hub.status_code == 200
    for path in SETTINGS_PAGES:
        assert f'href="{path}"' not in hub.text
        page = client.get(path)
        assert page.status_code == 403, path
        assert "Roolisi ei salli tätä." in page.text
    invite = client.post(
        "/settings/members",
        data={
            "email": "x@example.test",
            "name": "X",
            "role": "owner",
            "csrf_token": page_csrf(client),
        },
    )
    assert invite.status_code == 403


def test_an_admin_is_not_offered_the_owner_role(
    browser: Browser, owner: Member, factory: Factory
) -> None:
    admin = browser(factory.member(owner.organisation, Role.ADMIN))
    page = admin.get("/settings/members")
    assert page.status_code == 200
    assert 'value="owner"' not in page.text
    refused = _post(
        admin, "/settings/members", {"email": "o@example.test", "name": "O", "role": "owner"}
    )
    assert refused.status_code == 403
    assert "Vain omistaja voi tehdä jostakusta omistajan." in refused.text


def test_role_table_reads_the_permission_table(browser: Browser, owner: Member) -> None:
    fi = browser(owner).get("/settings/roles").text
    en = browser(owner, accept_language="en").get("/settings/roles").text
    assert "Kutsua käyttäjiä, muuttaa rooleja, poistaa käyttäjiä käytöstä" in fi
    assert "Tapauskäsittelijä" in fi
    assert "Invite users, change roles, disable users" in en
    assert "Case handler" in en


# --- API keys ---------------------------------------------------------------------------


def _me(client: TestClient, key: str) -> int:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code


def test_a_new_key_is_shown_once_and_works_until_revoked(
    browser: Browser, owner: Member, db: Database
) -> None:
    client = browser(owner)

    created = _post(
        client, "/settings/api-keys", {"name": "CRM-synkka", "scopes": ["read", "write"]}
    )

    assert created.status_code == 200
    key = created.text.split('id="new-key" class="key-value" type="text" readonly value="')[
        1
    ].split('"')[0]
    assert key.startswith("kh_")
    assert _me(client, key) == 200
    listing = client.get("/settings/api-keys").text
    assert "CRM-synkka" in listing
    assert key not in listing and key.split("_", 2)[2] not in listing  # never again
    prefix = key.split("_")[1]
    assert f"kh_{prefix}_…" in listing

    with db.transaction(owner.organisation.id, readonly=True) as session:
        key_id = session.scalars(select(ApiKey.id)).one()
    revoked = _post(client, f"/settings/api-keys/{key_id}/revoke", {})

    assert revoked.status_code == 303
    assert "API-avain peruttiin." in client.get(revoked.headers["location"]).text
    assert _me(client, key) == 401


def test_a_key_needs_a_name_and_a_scope(browser: Browser, owner: Member, db: Database) -> None:
    client = browser(owner)
    no_name = _post(client, "/settings/api-keys", {"name": " ", "scopes": ["read"]})
    no_scope = _post(client, "/settings/api-keys", {"name": "Raportointi"})

    assert no_name.status_code == 422
    assert 'id="key-name-error">Anna avaimelle nimi.' in no_name.text
    assert no_scope.status_code == 422
    assert 'id="key-scopes-error">Valitse vähintään yksi oikeus.' in no_scope.text
    assert 'value="Raportointi"' in no_scope.text
    with db.transaction(owner.organisation.id, readonly=True) as session:
        assert session.scalars(select(ApiKey)).all() == []


def test_another_organisations_key_cannot_be_revoked(
    browser: Browser, owner: Member, factory: Factory, db: Database
) -> None:
    other = factory.organisation()
    key = factory.api_key(other)
    with db.transaction(other.id, readonly=True) as session:
        key_id = session.scalars(select(ApiKey.id)).one()

    response = _post(browser(owner), f"/settings/api-keys/{key_id}/revoke", {})

    assert response.status_code == 404
    assert _me(browser(), key) == 200


def test_unknown_ids_are_not_found(browser: Browser, owner: Member) -> None:
    response = _post(browser(owner), f"/settings/api-keys/{uuid.uuid4()}/revoke", {})
    assert response.status_code == 404
    assert "Ei löytynyt" in response.text
