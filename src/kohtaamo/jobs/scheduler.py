"""Periodic jobs: one job per schedule and time slot, however many processes tick.

Slots are aligned to the Unix epoch in UTC, so every process computes the same slot
and the same ``dedupe_key``; the outbox's unique key lets only one of them in. A slot
missed while nothing ran is not caught up: the next slot runs as usual.
"""

from __future__ import annotations

from datetime import UTC, datetime

from kohtaamo.jobs.outbox import enqueue
from kohtaamo.jobs.registry import Schedule, schedules
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def slot_start(schedule: Schedule, now: datetime) -> datetime:
    slots = (now - EPOCH) // schedule.every
    return EPOCH + slots * schedule.every


def slot_key(schedule: Schedule, start: datetime) -> str:
    return f"periodic:{schedule.task}:{start.strftime('%Y%m%dT%H%M%SZ')}"


class Scheduler:
    """Enqueues the current slot of each schedule; remembers slots it already did."""

    def __init__(self, db: Database, only: list[Schedule] | None = None) -> None:
        self.db = db
        self.only = only  # default: every registered schedule
        self._done: dict[str, datetime] = {}

    def tick(self, now: datetime | None = None) -> int:
        """Enqueue what is due now; returns how many jobs this call added."""
        now = now or utcnow()
        due = [
            (schedule, slot_start(schedule, now))
            for schedule in (self.only if self.only is not None else schedules())
            if self._done.get(schedule.task) != slot_start(schedule, now)
        ]
        if not due:
            return 0
        added = 0
        with self.db.transaction(ALL_TENANTS) as session:
            for schedule, start in due:
                job = enqueue(
                    session,
                    schedule.task,
                    {},
                    run_after=start,
                    dedupe_key=slot_key(schedule, start),
                )
                added += job is not None
        for schedule, start in due:
            self._done[schedule.task] = start
        return added
