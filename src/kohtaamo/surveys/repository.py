"""Queries of survey data. ORM queries are scoped to the session's tenant by
``storage.tenancy``; the one cross-tenant lookup (a public link's slug) says so."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kohtaamo.journeys.models import Customer, Touchpoint
from kohtaamo.kit.pagination import Page, PageRequest
from kohtaamo.surveys.models import (
    Survey,
    SurveyInvitation,
    SurveyResponse,
    SurveyTrigger,
    SurveyVersion,
)


def survey(session: Session, survey_id: uuid.UUID) -> Survey | None:
    return session.scalar(select(Survey).where(Survey.id == survey_id))


def survey_by_key(session: Session, key: str) -> Survey | None:
    return session.scalar(select(Survey).where(Survey.key == key))


def surveys(session: Session, *, status: str | None = None) -> list[Survey]:
    stmt = select(Survey).order_by(Survey.name)
    if status is not None:
        stmt = stmt.where(Survey.status == status)
    return list(session.scalars(stmt))


def organisation_of_slug(session: Session, slug: str) -> uuid.UUID | None:
    """Which organisation a public link belongs to: the one lookup before a tenant is known."""
    return session.scalar(
        select(Survey.organisation_id)
        .where(Survey.slug == slug)
        .execution_options(all_tenants="a public survey link names its organisation")
    )


def survey_by_slug(session: Session, slug: str) -> Survey | None:
    return session.scalar(select(Survey).where(Survey.slug == slug))


def version(session: Session, survey_id: uuid.UUID, number: int) -> SurveyVersion | None:
    return session.scalar(
        select(SurveyVersion).where(
            SurveyVersion.survey_id == survey_id, SurveyVersion.number == number
        )
    )


def latest_version(session: Session, survey_id: uuid.UUID) -> SurveyVersion | None:
    return session.scalar(
        select(SurveyVersion)
        .where(SurveyVersion.survey_id == survey_id)
        .order_by(SurveyVersion.number.desc())
        .limit(1)
    )


def versions(session: Session, survey_id: uuid.UUID) -> list[SurveyVersion]:
    return list(
        session.scalars(
            select(SurveyVersion)
            .where(SurveyVersion.survey_id == survey_id)
            .order_by(SurveyVersion.number)
        )
    )


def version_by_id(session: Session, version_id: uuid.UUID) -> SurveyVersion | None:
    return session.scalar(select(SurveyVersion).where(SurveyVersion.id == version_id))


def response(session: Session, response_id: uuid.UUID) -> SurveyResponse | None:
    return session.scalar(select(SurveyResponse).where(SurveyResponse.id == response_id))


def response_by_idempotency_key(session: Session, key: str) -> SurveyResponse | None:
    return session.scalar(select(SurveyResponse).where(SurveyResponse.idempotency_key == key))


def response_by_resume_hash(session: Session, resume_hash: str) -> SurveyResponse | None:
    return session.scalar(select(SurveyResponse).where(SurveyResponse.resume_hash == resume_hash))


def response_of_invitation(session: Session, invitation_id: uuid.UUID) -> SurveyResponse | None:
    return session.scalar(
        select(SurveyResponse).where(SurveyResponse.invitation_id == invitation_id)
    )


def response_counts(session: Session) -> dict[uuid.UUID, tuple[int, int]]:
    """Per survey: (finished responses, partial responses)."""
    rows = session.execute(
        select(
            SurveyResponse.survey_id,
            func.count(SurveyResponse.finished_at),
            func.count() - func.count(SurveyResponse.finished_at),
        ).group_by(SurveyResponse.survey_id)
    )
    return {sid: (int(done), int(partial)) for sid, done, partial in rows}


def invitation_by_token_hash(session: Session, token_hash: str) -> SurveyInvitation | None:
    return session.scalar(select(SurveyInvitation).where(SurveyInvitation.token_hash == token_hash))


def touchpoint_ids(session: Session, keys: set[str]) -> dict[str, uuid.UUID]:
    """Ids of the touchpoints with these keys (only those: a catalogue may be large)."""
    if not keys:
        return {}
    stmt = select(Touchpoint.key, Touchpoint.id).where(Touchpoint.key.in_(sorted(keys)))
    return {key: tid for key, tid in session.execute(stmt)}


def triggers_for_touchpoints(
    session: Session, touchpoint_ids: set[uuid.UUID]
) -> list[SurveyTrigger]:
    if not touchpoint_ids:
        return []
    return list(
        session.scalars(
            select(SurveyTrigger).where(
                SurveyTrigger.touchpoint_id.in_(touchpoint_ids), SurveyTrigger.active.is_(True)
            )
        )
    )


def finished_since(session: Session, survey_id: uuid.UUID, since: datetime) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                SurveyResponse.survey_id == survey_id, SurveyResponse.finished_at >= since
            )
        )
        or 0
    )


@dataclass(frozen=True)
class ResponseFilter:
    """Which responses of a survey to list; ``since``/``until`` bound when each was
    finished (a partial one: last saved), ``until`` exclusive."""

    finished: bool | None = None
    flagged: bool | None = None
    channel: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class ResponseRow:
    response: SurveyResponse
    version: int
    customer: str | None  # the customer's external id


def responses_page(
    session: Session, survey_id: uuid.UUID, filters: ResponseFilter, page: PageRequest
) -> Page[ResponseRow]:
    """A survey's responses, newest first, with their version numbers and customers."""
    when = func.coalesce(SurveyResponse.finished_at, SurveyResponse.updated_at)
    conditions = [SurveyResponse.survey_id == survey_id]
    if filters.finished is not None:
        done = SurveyResponse.finished_at.is_not(None)
        conditions.append(done if filters.finished else SurveyResponse.finished_at.is_(None))
    if filters.flagged is not None:
        conditions.append(SurveyResponse.flagged.is_(filters.flagged))
    if filters.channel is not None:
        conditions.append(SurveyResponse.channel == filters.channel)
    if filters.since is not None:
        conditions.append(when >= filters.since)
    if filters.until is not None:
        conditions.append(when < filters.until)
    total = session.scalar(select(func.count()).select_from(SurveyResponse).where(*conditions))
    rows = session.execute(
        select(SurveyResponse, SurveyVersion.number, Customer.external_id)
        .join(SurveyVersion, SurveyVersion.id == SurveyResponse.version_id)
        .outerjoin(Customer, Customer.id == SurveyResponse.customer_id)
        .where(*conditions)
        .order_by(when.desc(), SurveyResponse.id)
        .limit(page.limit)
        .offset(page.offset)
    )
    items = [ResponseRow(r, int(n), ext) for r, n, ext in rows]
    return Page(items, int(total or 0), page.limit, page.offset)
