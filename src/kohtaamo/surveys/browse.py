"""Reading responses for the staff pages: the filtered, paged list and one response.

Queries go through the session, so ``storage.tenancy`` scopes them to the caller's
organisation; a response is found only through its own survey, so a response id of
another survey (or organisation) is "not found".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.errors import NotFound
from kohtaamo.journeys.models import Customer, Touchpoint
from kohtaamo.surveys import service
from kohtaamo.surveys.catalogue import QuestionType
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.models import SurveyResponse, SurveyVersion

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class ResponseFilter:
    status: Literal["", "finished", "partial"] = ""
    flagged: Literal["", "yes", "no"] = ""
    channel: str = ""
    language: str = ""
    start: datetime | None = None  # started at or after
    end: datetime | None = None  # started before
    touchpoint_id: uuid.UUID | None = None
    text: str = ""  # in open comments (only for readers who may see them)


@dataclass(frozen=True)
class ResponseRow:
    response: SurveyResponse
    version: int
    customer: str | None
    touchpoint: str | None  # the touchpoint's key


@dataclass(frozen=True)
class ResponsePage:
    rows: list[ResponseRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def last_response_at(session: Session) -> dict[uuid.UUID, datetime]:
    """Per survey: when a respondent last saved or finished an answer."""
    rows = session.execute(
        select(SurveyResponse.survey_id, func.max(SurveyResponse.updated_at)).group_by(
            SurveyResponse.survey_id
        )
    )
    return {sid: at for sid, at in rows if at is not None}


def text_question_keys(session: Session, survey_id: uuid.UUID) -> set[str]:
    """Keys of the open-comment questions of every version of a survey."""
    keys: set[str] = set()
    for doc in session.scalars(
        select(SurveyVersion.definition).where(SurveyVersion.survey_id == survey_id)
    ):
        definition = SurveyDefinition.model_validate(doc)
        keys |= {q.key for q in definition.questions() if q.type is QuestionType.TEXT}
    return keys


def _filtered(stmt: Any, survey_id: uuid.UUID, f: ResponseFilter) -> Any:
    r = SurveyResponse
    stmt = stmt.where(r.survey_id == survey_id)
    if f.status == "finished":
        stmt = stmt.where(r.finished_at.is_not(None))
    elif f.status == "partial":
        stmt = stmt.where(r.finished_at.is_(None))
    if f.flagged:
        stmt = stmt.where(r.flagged.is_(f.flagged == "yes"))
    if f.channel:
        stmt = stmt.where(r.channel == f.channel)
    if f.language:
        stmt = stmt.where(r.language == f.language)
    if f.start is not None:
        stmt = stmt.where(r.started_at >= f.start)
    if f.end is not None:
        stmt = stmt.where(r.started_at < f.end)
    if f.touchpoint_id is not None:
        stmt = stmt.where(r.touchpoint_id == f.touchpoint_id)
    return stmt


def _matching_text(
    session: Session, survey_id: uuid.UUID, f: ResponseFilter, keys: set[str]
) -> list[uuid.UUID]:
    """Ids (newest first) of responses whose open comments contain ``f.text``.

    Comments live in a JSON document whose text form differs between databases, so
    the match is made here on the answers, read in batches of two columns.
    """
    needle = f.text.casefold()
    stmt = _filtered(select(SurveyResponse.id, SurveyResponse.answers), survey_id, f)
    stmt = stmt.order_by(SurveyResponse.started_at.desc(), SurveyResponse.id.desc())
    found = []
    for rid, answers in session.execute(stmt.execution_options(yield_per=1000)):
        for key in keys:
            value = (answers or {}).get(key)
            if isinstance(value, str) and needle in value.casefold():
                found.append(rid)
                break
    return found


def list_responses(
    session: Session,
    actor: Actor,
    survey_id: uuid.UUID,
    f: ResponseFilter,
    *,
    page: int = 1,
    per_page: int = 50,
) -> ResponsePage:
    """A page of a survey's responses, newest first (``f.text`` needs ``text.view``)."""
    service.get_survey(session, actor, survey_id)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    r = SurveyResponse
    base = (
        select(r, SurveyVersion.number, Customer.external_id, Touchpoint.key)
        .join(SurveyVersion, SurveyVersion.id == r.version_id)
        .outerjoin(Customer, Customer.id == r.customer_id)
        .outerjoin(Touchpoint, Touchpoint.id == r.touchpoint_id)
    )
    if f.text.strip():
        actor.require("text.view")
        ids = _matching_text(session, survey_id, f, text_question_keys(session, survey_id))
        total = len(ids)
        wanted = ids[(page - 1) * per_page : page * per_page]
        stmt = base.where(r.id.in_(wanted)) if wanted else None
    else:
        total = int(
            session.scalar(_filtered(select(func.count()).select_from(r), survey_id, f)) or 0
        )
        stmt = (
            _filtered(base, survey_id, f)
            .order_by(r.started_at.desc(), r.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    rows = [] if stmt is None else list(session.execute(stmt))
    out = [ResponseRow(resp, number, cust, tp) for resp, number, cust, tp in rows]
    out.sort(key=lambda row: (row.response.started_at, str(row.response.id)), reverse=True)
    return ResponsePage(out, total, page, per_page)


def get_response(
    session: Session, actor: Actor, survey_id: uuid.UUID, response_id: uuid.UUID
) -> ResponseRow:
    """One response of one survey (NotFound if it belongs to another survey)."""
    service.get_survey(session, actor, survey_id)
    r = SurveyResponse
    found = session.execute(
        select(r, SurveyVersion.number, Customer.external_id, Touchpoint.key)
        .join(SurveyVersion, SurveyVersion.id == r.version_id)
        .outerjoin(Customer, Customer.id == r.customer_id)
        .outerjoin(Touchpoint, Touchpoint.id == r.touchpoint_id)
        .where(r.id == response_id, r.survey_id == survey_id)
    ).first()
    if found is None:
        raise NotFound("No such response.")
    resp, number, cust, tp = found
    return ResponseRow(resp, number, cust, tp)


def definition_of_version(session: Session, version_id: uuid.UUID) -> SurveyDefinition:
    doc = session.scalar(select(SurveyVersion.definition).where(SurveyVersion.id == version_id))
    if doc is None:  # pragma: no cover - a response always points at a stored version
        raise NotFound("No such survey version.")
    return SurveyDefinition.model_validate(doc)
