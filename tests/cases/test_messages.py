"""Sending the customer a message: one recipient (the case's), one line of subject, the
plan filled in, the reply link always there, and the message, its timeline line and its
mail job written together or not at all."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.permissions import Role
from kohtaamo.cases import links, messages, service, templates
from kohtaamo.cases.models import Case, CaseEvent, CaseMessage
from kohtaamo.cases.schemas import MoveIn
from kohtaamo.config import Settings
from kohtaamo.errors import InvalidInput
from kohtaamo.jobs import Job
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from tests.cases.helpers_messages import make_case
from tests.factories import Factory


def _send(
    db: Database, org_id: uuid.UUID, case_id: uuid.UUID, settings: Settings, **kwargs: object
) -> CaseMessage:
    values: dict[str, object] = {"subject": "Kiitos palautteesta", "body": "Hei {customer_name}!"}
    values.update(kwargs)
    with db.transaction(org_id) as session:
        case = session.get(Case, case_id)
        assert case is not None
        return messages.send_message(session, case, settings=settings, **values)  # type: ignore[arg-type]


def _written(
    db: Database, org_id: uuid.UUID
) -> tuple[list[CaseMessage], list[CaseEvent], list[Job]]:
    with db.transaction(org_id, readonly=True) as session:
        sent = list(session.scalars(select(CaseMessage)))
        events = list(session.scalars(select(CaseEvent)))
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        jobs = list(session.scalars(select(Job).where(Job.task == "mail.send")))
    return sent, events, jobs


def test_a_message_writes_its_row_timeline_and_one_mail_job(
    db: Database, factory: Factory, settings: Settings
) -> None:
    org = factory.organisation()
    case_id = make_case(db, org)
    message = _send(db, org.id, case_id, settings, template_key="acknowledge")

    [stored], [event], [job] = _written(db, org.id)
    token = links.reply_token(settings.secret_key, org.id, case_id)
    link = f"{settings.base_url}/c/{token}"
    assert stored.id == message.id and stored.job_id == job.id
    assert (stored.direction, stored.address, stored.language) == (
        "out",
        "asiakas@example.fi",
        "fi",
    )
    assert stored.body.startswith("Hei Maija Meikäläinen!")
    assert link in stored.body  # the handler left it out: added in the case's language
    assert (event.kind, event.case_id, event.body) == ("message", case_id, "Kiitos palautteesta")
    assert event.data["message_id"] == str(stored.id)
    assert job.payload["to"] == ["asiakas@example.fi"]
    assert job.payload["subject"] == "Kiitos palautteesta"
    assert job.payload["text"] == stored.body
    with db.transaction(org.id, readonly=True) as session:
        case = session.get(Case, case_id)
        assert case is not None and case.reply_token_hash == links.token_hash(token)


def test_every_message_carries_the_same_link(
    db: Database, factory: Factory, settings: Settings
) -> None:
    org = factory.organisation()
    case_id = make_case(db, org)
    first = _send(db, org.id, case_id, settings)
    second = _send(db, org.id, case_id, settings, body="Toinen viesti: {reply_link}")
    token = links.reply_token(settings.secret_key, org.id, case_id)
    assert f"/c/{token}" in first.body
    assert second.body == f"Toinen viesti: {settings.base_url}/c/{token}\n"  # nothing added


def test_the_followup_message_always_has_its_link(
    db: Database, factory: Factory, settings: Settings
) -> None:
    org = factory.organisation()
    case_id = make_case(db, org, language="en")
    sent = _send(db, org.id, case_id, settings, body="How did we do?", template_key="followup")
    token = links.reply_token(settings.secret_key, org.id, case_id)
    assert f"{settings.base_url}/c/{token}/followup" in sent.body
    assert "Tell us whether we put it right" in sent.body


@pytest.mark.parametrize(
    "subject", ["Kiitos\nBcc: kaikki@example.com", "Kiitos\r\nX-Evil: 1", "Kiitos\u2028Bcc: x@y.fi"]
)
def test_a_line_break_in_the_subject_is_refused_and_nothing_is_written(
    db: Database, factory: Factory, settings: Settings, subject: str
) -> None:
    org = factory.organisation()
    case_id = make_case(db, org)
    with pytest.raises(InvalidInput) as caught:
        _send(db, org.id, case_id, settings, subject=subject)
    assert caught.value.problems[0].field == "message_subject"
    assert "single line" in str(caught.value)
    assert _written(db, org.id) == ([], [], [])


def test_only_the_case_contact_address_may_receive(
    db: Database, factory: Factory, settings: Settings
) -> None:
    org = factory.organisation()
    case_id = make_case(db, org)
    with pytest.raises(InvalidInput, match="only to the case's contact address"):
        _send(db, org.id, case_id, settings, to="toinen@example.fi")
    with pytest.raises(InvalidInput, match="one address only"):
        _send(db, org.id, case_id, settings, to="asiakas@example.fi, toinen@example.fi")
    # The same address, written differently, is the same recipient.
    _send(db, org.id, case_id, settings, to="ASIAKAS@example.fi")
    assert len(_written(db, org.id)[2]) == 1


@pytest.mark.parametrize(
    "contact", ["asiakas@example.fi, toinen@example.fi", "asiakas@example.fi;x@y.fi", "ei osoite"]
)
def test_a_contact_address_with_a_second_recipient_is_refused(
    db: Database, factory: Factory, settings: Settings, contact: str
) -> None:
    org = factory.organisation()
    case_id = make_case(db, org, contact_email=contact)
    with pytest.raises(InvalidInput) as caught:
        _send(db, org.id, case_id, settings)
    assert caught.value.problems[0].field == "to"
    assert _written(db, org.id) == ([], [], [])


def test_no_contact_address_is_a_clear_error(
    db: Database, factory: Factory, settings: Settings
) -> None:
    org = factory.organisation()
    case_id = make_case(db, org, contact_email=None)
    with pytest.raises(InvalidInput, match="no contact address"):
        _send(db, org.id, case_id, settings)


def test_the_plan_is_filled_when_sent_and_never_sent_empty(
    db: Database, factory: Factory, settings: Settings
) -> None:
    org = factory.organisation()
    case_id = make_case(db, org)
    body = "Mitä teemme: {plan_action}\nMihin mennessä: {plan_due}"
    with pytest.raises(InvalidInput) as caught:
        _send(db, org.id, case_id, settings, body=body)
    assert caught.value.params["name"] == "plan_action"
    assert _written(db, org.id) == ([], [], [])
    with db.transaction(org.id) as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.plan_action, case.plan_due = "Uusi lähetys", date(2030, 1, 2)
    sent = _send(db, org.id, case_id, settings, body=body)
    assert sent.body.startswith("Mitä teemme: Uusi lähetys\nMihin mennessä: 2. tammikuuta 2030")


def test_an_unknown_placeholder_in_the_edited_text_is_refused(
    db: Database, factory: Factory, settings: Settings
) -> None:
    org = factory.organisation()
    case_id = make_case(db, org)
    with pytest.raises(InvalidInput) as caught:
        _send(db, org.id, case_id, settings, body="Hei {asiakas}")
    assert caught.value.params["name"] == "asiakas"
    assert caught.value.problems[0].field == "message_body"


def test_a_rolled_back_case_change_sends_nothing(
    db: Database, factory: Factory, settings: Settings
) -> None:
    org = factory.organisation()
    case_id = make_case(db, org)
    with pytest.raises(RuntimeError), db.transaction(org.id) as session:
        case = session.get(Case, case_id)
        assert case is not None
        messages.send_message(session, case, subject="Hei", body="Viesti", settings=settings)
        raise RuntimeError("the step failed after the message")
    assert _written(db, org.id) == ([], [], [])
    with db.transaction(org.id, readonly=True) as session:
        case = session.get(Case, case_id)
        assert case is not None and case.reply_token_hash is None


def test_the_plan_step_sends_the_plan_typed_into_its_form(
    db: Database, factory: Factory, settings: Settings
) -> None:
    """Through the workflow (cases.service.move): the rendered apology keeps {plan_action}
    for the handler, and the step fills it from the plan it records."""
    org = factory.organisation()
    case_id = make_case(db, org, language="en", state="acknowledged")
    with db.transaction(org.id, readonly=True) as session:
        case = session.get(Case, case_id)
        assert case is not None
        subject, body = templates.render(session, case, "apology_plan", settings=settings)
    assert "{plan_action}" in body
    due = utcnow().date() + timedelta(days=3)
    with db.transaction(org.id) as session:
        service.move(
            session,
            case_id,
            "send_plan",
            MoveIn(
                message_subject=subject,
                message_body=body,
                what_went_wrong="The parcel was lost.",
                plan_action="We send a new one by courier.",
                plan_due=due,
            ),
            Actor(organisation_id=org.id, role=Role.OWNER),
        )
    [sent], _, [job] = _written(db, org.id)
    assert "What went wrong: The parcel was lost." in sent.body
    assert "What we will do: We send a new one by courier." in sent.body
    assert "{" not in sent.body and sent.template_key == "apology_plan"
    assert job.payload["text"] == sent.body
