"""Enqueueing: jobs leave with the commit, never without it, and once per dedupe key."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import select

from kohtaamo.jobs import Job, JobStatus, enqueue, job_status
from kohtaamo.jobs.registry import UnknownTask
from kohtaamo.jobs.runner import Runner
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS, TenancyViolation
from tests.factories import Factory
from tests.jobs.conftest import effects


def test_a_committed_job_runs_once(jobs_db: Database, make_runner: Callable[..., Runner]) -> None:
    with jobs_db.transaction(ALL_TENANTS) as session:
        job_id = enqueue(session, "test.effect", {"key": "committed"})
    assert job_id is not None

    runner = make_runner()
    assert runner.run_pending() == 1
    assert runner.run_pending() == 0

    assert effects(jobs_db, "committed") == [("committed", 1)]
    with jobs_db.transaction(ALL_TENANTS) as session:
        job = session.get_one(Job, job_id)
        assert (job.status, job.attempts, job.last_error) == (JobStatus.DONE, 1, None)
        assert job.finished_at is not None


def test_a_rolled_back_job_never_runs(
    jobs_db: Database, make_runner: Callable[..., Runner]
) -> None:
    with pytest.raises(RuntimeError), jobs_db.transaction(ALL_TENANTS) as session:
        enqueue(session, "test.effect", {"key": "rolled-back"})
        raise RuntimeError("the request failed after enqueueing")

    assert make_runner().run_pending() == 0
    assert effects(jobs_db) == []
    with jobs_db.transaction(ALL_TENANTS) as session:
        assert session.execute(select(Job)).first() is None


def test_a_dedupe_key_admits_one_job(jobs_db: Database) -> None:
    with jobs_db.transaction(ALL_TENANTS) as session:
        first = enqueue(session, "test.effect", {"key": "a"}, dedupe_key="once")
    with jobs_db.transaction(ALL_TENANTS) as session:
        second = enqueue(session, "test.effect", {"key": "b"}, dedupe_key="once")
        # The transaction stays usable after the conflict (no aborted transaction).
        third = enqueue(session, "test.effect", {"key": "c"})
    assert first is not None and second is None and third is not None
    with jobs_db.transaction(ALL_TENANTS) as session:
        assert job_status(session, third) == JobStatus.PENDING
        assert len(session.execute(select(Job)).all()) == 2


def test_unknown_tasks_and_non_json_payloads_are_refused_at_once(jobs_db: Database) -> None:
    with jobs_db.transaction(ALL_TENANTS) as session:
        with pytest.raises(UnknownTask):
            enqueue(session, "no.such.task", {})
        with pytest.raises(TypeError):
            enqueue(session, "test.effect", {"key": object()})


def test_the_handler_session_is_scoped_to_the_jobs_organisation(
    jobs_db: Database, factory: Factory, make_runner: Callable[..., Runner]
) -> None:
    org = factory.organisation()
    with jobs_db.transaction(org.id) as session:
        scoped = enqueue(session, "test.tenant", {"key": "scoped"})
    with jobs_db.transaction(ALL_TENANTS) as session:
        enqueue(session, "test.tenant", {"key": "system"})

    make_runner().run_pending()

    assert {key for key, _ in effects(jobs_db)} == {f"scoped:{org.id}", "system:ALL_TENANTS"}
    with jobs_db.transaction(ALL_TENANTS) as session:
        assert session.get_one(Job, scoped).organisation_id == org.id


def test_a_tenant_session_cannot_enqueue_for_another_organisation(
    jobs_db: Database, factory: Factory
) -> None:
    org = factory.organisation()
    with pytest.raises(TenancyViolation), jobs_db.transaction(org.id) as session:
        enqueue(session, "test.effect", {"key": "x"}, organisation_id=uuid.uuid4())
