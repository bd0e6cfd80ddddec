"""E-mail invitations: who is invited, the mail at a real SMTP server, its single-use
link, opting out, reminders, bounces and failures."""

from __future__ import annotations

import hashlib
import smtplib
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from kohtaamo.errors import Conflict
from kohtaamo.jobs.models import Job, JobStatus
from kohtaamo.jobs.runner import Runner
from kohtaamo.journeys.imports import import_customers_csv
from kohtaamo.journeys.models import Customer
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.surveys import campaigns, invitations, responses, service, tasks
from kohtaamo.surveys.catalogue import ResponseChannel
from kohtaamo.surveys.models import SurveyInvitation, SurveyOptOut
from kohtaamo.surveys.schemas import SurveyIn, SurveySettings, SurveyUpdate
from tests.conftest import SmtpSink
from tests.factories import Factory
from tests.surveys.helpers import SurveyFixture, definition, make_survey
from tests.surveys.helpers_invitations import (
    add_customers,
    body,
    invitations_of,
    optout_path,
    runner,
    survey_link,
)

__all__ = ["runner"]  # the fixture

ANSWERS = {"ease": {"expected": 4, "experienced": 5}, "nps": 10}


def _invite(db: Database, f: SurveyFixture, **kw: object) -> campaigns.CampaignResult:
    values: dict[str, object] = {
        "segment": "vip",
        "customer_external_ids": None,
        "language": None,
        "campaign": "Syksy",
    }
    with db.transaction(f.org.id) as session:
        return campaigns.do_invite(session, f.actor, f.survey_id, **(values | kw))  # type: ignore[arg-type]


def _finish(db: Database, f: SurveyFixture, token: str) -> None:
    with db.transaction(f.org.id) as session:
        survey = service.get_survey(session, f.actor, f.survey_id)
        invitation = invitations.invitation_for_token(session, survey, token)
        responses.do_submit(
            session,
            survey,
            responses.Submission(
                answers=ANSWERS,
                language=invitation.language,
                finished=True,
                channel=ResponseChannel.EMAIL,
                invitation=invitation,
            ),
        )


def test_the_mail_arrives_and_its_link_works_once(
    db: Database, factory: Factory, client: TestClient, runner: Runner, smtp_server: SmtpSink
) -> None:
    f = make_survey(db, factory.organisation(name="Kauppa Oy"))
    add_customers(db, f, {"anna": {"locale": "en"}, "ville": {}})
    result = _invite(db, f)
    assert (result.invited, result.skipped) == (2, {})
    assert smtp_server.messages == []  # nothing leaves before the job runs
    assert runner.run_pending() == 2

    by_to = {m["X-RcptTo"]: m for m in smtp_server.messages}
    english, finnish = by_to["anna@example.test"], by_to["ville@example.test"]
    assert "How did buying go?" in english["Subject"] and "Kauppa Oy" in english["Subject"]
    assert "Miten ostos sujui?" in finnish["Subject"]
    path, slug, token = survey_link(english)
    assert slug == f.slug
    assert {i.status for i in invitations_of(db, f)} == {"sent"}

    page = client.get(path)
    assert page.status_code == 200, page.text
    assert any(t in page.text for t in ("Miten ostos sujui?", "How did buying go?"))
    opened = {i.email: i for i in invitations_of(db, f)}["anna@example.test"]
    assert opened.status == "opened" and opened.opened_at is not None

    _finish(db, f, token)
    with pytest.raises(Conflict):
        _finish(db, f, token)  # the second finish is refused
    assert client.get(path).status_code == 409  # and the link no longer opens the survey
    done = {i.email: i for i in invitations_of(db, f)}["anna@example.test"]
    assert done.status == "finished" and done.finished_at is not None


def test_a_queued_invitation_opens_nothing_and_tokens_are_tied_to_the_secret(
    db: Database, factory: Factory
) -> None:
    f = make_survey(db, factory.organisation())
    add_customers(db, f, {"anna": {}})
    _invite(db, f)
    [queued] = invitations_of(db, f)
    token = invitations.link_token("secret-a", f.slug, queued.id)
    assert token.startswith(f.slug + ".")
    assert invitations.link_token("secret-b", f.slug, queued.id) != token
    assert invitations.token_hash(token) != queued.token_hash  # not sent: the link is dead


def test_who_is_skipped_and_why(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    add_customers(
        db,
        f,
        {
            "ok": {},
            "no-mail": {"email": None},
            "no-consent": {"consents": {"surveys": False}},
            "never-asked": {"consents": {}},
            "other-segment": {"segment": "muut"},
            "shared-1": {"email": "perhe@example.test"},
            "shared-2": {"email": "perhe@example.test"},
        },
    )
    result = _invite(db, f)
    assert result.invited == 2  # "ok" and one of the two sharing an address
    assert result.skipped == {"no_email": 1, "no_consent": 2, "same_address": 1}

    listed = _invite(db, f, segment=None, customer_external_ids=["nobody", "ok", "other-segment"])
    assert listed.invited == 1  # "ok" is in its quiet period now
    assert listed.skipped == {"unknown_customer": 1, "quiet_period": 1}

    # a survey that needs no consent (the caller says so)
    no_consent = _invite(db, f, consent_key=None, quiet_days=0)
    assert no_consent.skipped == {"no_email": 1, "same_address": 1}


def test_the_quiet_period_spans_surveys_and_can_be_changed(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    with db.transaction(f.org.id) as session:
        other = service.do_create_survey(
            session,
            f.actor,
            SurveyIn(key="toinen", name="Toinen", definition=definition(None)),
        )
        service.do_publish(session, f.actor, other.id)
    add_customers(db, f, {"anna": {}})
    assert _invite(db, f).invited == 1
    with db.transaction(f.org.id) as session:
        second = campaigns.do_invite(
            session,
            f.actor,
            other.id,
            segment="vip",
            customer_external_ids=None,
            language=None,
            campaign="Toinen",
        )
    assert second.skipped == {"quiet_period": 1}
    # an invitation 31 days old no longer counts
    with db.transaction(f.org.id) as session:
        session.execute(update(SurveyInvitation).values(created_at=utcnow() - timedelta(days=31)))
    assert _invite(db, f).invited == 1
    assert _invite(db, f, quiet_days=0).invited == 1


def test_a_draft_survey_invites_nobody(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation(), publish=False)
    add_customers(db, f, {"anna": {}})
    with pytest.raises(Conflict):
        _invite(db, f)
    assert invitations_of(db, f) == []


def test_opting_out_stops_every_survey_mail(
    db: Database, factory: Factory, client: TestClient, runner: Runner, smtp_server: SmtpSink
) -> None:
    f = make_survey(db, factory.organisation())
    add_customers(db, f, {"anna": {}})
    _invite(db, f)
    runner.run_pending()
    path = optout_path(smtp_server.messages[0])

    page = client.get(path)
    assert page.status_code == 200 and 'method="post"' in page.text
    assert invitations_of(db, f)[0].status == "sent"  # looking changes nothing
    done = client.post(path)
    assert done.status_code == 200

    with db.transaction(f.org.id, readonly=True) as session:
        digest = hashlib.sha256(b"anna@example.test").hexdigest()
        assert session.scalar(select(SurveyOptOut.email_hash)) == digest
        customer = session.scalar(select(Customer).where(Customer.external_id == "anna"))
        assert customer is not None and customer.consents["surveys"] is False
    [invitation] = invitations_of(db, f)
    assert invitation.status == "opted_out" and invitation.opted_out_at is not None
    assert client.post(path).status_code == 200  # a second click is harmless

    # even if the CRM sets the consent again, the address stays out
    add_customers(db, f, {"anna": {"consents": {"surveys": True}}})
    assert _invite(db, f, quiet_days=0).skipped == {"opted_out": 1}
    assert client.get("/s/optout/" + f.slug + ".made-up").status_code == 404


def test_reminders_repeat_the_link_until_the_limit(
    db: Database, factory: Factory, runner: Runner, smtp_server: SmtpSink
) -> None:
    f = make_survey(db, factory.organisation())
    with db.transaction(f.org.id) as session:
        service.do_update_survey(
            session,
            f.actor,
            f.survey_id,
            SurveyUpdate(settings=SurveySettings(reminder_after_days=3, max_reminders=2)),
        )
    add_customers(db, f, {"anna": {}, "ville": {}})
    _invite(db, f)
    runner.run_pending()
    _, _, first_token = survey_link(smtp_server.messages[0])
    started = next(i for i in invitations_of(db, f) if i.email == "ville@example.test")
    with db.transaction(f.org.id) as session:
        session.execute(
            update(SurveyInvitation)
            .where(SurveyInvitation.id == started.id)
            .values(status="started", started_at=utcnow())
        )

    def remind(days: int) -> int:
        with db.transaction(f.org.id) as session:
            due = invitations.claim_reminders(session, utcnow() + timedelta(days=days))
            for invitation in due:
                tasks.enqueue_send(session, invitation, reminder=True)
        runner.run_pending()
        return len(due)

    assert remind(2) == 0  # not yet
    assert remind(4) == 1  # anna only: ville has started
    reminder = smtp_server.messages[-1]
    assert reminder["X-RcptTo"] == "anna@example.test"
    assert "Muistutus" in reminder["Subject"] or "Reminder" in reminder["Subject"]
    assert survey_link(reminder)[2] == first_token  # the same link as the first mail
    assert remind(5) == 0  # three days have not passed since the reminder
    assert remind(8) == 1
    assert remind(30) == 0  # two reminders at most
    [anna] = [i for i in invitations_of(db, f) if i.email == "anna@example.test"]
    assert anna.reminders_sent == 2 and anna.status == "sent"
    assert len(smtp_server.messages) == 4


def test_bounces_mark_the_invitation_and_keep_the_address_out(
    db: Database, factory: Factory, client: TestClient, runner: Runner
) -> None:
    f = make_survey(db, factory.organisation())
    add_customers(db, f, {"anna": {}, "ville": {}})
    _invite(db, f)
    runner.run_pending()
    key = factory.api_key(f.org)
    response = client.post(
        "/api/v1/survey-invitations/bounces",
        json={"emails": ["ANNA@example.test", "nobody@example.test"]},
        headers={"authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"bounced": 1}
    statuses = {i.email: i.status for i in invitations_of(db, f)}
    assert statuses == {"anna@example.test": "bounced", "ville@example.test": "sent"}
    assert _invite(db, f, quiet_days=0).skipped == {"bounced": 1}

    with db.transaction(f.org.id) as session:
        ville = session.scalar(
            select(SurveyInvitation).where(SurveyInvitation.email == "ville@example.test")
        )
        assert ville is not None
        assert invitations.do_mark_bounced(session, invitation=ville) == 1


def test_a_refused_address_fails_at_once_and_an_outage_after_the_retries(
    db: Database, factory: Factory, runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = make_survey(db, factory.organisation())
    add_customers(db, f, {"anna": {}, "ville": {}})

    class Refusing:
        def send(self, message: object) -> None:
            to = message.to[0]  # type: ignore[attr-defined]
            if to.startswith("anna"):
                raise smtplib.SMTPRecipientsRefused({to: (550, b"no such user")})
            raise ConnectionRefusedError("the SMTP server is down")

    monkeypatch.setattr(tasks, "mailer_from_settings", lambda settings: Refusing())
    _invite(db, f)
    runner.run_pending()
    statuses = {i.email: (i.status, i.error) for i in invitations_of(db, f)}
    assert statuses["anna@example.test"][0] == "failed"
    assert "SMTPRecipientsRefused" in (statuses["anna@example.test"][1] or "")
    assert statuses["ville@example.test"] == ("queued", None)  # retried later

    with db.transaction(None) as session:
        session.execute(
            update(Job)
            .where(Job.status == JobStatus.PENDING, Job.task == tasks.SEND_TASK)
            .values(attempts=tasks.SEND_ATTEMPTS - 1, run_after=utcnow())
        )
    runner.run_pending()
    [ville] = [i for i in invitations_of(db, f) if i.email == "ville@example.test"]
    assert ville.status == "failed" and "ConnectionRefusedError" in (ville.error or "")


def test_an_invitation_is_not_sent_before_its_time(
    db: Database, factory: Factory, runner: Runner, smtp_server: SmtpSink
) -> None:
    f = make_survey(db, factory.organisation())
    add_customers(db, f, {"anna": {}})
    _invite(db, f)
    later = utcnow() + timedelta(hours=1)
    with db.transaction(f.org.id) as session:
        session.execute(update(SurveyInvitation).values(send_after=later))
    with db.transaction(None) as session:  # the job woke early (a clock step)
        session.execute(update(Job).values(run_after=utcnow() - timedelta(seconds=1)))
    runner.run_pending()
    assert smtp_server.messages == []
    assert invitations_of(db, f)[0].status == "queued"
    with db.transaction(None, readonly=True) as session:
        waiting = session.scalars(select(Job.run_after).where(Job.status == JobStatus.PENDING))
        assert [w >= later - timedelta(seconds=1) for w in waiting] == [True]


def test_mail_text_names_the_survey_and_both_links(
    db: Database, factory: Factory, runner: Runner, smtp_server: SmtpSink
) -> None:
    f = make_survey(db, factory.organisation(name="Kauppa Oy"))
    add_customers(db, f, {"anna": {"locale": "sv"}})
    _invite(db, f)
    runner.run_pending()
    [message] = smtp_server.messages
    text = body(message)
    assert "Hur gick köpet?" in text  # the survey's Swedish title
    assert survey_link(message)[2] in optout_path(message)


def test_customer_addresses_come_from_the_api_and_the_csv_import(
    db: Database, factory: Factory, client: TestClient, tmp_path: Path
) -> None:
    f = make_survey(db, factory.organisation())
    key = factory.api_key(f.org)
    auth = {"authorization": f"Bearer {key}"}
    put = client.put("/api/v1/customers/anna", json={"email": " Anna@Example.TEST "}, headers=auth)
    assert put.status_code in (200, 201), put.text
    assert client.get("/api/v1/customers/anna", headers=auth).json()["email"] == "anna@example.test"
    bad = client.put("/api/v1/customers/anna", json={"email": "not an address"}, headers=auth)
    assert bad.status_code == 422

    csv = tmp_path / "customers.csv"
    csv.write_text("external_id,segment,email,consent:surveys\nville,vip,Ville@example.test,yes\n")
    import_customers_csv(db, f.actor, csv)
    result = _invite(db, f)
    assert result.invited == 1 and invitations_of(db, f)[0].email == "ville@example.test"
