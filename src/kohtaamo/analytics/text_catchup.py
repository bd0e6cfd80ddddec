"""Catching up on comments the prompt path lost.

A finished response's comments reach text analytics through an observer that runs after
the response commits (``text_comments.observer``), and a stored comment is analysed by
the job its transaction enqueued. A process that dies between the two commits loses the
comments of that response; a ``text.analyse`` job that failed for good leaves its
comments unanalysed. Every :data:`EVERY` the system job ``text.catchup_scan`` looks for
both, across organisations:

- finished, unflagged responses of the last :data:`LOOKBACK` (older than :data:`GRACE`,
  so the observer had its chance) with a comment written and none stored (responses of
  survey versions without comment questions are not even loaded);
- stored comments never analysed, older than :data:`GRACE`, where the organisation has
  no ``text.analyse`` job waiting or running (those will do it);

and gives each organisation found a ``text.catchup`` job, which stores and analyses them
(:data:`LIMIT` at a time; it enqueues itself again while more remain). Storing and
analysing replace earlier results, so running twice does no harm. Older history is the
batch's (``kohtaamo text reanalyze``).

Here, not in ``text``: finding a response's comments needs the survey definitions, and
text and surveys may not import each other.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from kohtaamo.analytics import text_comments
from kohtaamo.jobs import enqueue, periodic, task
from kohtaamo.jobs.models import Job, JobStatus
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.tenancy import require_tenant
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.models import SurveyResponse, SurveyVersion
from kohtaamo.text.models import CommentAnalysis
from kohtaamo.text.service import Analyser, analyse, submit_comments
from kohtaamo.text.tasks import ANALYSE_TASK

SCAN_TASK = "text.catchup_scan"
CATCHUP_TASK = "text.catchup"
EVERY = timedelta(minutes=10)
GRACE = timedelta(minutes=1)
LOOKBACK = timedelta(days=1)
LIMIT = 1_000
SCAN_LIMIT = 20_000  # responses looked at per scan, oldest first


def _comment_versions(session: Session, version_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """The survey versions among these that have comment questions."""
    if not version_ids:
        return set()
    found = session.execute(
        select(SurveyVersion.id, SurveyVersion.definition).where(SurveyVersion.id.in_(version_ids))
    ).all()
    return {
        vid
        for vid, definition in found
        if text_comments._comment_questions(SurveyDefinition.model_validate(definition))
    }


def _lost_responses(session: Session, now: datetime, limit: int) -> tuple[list[Any], bool]:
    """Finished responses in the window with a comment answered but none stored, and
    whether the window holds more candidates than ``limit``."""
    candidates = session.execute(
        select(SurveyResponse.id, SurveyResponse.version_id)
        .where(
            SurveyResponse.finished_at.is_not(None),
            SurveyResponse.finished_at >= now - LOOKBACK,
            SurveyResponse.finished_at < now - GRACE,
            SurveyResponse.flagged.is_(False),
            ~exists().where(CommentAnalysis.response_id == SurveyResponse.id),
        )
        .order_by(SurveyResponse.finished_at)
        .limit(limit)
    ).all()
    versions = _comment_versions(session, {v for _, v in candidates})
    wanted = [rid for rid, version in candidates if version in versions]
    found = []
    definitions: dict[uuid.UUID, SurveyDefinition] = {}
    if wanted:
        for response in session.scalars(
            select(SurveyResponse).where(SurveyResponse.id.in_(wanted))
        ):
            # Without ratings (prefetched empty): only whether a comment was written.
            if text_comments.response_comments(session, response, definitions, {}):
                found.append(response)
    return found, len(candidates) == limit


def _analysing(session: Session, org_ids: set[uuid.UUID] | None = None) -> set[uuid.UUID]:
    """Organisations with a ``text.analyse`` job waiting or running."""
    stmt = select(Job.organisation_id).where(
        Job.task == ANALYSE_TASK, Job.status.in_((JobStatus.PENDING, JobStatus.RUNNING))
    )
    if org_ids is not None:
        stmt = stmt.where(Job.organisation_id.in_(org_ids))
    return {o for o in session.scalars(stmt.distinct()) if o is not None}


def organisations_behind(session: Session, now: datetime) -> set[uuid.UUID]:
    """The organisations with lost or unanalysed comments (an all-tenants session)."""
    lost, _ = _lost_responses(session, now, SCAN_LIMIT)
    unanalysed = set(
        session.scalars(
            select(CommentAnalysis.organisation_id)
            .where(CommentAnalysis.analysed_at.is_(None), CommentAnalysis.answered_at < now - GRACE)
            .distinct()
        )
    )
    return {r.organisation_id for r in lost} | (unanalysed - _analysing(session, unanalysed))


def catch_up(session: Session, now: datetime, *, limit: int = LIMIT) -> tuple[int, bool]:
    """Store and analyse the organisation's lost comments and analyse its unanalysed
    ones (a tenant session); returns how many comments and whether more remain."""
    lost, more = _lost_responses(session, now, limit)
    ids: list[uuid.UUID] = []
    definitions: dict[uuid.UUID, SurveyDefinition] = {}
    for response in lost:
        comments = text_comments.response_comments(session, response, definitions)
        ids += submit_comments(session, comments, analyse_later=False)
    if not _analysing(session, {require_tenant(session)}):
        stale = list(
            session.scalars(
                select(CommentAnalysis.id)
                .where(
                    CommentAnalysis.analysed_at.is_(None), CommentAnalysis.answered_at < now - GRACE
                )
                .limit(limit)
            )
        )
        more = more or len(stale) == limit
        stored = set(ids)
        ids += [i for i in stale if i not in stored]
    done = analyse(session, ids, Analyser(session)) if ids else 0
    return done, more


@periodic(SCAN_TASK, every=EVERY)
def scan(session: Session, payload: dict[str, Any]) -> None:
    """Give each organisation with comments to catch up on its job (once per slot)."""
    now = utcnow()
    slot = int(now.timestamp() // EVERY.total_seconds())
    for org_id in sorted(organisations_behind(session, now)):
        enqueue(
            session,
            CATCHUP_TASK,
            {},
            organisation_id=org_id,
            dedupe_key=f"{CATCHUP_TASK}:{org_id}:{slot}",
        )


@task(CATCHUP_TASK, max_attempts=3, backoff=timedelta(minutes=1))
def run_catch_up(session: Session, payload: dict[str, Any]) -> None:
    _, more = catch_up(session, utcnow())
    if more:  # the next LIMIT in a job of its own, right after this one commits
        enqueue(session, CATCHUP_TASK, {})
