"""The embedded runner: a thread that wakes on commit, started and stopped by the app."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi.testclient import TestClient

from kohtaamo.app import create_app
from kohtaamo.config import Settings
from kohtaamo.jobs import JobStatus, enqueue, job_status
from kohtaamo.jobs.runner import Runner
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from tests.jobs.conftest import effects, wait_for


def test_the_runner_wakes_on_commit_without_waiting_for_a_poll(
    jobs_db: Database, make_runner: Callable[..., Runner]
) -> None:
    runner = make_runner(poll_interval=60)
    runner.start()
    runner.start()  # idempotent
    time.sleep(0.2)  # let it reach its idle wait

    started = time.monotonic()
    with jobs_db.transaction(ALL_TENANTS) as session:
        enqueue(session, "test.effect", {"key": "woken"})
    wait_for(lambda: bool(effects(jobs_db, "woken")), 5, "the job")
    assert time.monotonic() - started < 5  # far below the 60 s poll

    runner.stop()
    runner.stop()  # idempotent
    assert not runner.running


def test_stop_waits_for_the_running_job(
    jobs_db: Database, make_runner: Callable[..., Runner]
) -> None:
    runner = make_runner()
    with jobs_db.transaction(ALL_TENANTS) as session:
        job_id = enqueue(session, "test.effect", {"key": "slow", "sleep": 0.5})
    runner.start()
    wait_for(lambda: _status(jobs_db, job_id) == JobStatus.RUNNING, 5, "running")
    runner.stop()
    assert _status(jobs_db, job_id) == JobStatus.DONE
    assert effects(jobs_db, "slow") == [("slow", 1)]


def _status(db: Database, job_id: object) -> JobStatus | None:
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        return job_status(session, job_id)  # type: ignore[arg-type]


def test_the_app_runs_jobs_in_process_in_embedded_mode(
    jobs_db: Database, settings: Settings
) -> None:
    embedded = settings.model_copy(update={"jobs_mode": "embedded"})
    app = create_app(embedded, jobs_db)
    runner = app.state.job_runner
    assert isinstance(runner, Runner) and not runner.running

    with TestClient(app):
        assert runner.running  # started by the lifespan
        with jobs_db.transaction(ALL_TENANTS) as session:
            enqueue(session, "test.effect", {"key": "via-app"})
        wait_for(lambda: bool(effects(jobs_db, "via-app")), 10, "the job")
    assert not runner.running  # stopped with the app

    assert effects(jobs_db, "via-app") == [("via-app", 1)]


def test_other_modes_start_no_runner(jobs_db: Database, settings: Settings) -> None:
    for mode in ("worker", "off"):
        app = create_app(settings.model_copy(update={"jobs_mode": mode}), jobs_db)
        assert getattr(app.state, "job_runner", None) is None
