"""The programme's jobs: reminders of overdue journey walkthroughs."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.jobs import current_job, enqueue, periodic, task
from kohtaamo.kit.clock import utcnow
from kohtaamo.programme import walkthroughs
from kohtaamo.programme.models import Walkthrough

SCAN_TASK = "programme.walkthrough_reminders"
REMIND_TASK = "programme.walkthrough_remind"
EVERY = timedelta(minutes=15)


@periodic(SCAN_TASK, every=EVERY)
def walkthrough_reminders(session: Session, payload: dict[str, Any]) -> None:
    """Give each organisation with an overdue walk its reminder job (one per slot)."""
    today = utcnow().date()
    slot = int(utcnow().timestamp() // EVERY.total_seconds())
    orgs: list[uuid.UUID] = sorted(
        set(
            session.scalars(
                select(Walkthrough.organisation_id).where(
                    Walkthrough.active.is_(True), Walkthrough.next_due < today
                )
            )
        )
    )
    for org_id in orgs:
        enqueue(
            session,
            REMIND_TASK,
            {},
            organisation_id=org_id,
            dedupe_key=f"{REMIND_TASK}:{org_id}:{slot}",
        )


@task(REMIND_TASK, max_attempts=5, backoff=timedelta(seconds=30))
def walkthrough_remind(session: Session, payload: dict[str, Any]) -> None:
    walkthroughs.remind_overdue(
        session, today=utcnow().date(), base_url=current_job().settings.base_url
    )
