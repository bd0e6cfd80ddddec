"""Customers to invite, a job runner that mails through a real SMTP server, and links."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from kohtaamo.config import Settings
from kohtaamo.jobs.runner import Runner
from kohtaamo.journeys.customers import do_upsert_customers
from kohtaamo.journeys.schemas import CustomerIn
from kohtaamo.storage.db import Database
from kohtaamo.surveys.models import SurveyInvitation
from tests.conftest import SmtpSink
from tests.surveys.helpers import SurveyFixture

LINK = re.compile(r"http://127\.0\.0\.1:8000(/s/([A-Za-z0-9_-]+)\?t=([A-Za-z0-9_.=-]+))")
OPTOUT = re.compile(r"http://127\.0\.0\.1:8000(/s/optout/[A-Za-z0-9_.=-]+)")


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


def add_customers(db: Database, f: SurveyFixture, people: dict[str, dict[str, Any]]) -> None:
    """Customers by external id; a profile of ``{}`` gets an address and consent."""
    items = []
    for ext, extra in people.items():
        values: dict[str, Any] = {
            "email": f"{ext}@example.test",
            "consents": {"surveys": True},
            "segment": "vip",
        }
        items.append((ext, CustomerIn.model_validate(values | extra)))
    with db.transaction(f.org.id) as session:
        do_upsert_customers(session, f.actor, items)


def body(message: Any) -> str:
    return str(message.get_body(preferencelist=("plain",)).get_content())


def survey_link(message: Any) -> tuple[str, str, str]:
    """(path with query, slug, token) of the survey link in a received mail."""
    match = LINK.search(body(message))
    assert match, body(message)
    return match.group(1), match.group(2), match.group(3)


def optout_path(message: Any) -> str:
    match = OPTOUT.search(body(message))
    assert match, body(message)
    return match.group(1)


def invitations_of(db: Database, f: SurveyFixture) -> list[SurveyInvitation]:
    with db.transaction(f.org.id, readonly=True) as session:
        return list(
            session.scalars(select(SurveyInvitation).order_by(SurveyInvitation.email)).all()
        )
