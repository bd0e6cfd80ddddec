"""Employees' observations end to end: a case handler shares one from a phone-sized
form (personal data removed before it is stored), a colleague adds to it and votes, a
manager turns it into an action, and the submitter's e-mail arrives at a real SMTP
server in their language and their own list shows what became of it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from kohtaamo.accounts.permissions import Role
from kohtaamo.jobs.runner import Runner
from kohtaamo.programme.models import Action, Observation
from kohtaamo.storage.db import Database
from tests.conftest import SmtpSink
from tests.factories import Factory, page_csrf, sign_in


def _post(client: TestClient, path: str, form: dict[str, str], page: str) -> object:
    token = page_csrf(client, page)
    return client.post(path, data={"csrf_token": token, **form}, follow_redirects=False)


def test_an_observation_becomes_an_action_and_its_submitter_hears(
    db: Database, factory: Factory, client: TestClient, smtp_runner: Runner, smtp_server: SmtpSink
) -> None:
    org = factory.organisation()
    handler = factory.member(org, Role.CASE_HANDLER, locale="fi")
    colleague = factory.member(org, Role.VIEWER)
    manager = factory.member(org, Role.ADMIN)

    sign_in(client, handler.user.email)
    body = (
        "Asiakkaat kysyvät pysäköinnistä joka ilta. Liisa soitti numerosta 040 123 4567 "
        "ja kirjoitti osoitteesta liisa.k@example.fi."
    )
    sent = _post(
        client,
        "/programme/observations/new",
        {"kind": "want", "body": body},
        "/programme/observations/new",
    )
    assert sent.status_code == 303  # type: ignore[attr-defined]
    with db.transaction(org.id, readonly=True) as session:
        row = session.scalars(select(Observation)).one()
    assert "040 123 4567" not in row.body and "liisa.k@example.fi" not in row.body
    assert row.redactions == 2 and "pysäköinnistä" in row.body
    page = client.get(f"/programme/observations/{row.id}", headers={"accept-language": "en"})
    # The handler prefers Finnish; either way the count of removed details is told.
    assert (
        "2 henkilötietoa poistettiin." in page.text
        or "2 personal details were removed." in page.text
    )

    sign_in(client, colleague.user.email)
    path = f"/programme/observations/{row.id}"
    assert _post(client, f"{path}/vote", {}, path).status_code == 303  # type: ignore[attr-defined]
    _post(client, f"{path}/notes", {"body": "Sama kuulunut ovella."}, path)
    assert _post(client, f"{path}/decision", {"outcome": "action"}, path).status_code == 403  # type: ignore[attr-defined]

    sign_in(client, manager.user.email)
    refused = _post(client, f"{path}/decision", {"outcome": "declined"}, path)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    decided = _post(
        client,
        f"{path}/decision",
        {
            "outcome": "action",
            "action_title": "Pysäköintiohjeet lippuviestiin",
            "note": "Lisätään ohjeet jokaiseen lippuviestiin.",
        },
        path,
    )
    assert decided.status_code == 303  # type: ignore[attr-defined]
    with db.transaction(org.id, readonly=True) as session:
        action = session.scalars(select(Action)).one()
        row = session.scalars(select(Observation)).one()
    assert action.observation_id == row.id and action.title == "Pysäköintiohjeet lippuviestiin"
    assert row.status == "action" and row.votes == 1

    smtp_runner.run_pending()
    mails = [m for m in smtp_server.messages if handler.user.email in m["X-RcptTo"]]
    assert len(mails) == 1
    assert "Siitä tuli toimenpide" in mails[0]["Subject"]
    assert f"/programme/observations/{row.id}" in mails[0].get_content()

    sign_in(client, handler.user.email)
    mine = client.get("/programme/observations/mine", headers={"accept-language": "fi"}).text
    assert "Siitä tuli toimenpide" in mine and "Lisätään ohjeet" in mine
    again = _post(client, f"{path}/vote", {}, path)
    assert again.status_code == 303  # type: ignore[attr-defined]
    with db.transaction(org.id, readonly=True) as session:
        assert session.scalars(select(Observation)).one().votes == 2


def test_a_vote_is_taken_back_and_another_organisation_sees_nothing(
    db: Database, factory: Factory, client: TestClient
) -> None:
    org, other = factory.organisation(), factory.organisation()
    person = factory.member(org, Role.ANALYST)
    stranger = factory.member(other, Role.OWNER)
    sign_in(client, person.user.email)
    _post(
        client,
        "/programme/observations/new",
        {"kind": "idea", "body": "Jonot pois"},
        "/programme/observations/new",
    )
    with db.transaction(org.id, readonly=True) as session:
        row = session.scalars(select(Observation)).one()
    path = f"/programme/observations/{row.id}"
    _post(client, f"{path}/vote", {}, path)
    _post(client, f"{path}/vote", {}, path)
    with db.transaction(org.id, readonly=True) as session:
        assert session.scalars(select(Observation)).one().votes == 0
    sign_in(client, stranger.user.email)
    assert client.get(path).status_code == 404
    assert "Jonot pois" not in client.get("/programme/observations").text
