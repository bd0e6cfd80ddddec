"""Surveys, versions and responses through their services, on a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kohtaamo.errors import Conflict, Gone, InvalidInput, NotFound
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys import responses, service
from kohtaamo.surveys.catalogue import ResponseChannel
from kohtaamo.surveys.models import SurveyMeasure, SurveyResponse
from kohtaamo.surveys.responses import FinishedResponse, Submission
from tests.factories import Factory
from tests.surveys.helpers import definition, make_survey

GOOD = {"ease": {"expected": 4, "experienced": 2}, "nps": 9}


def _sub(**kw: object) -> Submission:
    values: dict[str, object] = {
        "answers": GOOD,
        "language": "fi",
        "finished": True,
        "channel": ResponseChannel.API,
    }
    return Submission(**(values | kw))  # type: ignore[arg-type]


def test_publish_freezes_and_edits_make_a_new_version(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    with db.transaction(f.org.id) as session:
        survey = service.get_survey(session, f.actor, f.survey_id)
        first, _ = responses.do_submit(session, survey, _sub())
        v2 = service.do_save_definition(session, f.actor, f.survey_id, definition(None))
        assert v2.number == 2 and v2.published_at is None
        # still answering version 1 until version 2 is published
        assert survey.live_version == 1
        service.do_publish(session, f.actor, f.survey_id)
        second, _ = responses.do_submit(session, survey, _sub())
        assert repo.version_by_id(session, first.version_id).number == 1  # type: ignore[union-attr]
        assert repo.version_by_id(session, second.version_id).number == 2  # type: ignore[union-attr]


def test_finished_response_writes_measures_and_notifies_after_commit(
    db: Database, factory: Factory
) -> None:
    f = make_survey(db, factory.organisation())
    heard: list[FinishedResponse] = []
    unsubscribe = responses.subscribe(heard.append)
    try:
        with db.transaction(f.org.id) as session:
            survey = service.get_survey(session, f.actor, f.survey_id)
            response, created = responses.do_submit(
                session, survey, _sub(customer_external_id="c-1")
            )
            assert created and heard == []  # not before the commit
        assert [h.response_id for h in heard] == [response.id]
    finally:
        unsubscribe()
    with db.transaction(f.org.id, readonly=True) as session:
        rows = session.execute(select(SurveyMeasure.role, SurveyMeasure.value)).all()
        assert sorted(rows) == [("expectation", 4.0), ("experience", 2.0), ("nps", 9.0)]
        tp = session.scalar(
            select(SurveyMeasure.touchpoint_id).where(SurveyMeasure.role == "experience")
        )
        assert tp == f.cat.touchpoints["checkout"]


def test_bad_answers_store_nothing(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    with db.transaction(f.org.id) as session, pytest.raises(InvalidInput) as err:
        survey = service.get_survey(session, f.actor, f.survey_id)
        responses.do_submit(session, survey, _sub(answers={"nps": 12}))
    assert {p.field for p in err.value.problems} == {"answers.nps", "answers.ease"}
    with db.transaction(f.org.id, readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_draft_and_closed_surveys_take_no_responses(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation(), publish=False)
    with db.transaction(f.org.id) as session, pytest.raises(NotFound):
        responses.do_submit(session, service.get_survey(session, f.actor, f.survey_id), _sub())
    with db.transaction(f.org.id) as session:
        service.do_publish(session, f.actor, f.survey_id)
        service.do_close(session, f.actor, f.survey_id)
    with db.transaction(f.org.id) as session, pytest.raises(Gone):
        responses.do_submit(session, service.get_survey(session, f.actor, f.survey_id), _sub())


def test_idempotent_retry_is_stored_once(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    ids = []
    for _ in range(2):
        with db.transaction(f.org.id) as session:
            survey = service.get_survey(session, f.actor, f.survey_id)
            response, created = responses.do_submit(session, survey, _sub(idempotency_key="k-1"))
            ids.append((response.id, created))
    assert ids[0][0] == ids[1][0] and [c for _, c in ids] == [True, False]


def test_partial_then_resume_then_finish_once(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    resume = "r" * 64
    with db.transaction(f.org.id) as session:
        survey = service.get_survey(session, f.actor, f.survey_id)
        first, _ = responses.do_submit(
            session, survey, _sub(answers=GOOD, finished=False, pages={"p1"}, resume_hash=resume)
        )
    with db.transaction(f.org.id) as session:
        survey = service.get_survey(session, f.actor, f.survey_id)
        done, created = responses.do_submit(
            session,
            survey,
            _sub(answers={"feelings": ["relief"]}, pages={"p2"}, resume_hash=resume),
        )
        assert done.id == first.id and not created
        assert done.answers == GOOD | {"feelings": ["relief"]}
        assert done.finished_at is not None
    with db.transaction(f.org.id) as session, pytest.raises(Conflict):
        survey = service.get_survey(session, f.actor, f.survey_id)
        responses.do_submit(session, survey, _sub(answers={"nps": 0}, resume_hash=resume))


def test_too_fast_and_honeypot_are_flagged_and_silent(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation(), min_seconds=5)
    heard: list[FinishedResponse] = []
    unsubscribe = responses.subscribe(heard.append)
    try:
        with db.transaction(f.org.id) as session:
            survey = service.get_survey(session, f.actor, f.survey_id)
            fast, _ = responses.do_submit(session, survey, _sub(started_at=utcnow()))
            bot, _ = responses.do_submit(
                session, survey, _sub(started_at=utcnow() - timedelta(minutes=2), honeypot=True)
            )
            human, _ = responses.do_submit(
                session, survey, _sub(started_at=utcnow() - timedelta(minutes=2))
            )
            assert (fast.flag_reason, bot.flag_reason, human.flag_reason) == (
                "too_fast",
                "honeypot",
                None,
            )
    finally:
        unsubscribe()
    assert [h.response_id for h in heard] == [human.id]
    with db.transaction(f.org.id, readonly=True) as session:
        ids = set(session.scalars(select(SurveyMeasure.response_id)))
        assert ids == {human.id}


def test_definition_must_name_catalogue_touchpoints(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    with db.transaction(f.org.id) as session, pytest.raises(InvalidInput) as err:
        service.do_save_definition(session, f.actor, f.survey_id, definition("nowhere"))
    assert err.value.params["keys"] == "nowhere"


def test_only_unanswered_surveys_are_deleted(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    with db.transaction(f.org.id) as session:
        responses.do_submit(session, service.get_survey(session, f.actor, f.survey_id), _sub())
    with db.transaction(f.org.id) as session, pytest.raises(Conflict):
        service.do_delete_survey(session, f.actor, f.survey_id)
