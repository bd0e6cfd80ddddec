"""Re-applying the theme rules to stored comments after a theme is saved.

Saving or creating a theme (``theme_rules``) enqueues a run (``tasks.enqueue_retheme``).
A run is a chain of ``text.retheme`` jobs: each analyses the next :data:`BATCH` comments
by id (the full analysis, since a theme's sentiment inside a comment needs the
sentences' sentiment) and, in the same transaction, enqueues the job for the batch
after it. A crash re-runs the batch (the analysis replaces its results) and the next
job leaves only with the batch's commit: every comment is done, none twice in a run.

Saving again while a run is under way starts a new run from the first comment; the
older chain sees that the organisation's newest ``text.retheme`` job belongs to another
run and stops. The payload carries the run's progress (``done`` of ``total``), which
the themes page shows from the newest job (:func:`progress`).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.jobs import enqueue
from kohtaamo.jobs.models import Job, JobStatus
from kohtaamo.storage.tenancy import require_tenant
from kohtaamo.text.models import CommentAnalysis
from kohtaamo.text.service import Analyser, analyse
from kohtaamo.text.tasks import RETHEME_TASK

BATCH = 500


def _newest(session: Session) -> Job | None:
    # Jobs are not tenant rows: the organisation is filtered here by hand.
    return session.scalar(
        select(Job)
        .where(Job.organisation_id == require_tenant(session), Job.task == RETHEME_TASK)
        .order_by(Job.created_at.desc(), Job.id.desc())
        .limit(1)
    )


def run_batch(session: Session, payload: dict[str, Any], *, batch: int | None = None) -> int:
    """Analyse the run's next batch and enqueue the one after; returns how many."""
    batch = batch or BATCH
    newest = _newest(session)
    if newest is not None and newest.payload.get("run") != payload.get("run"):
        return 0  # a newer save started its own run
    stmt = select(CommentAnalysis.id).order_by(CommentAnalysis.id).limit(batch)
    after = payload.get("after")
    if after:
        stmt = stmt.where(CommentAnalysis.id > uuid.UUID(after))
    ids = list(session.scalars(stmt))
    if not ids:
        return 0
    done = analyse(session, ids, Analyser(session))
    if len(ids) == batch:
        enqueue(
            session,
            RETHEME_TASK,
            {
                "run": payload.get("run"),
                "after": str(ids[-1]),
                "done": int(payload.get("done", 0)) + done,
                "total": int(payload.get("total", 0)),
            },
        )
    return done


def progress(session: Session) -> int | None:
    """The percentage done of the organisation's run under way, None when none is."""
    newest = _newest(session)
    if newest is None or newest.status not in (JobStatus.PENDING, JobStatus.RUNNING):
        return None
    total = int(newest.payload.get("total") or 0)
    done = int(newest.payload.get("done") or 0)
    if total <= 0:
        return 0
    return min(99, int(100 * done / total))  # comments arriving meanwhile: never "100 %"
