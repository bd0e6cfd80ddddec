"""Submissions through :func:`store_submission` (group commit on SQLite, a transaction
each on PostgreSQL): concurrent respondents are each stored once, retries answer as
retries, and a busy database answers 503 with Retry-After instead of a 500."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from kohtaamo.accounts.permissions import Scope
from kohtaamo.api.v1 import surveys as surveys_api
from kohtaamo.errors import Gone, NotFound
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.surveys import invitations, service
from kohtaamo.surveys.catalogue import ResponseChannel
from kohtaamo.surveys.models import SurveyInvitation, SurveyMeasure, SurveyResponse
from kohtaamo.surveys.responses import Submission
from kohtaamo.surveys.submit import SubmitResult, store_submission
from tests.factories import Factory
from tests.surveys.helpers import make_survey

GOOD = {"ease": {"expected": 4, "experienced": 2}, "nps": 9}
THREADS, EACH = 8, 10


def _sub(key: str | None, **kw: object) -> Submission:
    values: dict[str, object] = {
        "answers": GOOD,
        "language": "fi",
        "finished": True,
        "channel": ResponseChannel.KIOSK,
        "idempotency_key": key,
    }
    return Submission(**(values | kw))  # type: ignore[arg-type]


def _counts(db: Database) -> tuple[int, int, int]:
    with db.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(SurveyResponse)).scalar_one()
        finished = conn.execute(
            select(func.count()).where(SurveyResponse.finished_at.is_not(None))
        ).scalar_one()
        measured = conn.execute(
            select(func.count(func.distinct(SurveyMeasure.response_id)))
        ).scalar_one()
    return int(rows), int(finished), int(measured)


def test_concurrent_submissions_are_each_stored_once(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    results: list[SubmitResult] = []
    retries: list[SubmitResult] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def respondent(n: int) -> None:
        start.wait()
        try:
            for i in range(EACH):
                stored = store_submission(db, f.org.id, f.survey_id, _sub(f"k-{n}-{i}"))
                again = store_submission(db, f.org.id, f.survey_id, _sub(f"k-{n}-{i}"))
                with lock:
                    results.append(stored)
                    retries.append(again)
        except BaseException as exc:  # the assertion below shows it
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=respondent, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert len(results) == THREADS * EACH
    assert all(r.created and r.finished and not r.flagged for r in results)
    assert len({r.response_id for r in results}) == THREADS * EACH
    assert not any(r.created for r in retries)
    assert sorted(r.response_id for r in retries) == sorted(r.response_id for r in results)
    assert _counts(db) == (THREADS * EACH, THREADS * EACH, THREADS * EACH)


def test_result_is_plain_data_of_the_committed_response(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    stored = store_submission(
        db, f.org.id, f.survey_id, _sub("one", customer_external_id="asiakas-9")
    )
    assert (stored.survey_id, stored.version, stored.answers) == (f.survey_id, 1, GOOD)
    assert (stored.customer, stored.channel, stored.language) == ("asiakas-9", "kiosk", "fi")
    assert stored.definition.languages  # the live definition, for the thanks text
    again = store_submission(db, f.org.id, f.survey_id, _sub("one"))
    assert (again.response_id, again.created, again.customer) == (
        stored.response_id,
        False,
        "asiakas-9",
    )
    assert _counts(db) == (1, 1, 1)


def test_unknown_closed_and_foreign_surveys_store_nothing(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    other = factory.organisation()
    with pytest.raises(NotFound):
        store_submission(db, f.org.id, uuid.uuid4(), _sub("a"))
    with pytest.raises(NotFound):  # another organisation's survey is not found
        store_submission(db, other.id, f.survey_id, _sub("b"))
    with db.transaction(f.org.id) as session:
        service.do_close(session, f.actor, f.survey_id)
    with pytest.raises(Gone):
        store_submission(db, f.org.id, f.survey_id, _sub("c"))
    assert _counts(db) == (0, 0, 0)


def test_a_busy_database_answers_503_with_retry_after(
    client: TestClient, db: Database, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = make_survey(db, factory.organisation())
    key = factory.api_key(f.org, Scope.READ, Scope.WRITE)

    def locked(*_args: object, **_kw: object) -> SubmitResult:
        raise OperationalError(
            "BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked")
        )

    monkeypatch.setattr(surveys_api, "store_submission", locked)
    got = client.post(
        f"/api/v1/surveys/{f.survey_id}/responses",
        json={"answers": GOOD, "channel": "kiosk"},
        headers={"authorization": f"Bearer {key}", "accept-language": "en"},
    )
    assert got.status_code == 503, got.text
    assert got.headers["retry-after"] == "1"
    assert got.headers["content-type"].startswith("application/problem+json")
    assert got.json()["type"].endswith("/unavailable")
    assert "Try again" in got.json()["detail"]


def test_other_database_errors_are_not_turned_into_503(
    db: Database, factory: Factory, app: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = make_survey(db, factory.organisation())
    key = factory.api_key(f.org, Scope.READ, Scope.WRITE)

    def broken(*_args: object, **_kw: object) -> SubmitResult:
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(surveys_api, "store_submission", broken)
    with TestClient(app, raise_server_exceptions=False) as plain:  # type: ignore[arg-type]
        got = plain.post(
            f"/api/v1/surveys/{f.survey_id}/responses",
            json={"answers": GOOD, "channel": "kiosk"},
            headers={"authorization": f"Bearer {key}"},
        )
    assert got.status_code == 500


def test_an_invitation_read_elsewhere_is_changed_in_the_units_own_session(
    db: Database, factory: Factory
) -> None:
    f = make_survey(db, factory.organisation())
    _, hashed = invitations.new_token()
    with db.transaction(f.org.id) as session:
        session.add(
            SurveyInvitation(
                survey_id=f.survey_id,
                email="asiakas@example.test",
                token_hash=hashed,
                status="sent",
                expires_at=utcnow() + timedelta(days=30),
            )
        )
    with db.transaction(f.org.id, readonly=True) as session:
        detached = session.scalars(select(SurveyInvitation)).one()  # its session is gone

    stored = store_submission(
        db, f.org.id, f.survey_id, _sub(None, channel=ResponseChannel.EMAIL, invitation=detached)
    )

    with db.transaction(f.org.id, readonly=True) as session:
        row = session.scalars(select(SurveyInvitation)).one()
        response = session.scalars(select(SurveyResponse)).one()
    assert stored.created and stored.finished
    assert (row.status, row.finished_at is not None) == ("finished", True)
    assert response.invitation_id == row.id and response.id == stored.response_id
