"""Invitations and password resets: the e-mail arrives at a real SMTP server, its link
works once, and the new password signs in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from kohtaamo.config import Settings
from kohtaamo.jobs.runner import Runner
from kohtaamo.storage.db import Database
from tests.conftest import SmtpSink
from tests.factories import Factory, csrf_from, page_csrf, sign_in

LINK = re.compile(r"http://127\.0\.0\.1:8000(/password/set/[A-Za-z0-9_-]+)")


@pytest.fixture
def runner(db: Database, settings: Settings, smtp_server: SmtpSink) -> Iterator[Runner]:
    smtp = settings.model_copy(
        update={
            "mail_backend": "smtp",
            "smtp_host": smtp_server.host,
            "smtp_port": smtp_server.port,
        }
    )
    runner = Runner(db, smtp, lease=timedelta(seconds=5), schedule=False)
    yield runner
    runner.stop()


def _link(message: object) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[attr-defined]
    match = LINK.search(body)
    assert match, body
    return match.group(1)


def _choose_password(client: TestClient, path: str, password: str) -> int:
    token = csrf_from(client.get(path).text)
    response = client.post(
        path,
        data={"password": password, "password_again": password, "csrf_token": token},
        follow_redirects=False,
    )
    return response.status_code


def test_an_invited_member_chooses_a_password_once_and_signs_in(
    client: TestClient, factory: Factory, runner: Runner, smtp_server: SmtpSink
) -> None:
    org = factory.organisation(name="Tapahtumatalo Oy")
    owner = factory.member(org)
    sign_in(client, owner.user.email)
    response = client.post(
        "/settings/members",
        data={
            "email": "new.person@example.test",
            "name": "Uusi Henkilö",
            "role": "analyst",
            "csrf_token": page_csrf(client, "/settings/members"),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert runner.run_pending() == 1  # the mail leaves as a job, after commit

    [message] = smtp_server.messages
    assert message["X-RcptTo"] == "new.person@example.test"
    assert "Tapahtumatalo Oy" in message["Subject"]
    path = _link(message)

    client.post("/logout", data={"csrf_token": page_csrf(client)})
    assert _choose_password(client, path, "a fine long password") == 303
    sign_in(client, "new.person@example.test", "a fine long password")
    assert "Tapahtumatalo Oy" in client.get("/").text

    client.cookies.clear()
    assert client.get(path).status_code == 404  # spent


def test_reset_mail_only_for_known_addresses_and_the_answer_is_the_same(
    client: TestClient, factory: Factory, runner: Runner, smtp_server: SmtpSink
) -> None:
    member = factory.member(factory.organisation())
    answers = []
    for email in (member.user.email, "nobody@example.test"):
        token = csrf_from(client.get("/password/forgot").text)
        response = client.post("/password/forgot", data={"email": email, "csrf_token": token})
        answers.append((response.status_code, response.text.count("alert-success")))
    assert answers[0] == answers[1] == (200, 1)
    runner.run_pending()
    [message] = smtp_server.messages
    assert message["X-RcptTo"] == member.user.email

    path = _link(message)
    token = csrf_from(client.get(path).text)
    mismatch = client.post(
        path,
        data={
            "password": "one long password",
            "password_again": "another one",
            "csrf_token": token,
        },
    )
    assert mismatch.status_code == 422
    short = client.post(
        path, data={"password": "short", "password_again": "short", "csrf_token": token}
    )
    assert short.status_code == 422
    assert _choose_password(client, path, "the new long password") == 303
    sign_in(client, member.user.email, "the new long password")


def test_reset_links_are_rate_limited_per_user(
    client: TestClient, factory: Factory, runner: Runner, smtp_server: SmtpSink
) -> None:
    member = factory.member(factory.organisation())
    for _ in range(5):
        token = csrf_from(client.get("/password/forgot").text)
        client.post("/password/forgot", data={"email": member.user.email, "csrf_token": token})
    runner.run_pending()
    assert len(smtp_server.messages) == 3


def test_a_made_up_link_is_not_found_in_the_users_language(client: TestClient) -> None:
    response = client.get("/password/set/not-a-real-token", headers={"accept-language": "fi"})
    assert response.status_code == 404
    assert "Linkki ei ole voimassa" in response.text
