"""Mail as a job: leaves after commit, survives an SMTP outage, keeps no addresses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from kohtaamo.config import Settings
from kohtaamo.jobs import Job, JobStatus
from kohtaamo.jobs.runner import Runner
from kohtaamo.kit.clock import frozen_at, utcnow
from kohtaamo.mail.backends import memory_mailer
from kohtaamo.mail.service import enqueue_mail
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from tests.conftest import SmtpSink
from tests.factories import Factory


@pytest.fixture
def smtp_settings(settings: Settings, smtp_server: SmtpSink) -> Settings:
    return settings.model_copy(
        update={
            "mail_backend": "smtp",
            "smtp_host": smtp_server.host,
            "smtp_port": smtp_server.port,
            "smtp_timeout_s": 2.0,
            "mail_from": "Kohtaamo <noreply@kohtaamo.fi>",
        }
    )


@pytest.fixture
def runner(db: Database, smtp_settings: Settings) -> Iterator[Runner]:
    runner = Runner(db, smtp_settings, lease=timedelta(seconds=5), schedule=False)
    yield runner
    runner.stop()


def _job(db: Database) -> Job:
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        job = session.execute(select(Job).where(Job.task == "mail.send")).scalar_one()
        session.expunge(job)
        return job


def test_mail_leaves_through_smtp_after_commit(
    db: Database, runner: Runner, smtp_server: SmtpSink, factory: Factory
) -> None:
    org = factory.organisation()
    with db.transaction(org.id) as session:
        enqueue_mail(session, to="asiakas@example.fi", subject="Tervetuloa", text="Hei!")
        assert smtp_server.messages == []  # nothing leaves before the commit

    assert runner.run_pending() == 1

    [arrived] = smtp_server.messages
    assert arrived["X-RcptTo"] == "asiakas@example.fi"
    assert arrived["Subject"] == "Tervetuloa"
    assert arrived.get_content().strip() == "Hei!"
    job = _job(db)
    assert (job.status, job.organisation_id) == (JobStatus.DONE, org.id)
    assert job.payload == {}  # the address and text are not kept once sent


def test_a_rolled_back_mail_is_never_sent(
    db: Database, runner: Runner, smtp_server: SmtpSink
) -> None:
    with pytest.raises(RuntimeError), db.transaction(ALL_TENANTS) as session:
        enqueue_mail(session, to="asiakas@example.fi", subject="Ei", text="Ei lähde.")
        raise RuntimeError("rolled back")
    assert runner.run_pending() == 0
    assert smtp_server.messages == []


def test_mail_waits_out_an_smtp_outage(db: Database, runner: Runner, smtp_server: SmtpSink) -> None:
    smtp_server.stop()
    with db.transaction(ALL_TENANTS) as session:
        enqueue_mail(session, to=["a@example.fi", "b@example.fi"], subject="S", text="T")

    runner.run_pending()
    job = _job(db)
    assert (job.status, job.attempts) == (JobStatus.PENDING, 1)
    assert job.last_error is not None and job.last_error.startswith("ConnectionRefusedError")
    assert job.payload["to"] == ["a@example.fi", "b@example.fi"]  # kept until sent

    smtp_server.start()
    assert runner.run_pending() == 0  # backing off
    with frozen_at(utcnow() + timedelta(minutes=2)):
        assert runner.run_pending() == 1

    [arrived] = smtp_server.messages
    assert arrived["X-RcptTo"] == "a@example.fi, b@example.fi"
    assert (_job(db).status, _job(db).attempts) == (JobStatus.DONE, 2)


def test_the_memory_backend_collects_mail_for_other_domains_tests(
    db: Database, settings: Settings
) -> None:
    memory_mailer.clear()
    with db.transaction(ALL_TENANTS) as session:
        enqueue_mail(session, to="x@example.fi", subject="Muistiin", text="Testi", html="<b>T</b>")
    Runner(db, settings, schedule=False).run_pending()
    [sent] = memory_mailer.outbox
    assert (sent.to, sent.subject, sent.html) == (("x@example.fi",), "Muistiin", "<b>T</b>")
    memory_mailer.clear()
