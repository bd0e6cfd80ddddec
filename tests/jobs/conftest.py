"""Fixtures for the job tests: an effects table, runners and worker subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from kohtaamo.config import Settings
from kohtaamo.jobs.runner import Runner
from kohtaamo.storage.db import Database
from tests.jobs import sample_tasks

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def _effects_table(_migrated: Database) -> Database:
    with _migrated.engine.begin() as conn:
        conn.execute(text(sample_tasks.EFFECTS_DDL))
    return _migrated


@pytest.fixture
def jobs_db(db: Database, _effects_table: Database) -> Iterator[Database]:
    yield db
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM test_job_effects"))
        if (
            db.dialect == "postgresql"
            and conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar()
        ):
            conn.execute(text("DELETE FROM procrastinate_jobs"))


def effects(db: Database, key: str | None = None) -> list[tuple[str, int]]:
    sql = "SELECT key, attempt FROM test_job_effects"
    with db.engine.connect() as conn:
        if key is None:
            return [tuple(r) for r in conn.execute(text(sql))]
        rows = conn.execute(text(sql + " WHERE key = :key"), {"key": key})
        return [tuple(r) for r in rows]


@pytest.fixture
def make_runner(jobs_db: Database, settings: Settings) -> Iterator[Callable[..., Runner]]:
    made: list[Runner] = []

    def make(**options: object) -> Runner:
        options.setdefault("lease", timedelta(seconds=2))
        options.setdefault("poll_interval", 0.1)
        options.setdefault("schedule", False)
        runner = Runner(jobs_db, settings, **options)  # type: ignore[arg-type]
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.stop(timeout=10)


def wait_for(condition: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or condition}")


def subprocess_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        KOHTAAMO_DATABASE_URL=database_url,
        KOHTAAMO_MODE="test",
        KOHTAAMO_SECRET_KEY="test-secret-0123456789abcdef0123456789abcdef",
        KOHTAAMO_MAIL_BACKEND="memory",
        KOHTAAMO_JOBS_MODE="worker",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "src"), env.get("PYTHONPATH", "")]),
    )
    return env


class Workers:
    """``kohtaamo worker`` subprocesses, killed at the end of the test."""

    def __init__(self, database_url: str, tmp_path: Path) -> None:
        self.database_url = database_url
        self.tmp_path = tmp_path
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str, lease: float = 2.0) -> subprocess.Popen[bytes]:
        log = (self.tmp_path / f"worker-{len(self.procs)}.log").open("wb")
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kohtaamo.cli.main",
                "worker",
                "--import",
                "tests.jobs.sample_tasks",
                "--lease",
                str(lease),
                "--poll",
                "0.2",
                *args,
            ],
            env=subprocess_env(self.database_url),
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def log(self, index: int) -> str:
        return (self.tmp_path / f"worker-{index}.log").read_text(errors="replace")

    def wait_until_started(self, timeout: float = 30) -> None:
        for index, proc in enumerate(self.procs):
            wait_for(
                lambda i=index, p=proc: "started" in self.log(i) or p.poll() is not None,  # type: ignore[misc]
                timeout,
                f"worker {index} to start",
            )
            assert proc.poll() is None, self.log(index)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def workers(jobs_db: Database, database_url: str, tmp_path: Path) -> Iterator[Workers]:
    w = Workers(database_url, tmp_path)
    yield w
    w.stop_all()


WORKER_MODES = [
    pytest.param("embedded", id="embedded"),
    pytest.param("procrastinate", id="procrastinate", marks=pytest.mark.postgres_only),
]


@pytest.fixture(autouse=True)
def _skip_postgres_only(request: pytest.FixtureRequest, database_url: str) -> None:
    if request.node.get_closest_marker("postgres_only") and not database_url.startswith(
        "postgresql"
    ):
        pytest.skip("needs PostgreSQL (KOHTAAMO_TEST_DATABASE_URL)")


def mode_args(mode: str) -> tuple[str, ...]:
    return ("--embedded",) if mode == "embedded" else ()
