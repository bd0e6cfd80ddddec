"""The demo's surveys and responses: published, believable, tied to the journeys, seeded."""

from __future__ import annotations

import hashlib
import json
import statistics
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from kohtaamo.accounts.models import Organisation
from kohtaamo.demo import REFERENCE_DATE, seed_demo
from kohtaamo.demo.journeys_nordic import SLUG as NORDIC_SLUG
from kohtaamo.demo.surveys_bulk import LiveSurvey, insert_rows, rows_of
from kohtaamo.demo.surveys_comments import tone_of
from kohtaamo.demo.surveys_defs import SURVEYS
from kohtaamo.demo.surveys_nordic import COMMENTS as NORDIC_COMMENTS
from kohtaamo.demo.surveys_nordic import SURVEYS as NORDIC_SURVEYS
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.journeys.models import Customer, InteractionEvent, Touchpoint
from kohtaamo.kit.clock import frozen_at
from kohtaamo.storage.db import Database
from kohtaamo.surveys import repository as surveys_repo
from kohtaamo.surveys import responses
from kohtaamo.surveys.catalogue import PairForm, QuestionType, ResponseChannel
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.models import Survey, SurveyMeasure, SurveyResponse, SurveyVersion
from tests.demo.helpers import empty


def _main(db: Database) -> uuid.UUID:
    with db.engine.connect() as conn:
        found = conn.scalar(select(Organisation.id).where(Organisation.slug == "elamys"))
    assert found is not None
    return found


def _measure_means(db: Database) -> dict[tuple[str | None, str, str | None], float]:
    """Mean measure of the events company by (touchpoint key, role, customer segment)."""
    values: dict[tuple[str | None, str, str | None], list[float]] = defaultdict(list)
    with db.engine.connect() as conn:
        for key, role, segment, value in conn.execute(
            select(Touchpoint.key, SurveyMeasure.role, Customer.segment, SurveyMeasure.value)
            .select_from(SurveyMeasure)
            .outerjoin(Touchpoint, Touchpoint.id == SurveyMeasure.touchpoint_id)
            .outerjoin(Customer, Customer.id == SurveyMeasure.customer_id)
            .where(SurveyMeasure.organisation_id == _main(db))
        ):
            values[(key, role, segment)].append(value)
            values[(key, role, None)].append(value)
    return {k: statistics.mean(v) for k, v in values.items()}


def test_the_small_demo_has_published_surveys_in_three_languages(db: Database) -> None:
    seed_demo(db)
    with db.transaction(_main(db), readonly=True) as session:
        surveys = {s.key: s for s in session.scalars(select(Survey))}
        touchpoints = dict(session.execute(select(Touchpoint.id, Touchpoint.key)).all())
        versions = {
            v.survey_id: v for v in session.scalars(select(SurveyVersion)) if v.published_at
        }

    assert set(surveys) == {spec.key for spec in SURVEYS}
    forms: Counter[PairForm | None] = Counter()
    for spec in SURVEYS:
        survey = surveys[spec.key]
        assert survey.status == "open" and survey.live_version == 1
        assert touchpoints.get(survey.touchpoint_id) == spec.touchpoint  # type: ignore[arg-type]
        definition = SurveyDefinition.model_validate(versions[survey.id].definition)
        questions = definition.questions()
        for q in questions:
            if q.type is not QuestionType.HIDDEN:
                assert set(q.text) == {"fi", "en", "sv"}, (spec.key, q.key)
        assert set(definition.title) == {"fi", "en", "sv"}
        types = {q.type for q in questions}
        if spec.touchpoint is None:
            assert {QuestionType.NPS, QuestionType.TEXT, QuestionType.RATING} <= types
            assert {q.measure_role() for q in questions} >= {"repurchase_intent", "trust"}
        else:
            assert {QuestionType.EXPECTATION_EXPERIENCE, QuestionType.EMOTION} <= types
            assert QuestionType.TEXT in types
            assert types & {QuestionType.CSAT, QuestionType.CES}
            forms.update(
                q.pair_form for q in questions if q.type is QuestionType.EXPECTATION_EXPERIENCE
            )
    assert forms[PairForm.COMPARED] == 1 and forms[PairForm.DOUBLE] >= 5


def test_scores_differ_by_touchpoint_and_segment_as_intended(db: Database) -> None:
    seed_demo(db)
    mean = _measure_means(db)

    # The invoice and arriving fall short of expectations; the show exceeds them.
    assert mean[("invoice", "experience", None)] < mean[("invoice", "expectation", None)] - 0.8
    assert mean[("venue.entry", "experience", None)] < mean[("venue.entry", "expectation", None)]
    assert mean[("event.show", "experience", None)] > mean[("event.show", "expectation", None)]
    # Companies expect more, and customer service falls further short of it for them.
    assert mean[("corporate.event", "expectation", "corporate")] > 4.2
    assert (
        mean[("service.phone", "expectation_gap", "corporate")]
        < mean[("service.phone", "expectation_gap", "consumer")]
    )
    assert mean[(None, "nps", None)] > 6 and {"csat", "ces", "trust"} <= {r for _, r, _ in mean}


def test_responses_follow_the_journeys_over_a_year(db: Database) -> None:
    seed_demo(db)
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(
                Survey.key,
                Survey.touchpoint_id,
                SurveyResponse.channel,
                SurveyResponse.language,
                SurveyResponse.customer_id,
                SurveyResponse.event_key,
                SurveyResponse.finished_at,
                SurveyResponse.flagged,
                SurveyResponse.id,
            )
            .join(Survey, Survey.id == SurveyResponse.survey_id)
            .where(SurveyResponse.organisation_id == _main(db))  # the festival's: see below
        ).all()
        events = {
            key: (customer, touchpoint, at)
            for key, customer, touchpoint, at in conn.execute(
                select(
                    InteractionEvent.event_key,
                    InteractionEvent.customer_id,
                    InteractionEvent.touchpoint_id,
                    InteractionEvent.occurred_at,
                )
            )
        }
        measured = set(conn.scalars(select(SurveyMeasure.response_id)))

    assert 2_000 < len(rows) < 5_000
    assert {r.channel for r in rows} >= {"link", "email", "widget", "qr"}
    finished = [r for r in rows if r.finished_at is not None]
    assert 0 < len(rows) - len(finished) < 0.15 * len(rows), "some partial responses"
    flagged = [r for r in finished if r.flagged]
    assert 0 < len(flagged) < 0.02 * len(rows)
    assert not {r.id for r in flagged} & measured, "flagged responses measure nothing"
    assert {r.id for r in finished if not r.flagged} <= measured
    assert not {r.id for r in rows if r.finished_at is None} & measured
    months = {r.finished_at.strftime("%Y-%m") for r in finished}
    assert len(months) >= 11
    assert all(REFERENCE_DATE - timedelta(days=366) < r.finished_at <= REFERENCE_DATE
               for r in finished)  # fmt: skip
    tied = [r for r in rows if r.event_key is not None]
    assert len(tied) > 0.6 * len(rows)
    for r in tied:  # the encounter the survey asks about, met by this customer, before
        customer, touchpoint, at = events[r.event_key]
        assert (customer, touchpoint) == (r.customer_id, r.touchpoint_id)
        assert r.finished_at is None or at <= r.finished_at
    languages = Counter(r.language for r in rows)
    assert languages["fi"] > 0.8 * len(rows) and languages["sv"] and languages["en"]


def _score(answers: dict[str, Any]) -> float:
    """The response's headline: NPS, the compared gap, else the first pair's gap."""
    if "nps" in answers:
        return float(answers["nps"]) / 2.5 - 2  # 0–10 onto −2…2
    for value in answers.values():
        if isinstance(value, dict):
            return float(value["experienced"] - value["expected"])
    return float(answers["service"])


def test_comments_fit_their_scores_in_finnish_and_english(db: Database) -> None:
    seed_demo(db)
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(SurveyResponse.language, SurveyResponse.answers).where(
                SurveyResponse.finished_at.is_not(None),
                SurveyResponse.organisation_id == _main(db),  # the festival's: see below
            )
        ).all()
    by_tone: dict[str, list[float]] = defaultdict(list)
    languages: Counter[str] = Counter()
    texts = set()
    for language, answers in rows:
        text = answers.get("comment") or answers.get("why")
        if not text:
            continue
        reading = tone_of(text)
        assert reading is not None, text
        assert reading.language == ("fi" if language == "fi" else "en"), (language, text)
        by_tone[reading.tone].append(_score(answers))
        languages[reading.language] += 1
        texts.add(text)

    complaint, mixed, praise = (
        statistics.mean(by_tone[t]) for t in ("complaint", "mixed", "praise")
    )
    assert complaint < mixed < praise
    assert complaint < -0.5 < 0.5 < praise
    assert languages["fi"] > 3 * languages["en"] > 0
    assert len(texts) > 0.6 * sum(languages.values()), "comments vary"


def _fingerprint(db: Database) -> str:
    digest = hashlib.sha256()
    with db.engine.connect() as conn:
        for row in conn.execute(
            select(
                Survey.key,
                Survey.slug,
                SurveyResponse.channel,
                SurveyResponse.language,
                SurveyResponse.answers,
                SurveyResponse.event_key,
                SurveyResponse.started_at,
                SurveyResponse.finished_at,
                SurveyResponse.flag_reason,
            )
            .join(Survey, Survey.id == SurveyResponse.survey_id)
            .order_by(Survey.key, SurveyResponse.started_at, SurveyResponse.event_key)
        ):
            digest.update(json.dumps(list(row), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def test_the_same_seed_makes_the_same_responses(db: Database) -> None:
    seed_demo(db, size=300, seed=3)
    first = _fingerprint(db)
    empty(db)
    seed_demo(db, size=300, seed=3)
    assert _fingerprint(db) == first
    empty(db)
    seed_demo(db, size=300, seed=4)
    assert _fingerprint(db) != first


def _stored(db: Database, org: uuid.UUID, response_id: uuid.UUID) -> tuple[Any, ...]:
    with db.transaction(org, readonly=True) as session:
        found = surveys_repo.response(session, response_id)
        assert found is not None
        response = {
            c.key: getattr(found, c.key)
            for c in SurveyResponse.__table__.columns
            if c.key not in ("id", "resume_hash")
        }
        numbers = sorted(
            (m.question_key, m.role, m.value, m.scale_min, m.scale_max, m.touchpoint_id,
             m.customer_id, m.answered_at, m.survey_id, m.organisation_id)
            for m in session.scalars(
                select(SurveyMeasure).where(SurveyMeasure.response_id == response_id)
            )
        )  # fmt: skip
    return response, numbers


def test_bulk_rows_are_what_do_submit_writes(db: Database) -> None:
    """The demo writes most responses in bulk: the rows must be do_submit's, exactly."""
    seed_demo(db, size=100)
    org = _main(db)
    at = REFERENCE_DATE - timedelta(days=3)
    with db.transaction(org, readonly=True) as session:
        customer = session.scalar(select(Customer).where(Customer.external_id == "C0000001"))
        assert customer is not None
        cases = []
        examples: list[tuple[str, dict[str, Any], bool]] = [
            ("event", {"show": {"expected": 3, "experienced": 5}, "overall": 5,
                       "feelings": ["joy"], "comment": "Upea ilta!"}, True),
            ("service", {"service": -2, "resolved": False, "service_effort": 2}, True),
            ("relationship", {"nps": 9}, False),
            ("entry", {"arrival": {"expected": 4, "experienced": 2}, "entry_effort": 3,
                       "gate": "vip"}, True),
        ]  # fmt: skip
        for key, answers, finished in examples:
            survey = surveys_repo.survey_by_key(session, key)
            assert survey is not None and survey.live_version is not None
            version = surveys_repo.version(session, survey.id, survey.live_version)
            assert version is not None
            live = LiveSurvey(
                survey.id,
                key,
                survey.touchpoint_id,
                version.id,
                SurveyDefinition.model_validate(version.definition),
                3,
            )
            sub = responses.Submission(
                answers=answers,
                language="sv",
                finished=finished,
                channel=ResponseChannel.EMAIL,
                pages={"scores"} if not finished else {"scores", "more"},
                customer_external_id=customer.external_id,
                context={"page": "/x"},
                event_key="demo-C0000001-0",
                started_at=at - timedelta(seconds=40),
            )
            cases.append((live, sub))
    for live, sub in cases:
        with db.transaction(org) as session:
            survey = surveys_repo.survey(session, live.id)
            assert survey is not None
            with frozen_at(at):
                direct, _ = responses.do_submit(session, survey, sub)
            row, numbers = rows_of(
                live,
                sub,
                customer_id=customer.id,
                touchpoints=journeys_repo.touchpoint_keys(session),
                now=at,
            )
            insert_rows(session, [row], numbers)
            direct_id = direct.id
        assert _stored(db, org, row["id"]) == _stored(db, org, direct_id), live.key


# --- the second organisation ----------------------------------------------------------------


def _org(db: Database, slug: str) -> uuid.UUID:
    with db.engine.connect() as conn:
        found = conn.scalar(select(Organisation.id).where(Organisation.slug == slug))
    assert found is not None
    return found


@pytest.mark.slow  # seeds the demo (~7 s)
def test_the_festival_organisation_has_its_own_surveys_in_its_languages(db: Database) -> None:
    seed_demo(db, size=100)
    main, nordic = _org(db, "elamys"), _org(db, NORDIC_SLUG)
    with db.transaction(nordic, readonly=True) as session:
        surveys = {s.id: s for s in session.scalars(select(Survey))}
        touchpoints = dict(session.execute(select(Touchpoint.id, Touchpoint.key)).all())
        customers = {c.id: c for c in session.scalars(select(Customer))}
        events = {e.event_key: e for e in session.scalars(select(InteractionEvent))}
        versions = {v.survey_id: v for v in session.scalars(select(SurveyVersion))}
        found = list(session.scalars(select(SurveyResponse)))
        roles = Counter(
            (touchpoints.get(m.touchpoint_id), m.role)  # type: ignore[arg-type]
            for m in session.scalars(select(SurveyMeasure))
        )
    with db.transaction(main, readonly=True) as session:
        main_keys = set(session.scalars(select(Survey.key)))

    by_key = {s.key: s for s in surveys.values()}
    assert set(by_key) == {spec.key for spec in NORDIC_SURVEYS}
    assert main_keys == {spec.key for spec in SURVEYS}  # the events company's are untouched
    for spec in NORDIC_SURVEYS:
        survey = by_key[spec.key]
        assert survey.status == "open" and survey.live_version == 1
        assert touchpoints.get(survey.touchpoint_id) == spec.touchpoint  # type: ignore[arg-type]
        definition = SurveyDefinition.model_validate(versions[survey.id].definition)
        assert definition.default_language == "sv"
        assert all(set(q.text) == {"sv", "en", "fi"} for q in definition.questions())

    # Answers in the festival-goers' own languages, each survey answered, every one finished.
    assert Counter(surveys[r.survey_id].key for r in found).keys() == by_key.keys()
    assert all(r.finished_at is not None and not r.flagged for r in found)
    languages = Counter(r.language for r in found)
    assert languages["sv"] > languages["en"] > 0
    for r in found:
        customer = customers[r.customer_id]  # type: ignore[index]
        assert r.language == customer.locale
        survey = surveys[r.survey_id]
        if survey.touchpoint_id is not None:
            # Tied to the festival-goer's own encounter, answered after it.
            event = events[r.event_key]  # type: ignore[index]
            assert event.customer_id == customer.id
            assert event.touchpoint_id == survey.touchpoint_id
            assert _utc(event.occurred_at) < _utc(r.finished_at)  # type: ignore[arg-type]
        assert _utc(r.finished_at) <= REFERENCE_DATE  # type: ignore[arg-type]
        text = r.answers.get("comment")
        if text is not None:
            topic = touchpoints.get(survey.touchpoint_id, "relationship")  # type: ignore[arg-type]
            tone = next(k for k, v in NORDIC_COMMENTS[topic].items() if v[r.language] == text)
            score = _festival_score(r.answers)
            assert (score <= 6) if tone == "complaint" else (score >= 9), (text, r.answers)

    # The analytics read its measures: the pair at both touchpoints and the NPS.
    for key in ("venue.entry", "event.show"):
        assert roles[(key, "expectation")] == roles[(key, "experience")] > 0
    assert roles[(None, "nps")] > 0


def _festival_score(answers: dict[str, Any]) -> float:
    """The NPS, or the experience on the same 0–10 footing (1–5 → 0–10)."""
    if "nps" in answers:
        return float(answers["nps"])
    pair = answers.get("entry") or answers["concert"]
    return (pair["experienced"] - 1) * 2.5


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
