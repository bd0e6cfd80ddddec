"""The outbox's own housekeeping."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from kohtaamo.jobs.models import Job, JobStatus
from kohtaamo.jobs.registry import periodic, schedules
from kohtaamo.kit.clock import utcnow

KEEP_DONE = timedelta(days=7)
KEEP_FAILED = timedelta(days=30)


@periodic("jobs.prune", every=timedelta(hours=1))
def prune(session: Session, payload: dict[str, Any]) -> None:
    """Forget finished jobs: done ones after a week, failed ones after a month."""
    now = utcnow()
    # A done periodic job holds its slot's dedupe key: keep it while the slot can recur.
    longest = max((s.every for s in schedules()), default=timedelta(0))
    keep_done = max(KEEP_DONE, 2 * longest)
    for status, keep in ((JobStatus.DONE, keep_done), (JobStatus.FAILED, KEEP_FAILED)):
        session.execute(
            delete(Job)
            .where(Job.status == status, Job.finished_at < now - keep)
            .execution_options(synchronize_session=False)
        )
