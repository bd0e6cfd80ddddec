"""Periodic jobs: one per slot, even with several schedulers at once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from kohtaamo.jobs import Job
from kohtaamo.jobs.registry import Schedule, schedules
from kohtaamo.jobs.scheduler import Scheduler, slot_start
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS

EVERY_MINUTE = Schedule("test.effect", timedelta(minutes=1))


def test_slots_are_aligned_to_the_epoch() -> None:
    now = datetime(2026, 3, 1, 12, 34, 56, tzinfo=UTC)
    assert slot_start(EVERY_MINUTE, now) == datetime(2026, 3, 1, 12, 34, tzinfo=UTC)
    hourly = Schedule("x", timedelta(hours=1))
    assert slot_start(hourly, now) == datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_built_in_housekeeping_is_scheduled() -> None:
    from kohtaamo.jobs.registry import discover

    discover()
    assert "jobs.prune" in {s.task for s in schedules()}


def _jobs(db: Database) -> list[Job]:
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        jobs = list(session.execute(select(Job).order_by(Job.run_after)).scalars())
        session.expunge_all()  # keep them readable after the read-only rollback
        return jobs


def test_two_schedulers_enqueue_each_slot_once(jobs_db: Database) -> None:
    now = datetime(2026, 3, 1, 12, 0, 30, tzinfo=UTC)
    schedulers = [Scheduler(jobs_db, [EVERY_MINUTE]) for _ in range(4)]
    added: list[int] = []
    start = threading.Barrier(len(schedulers))

    def tick(scheduler: Scheduler) -> None:
        start.wait()
        added.append(scheduler.tick(now))

    threads = [threading.Thread(target=tick, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(added) == [0, 0, 0, 1]
    # Ticking again within the slot adds nothing; the next slot adds one more.
    assert schedulers[0].tick(now + timedelta(seconds=20)) == 0
    assert Scheduler(jobs_db, [EVERY_MINUTE]).tick(now + timedelta(seconds=20)) == 0
    assert schedulers[1].tick(now + timedelta(minutes=1)) == 1

    jobs = _jobs(jobs_db)
    assert [j.run_after for j in jobs] == [
        datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
        datetime(2026, 3, 1, 12, 1, tzinfo=UTC),
    ]
    assert all(j.task == "test.effect" and j.organisation_id is None for j in jobs)
