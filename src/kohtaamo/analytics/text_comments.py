"""Survey comments into text analytics: the glue between the survey and text domains
(which may not import each other; analytics sits above both).

- :func:`observer` is subscribed to finished responses (see ``app.py``): after a
  response commits it stores the response's comment answers, redacted, in a new
  transaction of the organisation, which also enqueues their ``text.analyse`` job.
  A crash between the two commits loses only the prompt analysis, not the comment:
  ``kohtaamo text reanalyze`` picks up every finished response.
- :func:`history` gives every finished, unflagged response's comments, for the batch.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.storage.db import Database
from kohtaamo.surveys import repository as survey_repo
from kohtaamo.surveys.catalogue import MeasureRole, QuestionType
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.models import SurveyMeasure, SurveyResponse, SurveyVersion
from kohtaamo.surveys.responses import FinishedResponse, Observer
from kohtaamo.text.service import CommentIn, submit_comments

log = logging.getLogger("kohtaamo.text")

RATING_ROLES = ("nps", "csat")  # the evidence learning reads, in order of preference
HISTORY_BATCH = 500


def _comment_questions(definition: SurveyDefinition) -> list[Any]:
    return [
        q
        for q in definition.questions()
        if q.type is QuestionType.TEXT and q.measure_role() is MeasureRole.COMMENT
    ]


def response_comments(
    session: Session,
    response: SurveyResponse,
    definitions: dict[uuid.UUID, SurveyDefinition] | None = None,
    prefetched: dict[uuid.UUID, dict[str, float]] | None = None,
    touchpoint_cache: dict[str, uuid.UUID | None] | None = None,
) -> list[CommentIn]:
    """The comment answers of one finished response, with their context (``history``
    passes its batch's ratings and a touchpoint cache, to spare a query a response)."""
    if response.finished_at is None or response.flagged:
        return []
    definitions = definitions if definitions is not None else {}
    definition = definitions.get(response.version_id)
    if definition is None:
        version = session.scalar(
            select(SurveyVersion).where(SurveyVersion.id == response.version_id)
        )
        if version is None:
            return []
        definition = SurveyDefinition.model_validate(version.definition)
        definitions[response.version_id] = definition
    questions = [
        q for q in _comment_questions(definition)
        if isinstance(response.answers.get(q.key), str) and response.answers[q.key].strip()
    ]  # fmt: skip
    if not questions:
        return []
    if prefetched is not None:
        ratings = prefetched.get(response.id, {})
    else:
        ratings = _ratings(session, [response.id]).get(response.id, {})
    role = next((r for r in RATING_ROLES if r in ratings), None)
    wanted = {q.touchpoint for q in questions if q.touchpoint}
    cache: dict[str, uuid.UUID | None] = touchpoint_cache if touchpoint_cache is not None else {}
    if not wanted <= cache.keys():
        found = survey_repo.touchpoint_ids(session, wanted - cache.keys())
        cache.update({k: found.get(k) for k in wanted - cache.keys()})
    touchpoints = {k: v for k in wanted if (v := cache[k]) is not None}
    return [
        CommentIn(
            text=response.answers[q.key],
            source="response",
            response_id=response.id,
            question_key=q.key,
            survey_id=response.survey_id,
            touchpoint_id=touchpoints.get(q.touchpoint) if q.touchpoint else response.touchpoint_id,
            customer_id=response.customer_id,
            survey_language=response.language,
            answered_at=response.finished_at,
            rating_role=role,
            rating_value=ratings.get(role) if role else None,
        )
        for q in questions
    ]


def submit_response(session: Session, response_id: uuid.UUID) -> list[uuid.UUID]:
    """Store one response's comments and enqueue their analysis (this transaction)."""
    response = session.scalar(select(SurveyResponse).where(SurveyResponse.id == response_id))
    if response is None:
        return []
    return submit_comments(session, response_comments(session, response))


def observer(db: Database) -> Observer:
    """The finished-response observer that sends comments to text analytics."""

    def observe(event: FinishedResponse) -> None:
        try:
            with db.transaction(event.organisation_id) as session:
                submit_response(session, event.response_id)
        except Exception:  # the response is stored; the batch can analyse it later
            log.exception("could not queue the comments of response %s", event.response_id)

    return observe


def history(session: Session) -> Iterator[list[CommentIn]]:
    """Every finished, unflagged response's comments, a batch of responses at a time."""
    definitions: dict[uuid.UUID, SurveyDefinition] = {}
    touchpoints: dict[str, uuid.UUID | None] = {}
    last: uuid.UUID | None = None
    while True:
        stmt = (
            select(SurveyResponse)
            .where(SurveyResponse.finished_at.is_not(None), SurveyResponse.flagged.is_(False))
            .order_by(SurveyResponse.id)
            .limit(HISTORY_BATCH)
        )
        if last is not None:
            stmt = stmt.where(SurveyResponse.id > last)
        batch = session.scalars(stmt).all()
        if not batch:
            return
        last = batch[-1].id
        found: list[CommentIn] = []
        ratings = _ratings(session, [r.id for r in batch])
        for response in batch:
            found.extend(response_comments(session, response, definitions, ratings, touchpoints))
        yield found


def _ratings(session: Session, response_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, float]]:
    """The rating measures (nps, csat) of these responses, by response."""
    found: dict[uuid.UUID, dict[str, float]] = {}
    if not response_ids:
        return found
    rows = session.execute(
        select(SurveyMeasure.response_id, SurveyMeasure.role, SurveyMeasure.value).where(
            SurveyMeasure.response_id.in_(response_ids), SurveyMeasure.role.in_(RATING_ROLES)
        )
    )
    for response_id, role, value in rows:
        found.setdefault(response_id, {})[role] = value
    return found
