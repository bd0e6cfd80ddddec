"""Handlers for the job tests, importable by worker subprocesses (``--import``).

Each writes an "effect" row in the handler's transaction; counting those rows shows how
often a job's database work really happened.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from kohtaamo.jobs import current_job, task

EFFECTS_DDL = "CREATE TABLE IF NOT EXISTS test_job_effects (key VARCHAR(200), attempt INTEGER)"
# Backoff in milliseconds, so retries happen within a test.
BACKOFF = timedelta(milliseconds=50)
CAP = timedelta(milliseconds=200)


def record(session: Session, key: str) -> None:
    session.execute(
        text("INSERT INTO test_job_effects (key, attempt) VALUES (:key, :attempt)"),
        {"key": key, "attempt": current_job().attempt},
    )


@task("test.effect")
def effect(session: Session, payload: dict[str, Any]) -> None:
    record(session, payload["key"])
    time.sleep(payload.get("sleep", 0))


@task("test.flaky", max_attempts=5, backoff=BACKOFF, backoff_cap=CAP)
def flaky(session: Session, payload: dict[str, Any]) -> None:
    record(session, payload["key"])  # rolled back with the failure
    if current_job().attempt < payload["succeed_on"]:
        raise RuntimeError("SMTP said no to alice@example.com")


@task("test.broken", max_attempts=3, backoff=BACKOFF, backoff_cap=CAP)
def broken(session: Session, payload: dict[str, Any]) -> None:
    record(session, payload["key"])
    raise ValueError("broken for bob@example.org, always")


@task("test.stall", max_attempts=3, backoff=BACKOFF, backoff_cap=CAP)
def stall(session: Session, payload: dict[str, Any]) -> None:
    """First attempt: write the effect, say so, then hang until killed (never commits)."""
    record(session, payload["key"])
    session.flush()
    if current_job().attempt == 1:
        Path(payload["marker"]).write_text("in handler")
        time.sleep(600)


@task("test.tenant")
def tenant(session: Session, payload: dict[str, Any]) -> None:
    record(session, f"{payload['key']}:{session.info['tenant']}")
