"""Signing in and out: messages in the reader's language, sessions that really end."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from kohtaamo.accounts import service
from kohtaamo.accounts.models import WebSession
from kohtaamo.config import Settings
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from kohtaamo.web.security import SESSION_COOKIE
from tests.factories import PASSWORD, Member, csrf_from, sign_in
from tests.web.conftest import Browser


def _sessions(db: Database) -> int:
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        return session.scalar(select(func.count()).select_from(WebSession)) or 0


def _try_login(client: TestClient, email: str, password: str, next: str = "/") -> Response:
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": next},
        follow_redirects=False,
    )


def test_sign_in_opens_the_page_asked_for(browser: Browser, owner: Member) -> None:
    client = browser()
    first = client.get("/settings", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=/settings"

    response = _try_login(client, owner.user.email, PASSWORD, next="/settings")

    assert response.status_code == 303
    assert response.headers["location"] == "/settings"
    assert owner.user.email in client.get("/settings").text


def test_next_never_leaves_the_site(browser: Browser, owner: Member) -> None:
    response = _try_login(browser(), owner.user.email, PASSWORD, next="//evil.example/")
    assert response.headers["location"] == "/"


def test_wrong_password_is_said_in_finnish_by_accept_language(
    browser: Browser, owner: Member, db: Database
) -> None:
    response = _try_login(browser(accept_language="fi-FI,fi;q=0.9"), owner.user.email, "nope")

    assert response.status_code == 401
    assert "Sähköpostiosoite tai salasana on väärin." in response.text
    assert '<html lang="fi">' in response.text
    assert _sessions(db) == 0


def test_wrong_password_is_said_in_english_by_accept_language(
    browser: Browser, owner: Member
) -> None:
    response = _try_login(browser(accept_language="en-GB,en;q=0.8"), owner.user.email, "nope")

    assert response.status_code == 401
    assert "The e-mail address or password is wrong." in response.text
    assert "Kirjaudu sisään" not in response.text


def test_language_cookie_overrides_accept_language(browser: Browser, owner: Member) -> None:
    client = browser(accept_language="en")
    client.cookies.set("kohtaamo_lang", "fi")

    response = _try_login(client, owner.user.email, "nope")

    assert "Sähköpostiosoite tai salasana on väärin." in response.text


def test_too_many_failures_show_the_form_with_a_wait_message(
    browser: Browser, owner: Member, settings: Settings
) -> None:
    client = browser()
    for _ in range(settings.login_max_failures):
        assert _try_login(client, owner.user.email, "nope").status_code == 401

    response = _try_login(client, owner.user.email, PASSWORD)

    assert response.status_code == 429
    assert "Liian monta epäonnistunutta kirjautumista." in response.text
    assert 'name="email"' in response.text  # the form again, not a dead end
    assert int(response.headers["retry-after"]) > 0
    assert SESSION_COOKIE not in response.cookies


def test_sign_in_without_a_valid_form_token_is_refused(
    browser: Browser, owner: Member, db: Database
) -> None:
    client = browser()
    client.get("/login")
    for token in (None, "forged"):
        data = {"email": owner.user.email, "password": PASSWORD, "next": "/"}
        if token:
            data["csrf_token"] = token
        response = client.post("/login", data=data, follow_redirects=False)

        assert response.status_code == 403
        assert "Lomake on vanhentunut." in response.text
        # The form is shown again with a fresh, working token.
        assert _try_login(client, owner.user.email, "nope").status_code == 401
    assert _sessions(db) == 0


def test_sign_out_ends_the_session_on_the_server(
    browser: Browser, owner: Member, db: Database
) -> None:
    client = browser(owner)
    stolen = client.cookies[SESSION_COOKIE]
    token = csrf_from(client.get("/").text)

    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)

    assert response.headers["location"] == "/login"
    assert _sessions(db) == 0
    replay = browser()
    replay.cookies.set(SESSION_COOKIE, stolen)
    again = replay.get("/", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"].startswith("/login")


def test_sign_out_needs_the_form_token(browser: Browser, owner: Member, db: Database) -> None:
    client = browser(owner)
    response = client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert response.status_code == 403
    assert _sessions(db) == 1
    assert client.get("/", follow_redirects=False).status_code == 200


def test_htmx_requests_without_a_session_are_sent_to_sign_in(browser: Browser) -> None:
    response = browser().get("/settings", headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.headers["hx-redirect"] == "/login?next=/settings"


def test_a_user_of_no_organisation_is_told_so(browser: Browser, db: Database) -> None:
    with db.transaction(ALL_TENANTS) as session:
        service.do_create_user(session, email="yksin@example.test", name="Yksin", password=PASSWORD)
    client = browser()
    sign_in(client, "yksin@example.test")

    page = client.get("/")

    assert page.status_code == 403
    assert "Et ole minkään organisaation jäsen." in page.text
