"""The customer's side: the e-mail arrives through a real SMTP server with the link, in
the case's language; the link shows the case and takes a reply, which lands on the
case; the follow-up asks whether it was put right (the last answer wins)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kohtaamo.cases import links, messages, public, templates
from kohtaamo.cases.models import Case, CaseEvent, CaseMessage
from kohtaamo.config import Settings
from kohtaamo.jobs.runner import Runner
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from tests.cases.helpers_messages import make_case
from tests.conftest import TEST_SECRET, SmtpSink
from tests.factories import Factory

FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


@pytest.fixture
def runner(db: Database, settings: Settings, smtp_server: SmtpSink) -> Iterator[Runner]:
    smtp = settings.model_copy(
        update={
            "mail_backend": "smtp",
            "smtp_host": smtp_server.host,
            "smtp_port": smtp_server.port,
            "smtp_timeout_s": 2.0,
            "mail_from": "Kohtaamo <noreply@kohtaamo.fi>",
        }
    )
    runner = Runner(db, smtp, lease=timedelta(seconds=5), schedule=False)
    yield runner
    runner.stop()


def _form_token(html: str) -> str:
    found = FORM_TOKEN.search(html)
    assert found is not None, html
    return found.group(1)


def _linked_case(db: Database, org_id: uuid.UUID, **fields: object) -> tuple[uuid.UUID, str]:
    """A case whose link works (as after its first message): (case id, token)."""
    case_id = make_case(db, org_id, **fields)  # type: ignore[arg-type]
    token = links.reply_token(TEST_SECRET, org_id, case_id)
    with db.transaction(org_id) as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.reply_token_hash = links.token_hash(token)
    return case_id, token


def test_the_mail_arrives_in_the_case_language_and_a_reply_lands_on_the_case(
    db: Database,
    factory: Factory,
    client: TestClient,
    runner: Runner,
    smtp_server: SmtpSink,
    settings: Settings,
) -> None:
    org = factory.organisation(name="Kohtaamo Ab")
    case_id = make_case(db, org, language="sv", contact_email="kund@example.se")
    with db.transaction(org.id) as session:
        case = session.get(Case, case_id)
        assert case is not None
        subject, body = templates.render(session, case, "acknowledge")
        messages.send_message(session, case, subject=subject, body=body, template_key="acknowledge")
        assert smtp_server.messages == []  # nothing leaves before the commit

    assert runner.run_pending() == 1
    [mail] = smtp_server.messages
    assert mail["X-RcptTo"] == "kund@example.se"
    assert mail["Subject"] == f"Vi har hört dig – ärende #{case.number}"
    text = mail.get_content()
    assert text.startswith("Hej Maija Meikäläinen,")
    [link] = re.findall(r"https?://\S+/c/\S+", text)
    assert link.startswith(settings.base_url)

    page = client.get(urlsplit(link).path)
    assert page.status_code == 200
    assert page.headers["content-language"] == "sv"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "Vi har hört dig" in page.text

    sent = client.post(
        urlsplit(link).path,
        data={"form_token": _form_token(page.text), "body": "Tack, paketet kom aldrig."},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert client.get(sent.headers["location"]).status_code == 200
    with db.transaction(org.id, readonly=True) as session:
        reply = session.scalar(select(CaseMessage).where(CaseMessage.direction == "in"))
        event = session.scalar(select(CaseEvent).where(CaseEvent.kind == "reply"))
    assert reply is not None and reply.case_id == case_id
    assert (reply.body, reply.language) == ("Tack, paketet kom aldrig.", "sv")
    assert (
        event is not None and event.body == reply.body and event.actor_label == "Maija Meikäläinen"
    )


def test_the_same_reply_form_sent_twice_is_stored_once(
    db: Database, factory: Factory, client: TestClient
) -> None:
    org = factory.organisation()
    _, token = _linked_case(db, org.id)
    form = {"form_token": _form_token(client.get(f"/c/{token}").text), "body": "Hei"}
    for _ in range(2):
        assert client.post(f"/c/{token}", data=form, follow_redirects=False).status_code == 303
    with db.transaction(org.id, readonly=True) as session:
        assert len(session.scalars(select(CaseMessage)).all()) == 1


def test_an_empty_reply_is_shown_again_with_the_reason(
    db: Database, factory: Factory, client: TestClient
) -> None:
    org = factory.organisation()
    _, token = _linked_case(db, org.id, language="en")
    form = {"form_token": _form_token(client.get(f"/c/{token}").text), "body": "  "}
    answer = client.post(f"/c/{token}", data=form)
    assert answer.status_code == 422
    assert "Write your message." in answer.text


@pytest.mark.parametrize("form_token", ["", "forged.token"])
def test_a_reply_without_a_genuine_form_token_is_refused(
    db: Database, factory: Factory, client: TestClient, form_token: str
) -> None:
    org = factory.organisation()
    _, token = _linked_case(db, org.id, language="en")
    answer = client.post(f"/c/{token}", data={"form_token": form_token, "body": "Hei taas"})
    assert answer.status_code == 422
    assert "The form has expired" in answer.text
    assert ">Hei taas</textarea>" in answer.text  # what they wrote is not lost
    assert _form_token(answer.text) != form_token  # and a fresh form to send it with
    with db.transaction(org.id, readonly=True) as session:
        assert session.scalars(select(CaseMessage)).all() == []


def test_a_form_token_of_one_case_does_not_post_to_another(
    db: Database, factory: Factory, client: TestClient
) -> None:
    org = factory.organisation()
    _, first = _linked_case(db, org.id)
    _, second = _linked_case(db, org.id)
    form = {"form_token": _form_token(client.get(f"/c/{first}").text), "body": "Hei"}
    assert client.post(f"/c/{second}", data=form).status_code == 422


def test_unknown_tampered_and_other_organisations_links_are_not_found(
    db: Database, factory: Factory, client: TestClient
) -> None:
    mine, theirs = factory.organisation(), factory.organisation()
    _, token = _linked_case(db, theirs.id)
    _, secret_part = token.split(".")
    for wrong in (
        "nonsense",
        f"{theirs.id.hex}.{secret_part[:-2]}xx",
        f"{mine.id.hex}.{secret_part}",  # their case's secret under my organisation
        f"{uuid.uuid4().hex}.{secret_part}",
    ):
        assert client.get(f"/c/{wrong}").status_code == 404, wrong
        assert client.get(f"/c/{wrong}/followup").status_code == 404, wrong
    assert client.get(f"/c/{token}").status_code == 200


def test_a_case_without_a_message_has_no_working_link(
    db: Database, factory: Factory, client: TestClient
) -> None:
    org = factory.organisation()
    case_id = make_case(db, org)
    assert client.get(f"/c/{links.reply_token(TEST_SECRET, org.id, case_id)}").status_code == 404


# --- the follow-up ------------------------------------------------------------------------


def test_the_followup_waits_until_it_was_asked(
    db: Database, factory: Factory, client: TestClient
) -> None:
    org = factory.organisation()
    _, token = _linked_case(db, org.id, language="en")
    page = client.get(f"/c/{token}/followup")
    assert page.status_code == 409
    assert "We have not asked about this case yet" in page.text


def _answer(client: TestClient, token: str, **fields: str) -> tuple[int, str]:
    page = client.get(f"/c/{token}/followup")
    assert page.status_code == 200
    answer = client.post(
        f"/c/{token}/followup", data={"form_token": _form_token(page.text), **fields}
    )
    return answer.status_code, answer.text


def test_the_followup_answer_is_stored_and_the_last_one_wins(
    db: Database, factory: Factory, client: TestClient
) -> None:
    org = factory.organisation()
    case_id, token = _linked_case(db, org.id, language="en", followup_sent_at=utcnow())
    status, text = _answer(client, token, outcome="partly", score="5", comment="Slow")
    assert status == 200 and "Thank you for your answer" in text
    page = client.get(f"/c/{token}/followup")
    assert "You have already answered" in page.text
    assert 'value="partly" checked' in page.text

    status, text = _answer(client, token, outcome="put_right", score="9", comment="")
    assert status == 200 and "Your answer was updated" in text
    with db.transaction(org.id, readonly=True) as session:
        case = session.get(Case, case_id)
        events = session.scalars(select(CaseEvent).where(CaseEvent.kind == "followup")).all()
    assert case is not None
    assert (case.followup_outcome, case.followup_score, case.followup_comment) == (
        "put_right",
        9,
        "",
    )
    assert case.followup_at is not None
    # One timeline line per answer; the second says it replaced the first.
    assert sorted((e.data["updated"], e.data["outcome"]) for e in events) == [
        (False, "partly"),
        (True, "put_right"),
    ]


def test_the_score_is_optional(db: Database, factory: Factory, client: TestClient) -> None:
    org = factory.organisation()
    case_id, token = _linked_case(db, org.id, followup_sent_at=utcnow())
    status, _ = _answer(client, token, outcome="not_put_right")
    assert status == 200
    with db.transaction(org.id, readonly=True) as session:
        case = session.get(Case, case_id)
    assert case is not None and (case.followup_outcome, case.followup_score) == (
        "not_put_right",
        None,
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"outcome": "maybe"}, "Choose whether it was put right."),
        ({"outcome": "put_right", "score": "11"}, "Choose a number from 0 to 10."),
        ({"outcome": "put_right", "score": "ten"}, "Choose a number from 0 to 10."),
        ({"outcome": "put_right", "comment": "x" * 2001}, "At most 2000 characters."),
    ],
)
def test_a_wrong_followup_answer_is_shown_again_with_the_reason(
    db: Database, factory: Factory, client: TestClient, fields: dict[str, str], field: str
) -> None:
    org = factory.organisation()
    case_id, token = _linked_case(db, org.id, language="en", followup_sent_at=utcnow())
    status, text = _answer(client, token, **fields)
    assert status == 422 and field in text
    with db.transaction(org.id, readonly=True) as session:
        case = session.get(Case, case_id)
    assert case is not None and case.followup_at is None


def test_the_page_language_can_be_switched(
    db: Database, factory: Factory, client: TestClient
) -> None:
    org = factory.organisation()
    _, token = _linked_case(db, org.id, language="fi", followup_sent_at=utcnow())
    page = client.get(f"/c/{token}/followup?lang=sv")
    assert page.headers["content-language"] == "sv" and '<html lang="sv">' in page.text
    # The form remembers the language it was shown in.
    status, _ = _answer(client, token, outcome="put_right")
    assert status == 200


def test_receive_reply_and_record_followup_stay_in_their_organisation(
    db: Database, factory: Factory
) -> None:
    mine, theirs = factory.organisation(), factory.organisation()
    _, token = _linked_case(db, theirs.id, followup_sent_at=utcnow())
    with db.transaction(mine.id) as session:
        with pytest.raises(Exception, match="not valid"):
            public.receive_reply(session, token, "Hei")
        with pytest.raises(Exception, match="not valid"):
            public.record_followup(session, token, public.FollowupIn("put_right"))
