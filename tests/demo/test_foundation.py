"""The foundation of the demo: two organisations, every role, working demo logins."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kohtaamo.accounts.models import Organisation, WebSession
from kohtaamo.accounts.permissions import Role
from kohtaamo.demo import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    MANAGER_EMAIL,
    DemoLogin,
    demo_exists,
    seed_demo,
)
from kohtaamo.errors import Conflict
from kohtaamo.storage.db import Database
from tests.demo.helpers import memberships
from tests.factories import csrf_from, page_csrf, sign_in


def test_every_role_has_people_in_the_events_company(db: Database) -> None:
    seed_demo(db)
    roles = {role for slug, _, role in memberships(db) if slug == "elamys"}
    assert roles == {role.value for role in Role}


def test_every_role_has_a_documented_login(db: Database) -> None:
    documented = {role for login in DEMO_LOGINS for slug, role in login.roles if slug == "elamys"}
    assert documented == set(Role)
    seed_demo(db)
    found = set(memberships(db))
    for login in DEMO_LOGINS:
        for slug, role in login.roles:
            assert (slug, login.email, role.value) in found


def test_the_organisations(db: Database) -> None:
    seed_demo(db)
    with db.transaction(readonly=True) as session:
        orgs = {o.slug: (o.name, o.default_locale, o.timezone) for o in session.query(Organisation)}
    assert orgs == {
        "elamys": ("Tapahtumatalo Elämys Oy", "fi", "Europe/Helsinki"),
        "nordic-events": ("Västkust Nordic Events AB", "en", "Europe/Stockholm"),
    }


@pytest.mark.usefixtures("foundation_only")
def test_staff_addresses_are_at_the_company_and_undeliverable(db: Database) -> None:
    seed_demo(db, size="medium")
    emails = [email for slug, email, _ in memberships(db) if slug == "elamys"]
    assert len(emails) > 15
    assert all(email.endswith("@elamys.example") and email.isascii() for email in emails)


@pytest.mark.parametrize("login", DEMO_LOGINS, ids=lambda login: login.email)
def test_each_demo_login_signs_in(client: TestClient, db: Database, login: DemoLogin) -> None:
    seed_demo(db)
    sign_in(client, login.email, DEMO_PASSWORD)
    assert client.get("/", headers={"accept-language": "en"}).status_code == 200


def test_the_manager_lands_in_the_events_company_and_can_switch(
    client: TestClient, db: Database
) -> None:
    seed_demo(db)
    sign_in(client, MANAGER_EMAIL, DEMO_PASSWORD)
    page = client.get("/", headers={"accept-language": "en"})
    # Both organisations are offered (the switcher); the events company is the current one.
    assert "Tapahtumatalo Elämys Oy" in page.text and "Västkust Nordic Events AB" in page.text
    assert current_organisation(db) == "elamys"

    with db.transaction(readonly=True) as session:
        second = session.query(Organisation.id).filter_by(slug="nordic-events").scalar()
    switched = client.post(
        "/organisation/switch",
        data={"organisation_id": str(second), "csrf_token": page_csrf(client)},
        follow_redirects=False,
    )
    assert switched.status_code == 303
    assert current_organisation(db) == "nordic-events"
    assert client.get("/").status_code == 200


def current_organisation(db: Database) -> str:
    """The organisation the manager's (only) signed-in session is working in."""
    with db.transaction(readonly=True) as session:
        return str(
            session.query(Organisation.slug)
            .join(WebSession, WebSession.organisation_id == Organisation.id)
            .scalar()
        )


def test_a_wrong_password_does_not_sign_in(client: TestClient, db: Database) -> None:
    seed_demo(db)
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": MANAGER_EMAIL,
            "password": "not-the-demo-password",
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 401


def test_demo_exists_and_seeding_twice_is_refused(db: Database) -> None:
    assert not demo_exists(db)
    seed_demo(db)
    assert demo_exists(db)
    with pytest.raises(Conflict):
        seed_demo(db)
