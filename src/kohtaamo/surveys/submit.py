"""Store one submission in a unit of work of its own, returning plain data after commit.

Every request storing a response used to hold SQLite's single write lock across its
whole transaction and fsync, so concurrent respondents queued on the busy handler (about
25 finished responses a second, and "database is locked" after the busy timeout). Here,
on SQLite, :func:`store_submission` joins concurrent callers' submissions in one
transaction and one commit (:mod:`kohtaamo.storage.groupcommit`, as the events API
does); on PostgreSQL each call has its own transaction, since PostgreSQL commits
concurrent transactions in parallel.

Callers do everything that needs no write lock first (slug lookup, origin, rate limits,
body parsing). The unit loads the survey itself and returns a :class:`SubmitResult`: no
ORM object leaves it, since the shared session serves other tenants' units next. A unit
may run twice (a group transaction that fails is retried unit by unit): ``do_submit``'s
idempotency key and the database's unique constraints keep that safe.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kohtaamo.errors import Conflict, NotFound
from kohtaamo.journeys.models import Customer
from kohtaamo.storage.db import Database
from kohtaamo.storage.groupcommit import group_commit
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.models import Survey, SurveyInvitation, SurveyResponse
from kohtaamo.surveys.responses import Submission, do_submit, live_document

# A submission, or how to make one inside the unit (e.g. one naming an invitation that
# must be loaded, and changed, in the unit's own session).
SubmissionOf = Submission | Callable[[Session, Survey], Submission]


@dataclass(frozen=True)
class SubmitResult:
    """The stored response as it was committed."""

    response_id: uuid.UUID
    survey_id: uuid.UUID
    version: int  # the number of the version the response answers
    channel: str
    language: str
    answers: dict[str, Any]
    customer: str | None  # the customer's external id
    started_at: datetime
    finished_at: datetime | None
    flagged: bool
    flag_reason: str | None
    created: bool  # False: a retry (same idempotency key) or a continued response
    definition: SurveyDefinition  # the survey's live definition (say, for its thanks text)

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


def store_submission(
    db: Database, tenant: uuid.UUID, survey_id: uuid.UUID, sub: SubmissionOf
) -> SubmitResult:
    """``do_submit`` for ``tenant``'s survey ``survey_id``, committed when this returns.

    Raises what ``do_submit`` raises (InvalidInput, NotFound, Gone, Conflict), and
    NotFound for an unknown survey.
    """

    def work(session: Session) -> SubmitResult:
        return _submit_in(session, survey_id, sub)

    def run() -> SubmitResult:
        if db.dialect == "sqlite":
            return group_commit(db).run(tenant, work)
        with db.transaction(tenant) as session:
            return work(session)

    try:
        return run()
    except Conflict:
        if not _keyed(sub):
            raise
        # Two posts with one key at once (PostgreSQL): the loser's insert hit the unique
        # key. Once more: it now finds the winner's response and answers as a retry.
        return run()


def _keyed(sub: SubmissionOf) -> bool:
    return isinstance(sub, Submission) and sub.idempotency_key is not None


def _submit_in(session: Session, survey_id: uuid.UUID, sub: SubmissionOf) -> SubmitResult:
    survey = repo.survey(session, survey_id)
    if survey is None:
        raise NotFound("No such survey.")
    if callable(sub):
        sub = sub(session, survey)
    elif sub.invitation is not None:
        # An instance loaded by another session: this session's own copy gets changed.
        own = session.get(SurveyInvitation, sub.invitation.id)
        if own is None:  # pragma: no cover - deleted since the caller read it
            raise NotFound("No such survey.")
        sub = dataclasses.replace(sub, invitation=own)
    stored, created = do_submit(session, survey, sub)
    live_id, definition = live_document(session, survey)
    return SubmitResult(
        response_id=stored.id,
        survey_id=survey.id,
        version=_version_number(session, survey, stored, live_id),
        channel=stored.channel,
        language=stored.language,
        answers=dict(stored.answers or {}),
        customer=_customer(session, stored, sub, created),
        started_at=stored.started_at,
        finished_at=stored.finished_at,
        flagged=bool(stored.flagged),
        flag_reason=stored.flag_reason,
        created=created,
        definition=definition,
    )


def _version_number(
    session: Session, survey: Survey, stored: SurveyResponse, live_id: uuid.UUID
) -> int:
    if stored.version_id == live_id and survey.live_version is not None:
        return survey.live_version  # the common case, without a query
    found = repo.version_by_id(session, stored.version_id)
    return found.number if found is not None else 0


def _customer(
    session: Session, stored: SurveyResponse, sub: Submission, created: bool
) -> str | None:
    if stored.customer_id is None:
        return None
    if created and sub.customer_external_id is not None:
        return sub.customer_external_id
    row = session.get(Customer, stored.customer_id)
    return row.external_id if row is not None else None
