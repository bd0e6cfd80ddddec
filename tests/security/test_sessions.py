"""B-03: staff sign-in. Argon2id hashes, fresh session per sign-in, server-side logout and
disabling, and throttling of guessed passwords (with a localised message)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from kohtaamo.accounts import service
from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import Membership, User, WebSession
from kohtaamo.accounts.permissions import Role
from kohtaamo.app import create_app
from kohtaamo.config import Settings
from kohtaamo.i18n import gettext
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from kohtaamo.web.security import (
    CSRF_HEADER,
    PRESESSION_COOKIE,
    SESSION_COOKIE,
    csrf_token_for,
)
from tests.conftest import TEST_SECRET
from tests.factories import PASSWORD, Factory, Member
from tests.security.world import as_browser

THROTTLED = "Too many failed sign-ins. Wait %(minutes)s minutes and try again."


def login(client: TestClient, email: str, password: str, lang: str = "en") -> Response:
    """Sign in as a browser would: the form's CSRF token is bound to the pre-session cookie."""
    client.get("/login")
    binding = client.cookies.get(SESSION_COOKIE) or client.cookies.get(PRESESSION_COOKIE)
    assert binding, "the sign-in page set no pre-session cookie"
    return client.post(
        "/login",
        data={"email": email, "password": password, "next": "/"},
        headers={CSRF_HEADER: csrf_token_for(TEST_SECRET, binding), "accept-language": lang},
        follow_redirects=False,
    )


def session_cookie(response: Response) -> str:
    assert response.status_code == 303, response.text[:300]
    cookie = response.cookies.get(SESSION_COOKIE)
    assert cookie
    return cookie


def signed_in(client: TestClient, cookie: str) -> bool:
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)
    response = client.get("/", follow_redirects=False)
    if response.status_code == 200:
        return True
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    return False


@pytest.fixture
def member(factory: Factory) -> Member:
    return factory.member(factory.organisation(), Role.ADMIN)


def test_password_is_hashed_with_argon2id(db: Database, member: Member) -> None:
    with db.engine.connect() as conn:
        stored = conn.execute(
            select(User.__table__.c.password_hash).where(User.__table__.c.id == member.user.id)
        ).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_every_sign_in_gets_a_new_session_token(client: TestClient, member: Member) -> None:
    planted = "attacker-chosen-session-value"
    client.cookies.set(SESSION_COOKIE, planted)  # fixation attempt
    first = session_cookie(login(client, member.user.email, PASSWORD))
    client.cookies.clear()
    second = session_cookie(login(client, member.user.email, PASSWORD))

    assert len({planted, first, second}) == 3
    assert not signed_in(client, planted)
    assert signed_in(client, first) and signed_in(client, second)


def test_session_cookie_flags(client: TestClient, member: Member) -> None:
    response = login(client, member.user.email, PASSWORD)
    header = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE + "=")
    ).lower()
    assert "httponly" in header and "samesite=lax" in header and "path=/" in header


def test_logout_ends_the_session_on_the_server(
    db: Database, client: TestClient, member: Member
) -> None:
    cookie = session_cookie(login(client, member.user.email, PASSWORD))
    headers = as_browser(client, cookie)
    response = client.post("/logout", headers=headers, follow_redirects=False)
    assert response.status_code == 303

    assert not signed_in(client, cookie)  # reusing the old cookie: back to sign-in
    with db.engine.connect() as conn:
        assert conn.execute(select(WebSession.__table__.c.token_hash)).first() is None


def test_logout_needs_the_csrf_token(client: TestClient, member: Member) -> None:
    cookie = session_cookie(login(client, member.user.email, PASSWORD))
    as_browser(client, cookie)
    response = client.post("/logout", follow_redirects=False)
    assert response.status_code == 403
    assert signed_in(client, cookie)


def test_disabling_a_member_ends_their_sessions_at_once(
    db: Database, client: TestClient, factory: Factory, member: Member
) -> None:
    victim_cookie = session_cookie(login(client, member.user.email, PASSWORD))
    owner = factory.member(member.organisation, Role.OWNER)
    with db.transaction(member.organisation.id) as session:
        membership = session.scalar(select(Membership).where(Membership.user_id == member.user.id))
        assert membership is not None
        service.do_disable_member(session, owner.actor, membership.id)

    assert not signed_in(client, victim_cookie)


def test_disabling_a_user_everywhere_ends_their_sessions(
    db: Database, client: TestClient, member: Member
) -> None:
    cookie = session_cookie(login(client, member.user.email, PASSWORD))
    with db.transaction(ALL_TENANTS) as session:
        user = session.get(User, member.user.id)
        assert user is not None
        service.do_set_user_active(session, user, False)
    assert not signed_in(client, cookie)
    client.cookies.clear()
    assert login(client, member.user.email, PASSWORD).status_code == 401


def test_wrong_password_is_401_and_says_so(client: TestClient, member: Member) -> None:
    response = login(client, member.user.email, "wrong password!")
    assert response.status_code == 401
    assert SESSION_COOKIE not in response.cookies


def test_guessing_is_throttled_with_a_localised_message(
    client: TestClient, member: Member, settings: Settings
) -> None:
    for _ in range(settings.login_max_failures):
        assert login(client, member.user.email, "wrong password!").status_code == 401

    # Now even the right password is refused until the window passes.
    for lang in ("en", "fi"):
        response = login(client, member.user.email, PASSWORD, lang=lang)
        assert response.status_code == 429, (lang, response.status_code)
        assert int(response.headers["retry-after"]) == settings.login_window_s
        assert SESSION_COOKIE not in response.cookies
        minutes = settings.login_window_s // 60
        expected = gettext(lang, THROTTLED, minutes=minutes)
        assert expected in response.text, (lang, response.text[:500])
    assert gettext("fi", THROTTLED) != THROTTLED, "no Finnish translation of the throttle message"


@pytest.fixture
def strict_client(db: Database, settings: Settings) -> Iterator[TestClient]:
    strict = settings.model_copy(update={"login_max_failures": 2})
    app: FastAPI = create_app(strict, db)
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        yield c


def test_one_client_guessing_across_accounts_is_throttled(strict_client: TestClient) -> None:
    # The per-client limit is 4 × the per-account one (offices share an address).
    for n in range(8):
        response = login(strict_client, f"nobody{n}@example.test", "guess-1234567")
        assert response.status_code == 401, n
    assert login(strict_client, "nobody-else@example.test", "guess").status_code == 429


def test_owner_cannot_disable_themselves(db: Database, factory: Factory) -> None:
    org = factory.organisation()
    owner = factory.member(org, Role.OWNER)
    with db.transaction(org.id) as session, pytest.raises(service.Conflict):
        own = session.scalar(select(Membership).where(Membership.user_id == owner.user.id))
        assert own is not None
        service.do_disable_member(session, Actor(org.id, owner.user.id, Role.OWNER), own.id)
