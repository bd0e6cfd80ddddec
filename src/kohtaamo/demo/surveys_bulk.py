"""Writing demo responses fast: the rows ``responses.do_submit`` would write, in bulk.

``do_submit`` costs about 6 ms a response on SQLite (a dozen ORM statements: version and
customer look-ups, a savepoint, the finishing update and refresh, the touchpoint
catalogue, the measures). The demo writes tens of thousands, so it sends a sample and
every flagged response through ``do_submit`` and writes the rest here: the same checks
(:func:`~kohtaamo.surveys.answers.check_answers`), the same measures
(:func:`~kohtaamo.surveys.answers.measures`) and the same column values, inserted with
one ``executemany`` per table. Only plain submissions qualify (no invitation, resume
cookie or idempotency key, not flagged); ``tests/demo/test_demo_surveys.py`` checks
that both ways store identical rows. Observers of finished responses are not notified
for bulk rows (the demo seeds before anything listens).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from kohtaamo.errors import InvalidInput
from kohtaamo.kit.ids import new_id
from kohtaamo.storage.tenancy import require_tenant
from kohtaamo.surveys.answers import check_answers, measures
from kohtaamo.surveys.catalogue import ResponseChannel
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.models import SurveyMeasure, SurveyResponse
from kohtaamo.surveys.responses import Submission


@dataclass(frozen=True)
class LiveSurvey:
    """What writing a response needs of a published survey (ids stay valid across sessions)."""

    id: uuid.UUID
    key: str
    touchpoint_id: uuid.UUID | None
    version_id: uuid.UUID
    definition: SurveyDefinition
    min_seconds: int


def qualifies(survey: LiveSurvey, sub: Submission, now: datetime) -> bool:
    """Whether ``do_submit`` would store ``sub`` plainly (so the bulk path may)."""
    if sub.invitation is not None or sub.resume_hash is not None or sub.idempotency_key:
        return False
    if not sub.finished:
        return True
    if sub.honeypot:
        return False
    if sub.channel in (ResponseChannel.API, ResponseChannel.KIOSK) and sub.started_at is None:
        return True
    started = min(sub.started_at or now, now)
    return (now - started).total_seconds() >= survey.min_seconds


def rows_of(
    survey: LiveSurvey,
    sub: Submission,
    *,
    customer_id: uuid.UUID | None,
    touchpoints: dict[str, uuid.UUID],
    now: datetime,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The response row and measure rows ``do_submit`` would write (without the tenant)."""
    if not qualifies(survey, sub, now):
        raise ValueError("only plain submissions may bypass do_submit")
    clean, problems = check_answers(
        survey.definition, sub.answers, finished=sub.finished, pages=sub.pages
    )
    if problems:
        raise InvalidInput(problems=problems)
    started = min(sub.started_at or now, now)
    response_id = new_id()
    response = {
        "id": response_id,
        "survey_id": survey.id,
        "version_id": survey.version_id,
        "channel": sub.channel.value,
        "language": sub.language,
        "answers": clean,
        "pages_done": sorted(sub.pages or []),
        "context": dict(sub.context),
        "customer_id": customer_id,
        "invitation_id": None,
        "touchpoint_id": survey.touchpoint_id,
        "event_key": sub.event_key,
        "idempotency_key": None,
        "resume_hash": None,
        "client_hash": sub.client_hash,
        "started_at": started,
        "updated_at": now,
        "finished_at": now if sub.finished else None,
        "duration_ms": max(0, int((now - started).total_seconds() * 1000))
        if sub.finished
        else None,
        "flagged": False,
        "flag_reason": None,
    }
    if not sub.finished:
        return response, []
    numbers = [
        {
            "response_id": response_id,
            "survey_id": survey.id,
            "question_key": m.question,
            "role": m.role.value,
            "value": m.value,
            "scale_min": m.scale_min,
            "scale_max": m.scale_max,
            "touchpoint_id": touchpoints.get(m.touchpoint)
            if m.touchpoint
            else survey.touchpoint_id,
            "customer_id": customer_id,
            "answered_at": now,
        }
        for m in measures(survey.definition, clean)
    ]
    return response, numbers


def insert_rows(
    session: Session, responses: list[dict[str, Any]], numbers: list[dict[str, Any]]
) -> None:
    """Insert rows made by :func:`rows_of` for the session's organisation (Core, so the
    tenant is added here, from :func:`require_tenant`)."""
    org = require_tenant(session)
    if responses:
        session.execute(
            insert(cast(Table, SurveyResponse.__table__)),
            [{**row, "organisation_id": org} for row in responses],
        )
    if numbers:
        session.execute(
            insert(cast(Table, SurveyMeasure.__table__)),
            [{**row, "organisation_id": org} for row in numbers],
        )
