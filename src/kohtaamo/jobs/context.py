"""What a running handler may know about its job, without widening its signature."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from kohtaamo.config import Settings


@dataclass(frozen=True)
class JobContext:
    job_id: uuid.UUID
    task: str
    attempt: int  # 1 on the first run
    organisation_id: uuid.UUID | None
    settings: Settings


_current: ContextVar[JobContext | None] = ContextVar("kohtaamo_job", default=None)


def current_job() -> JobContext:
    """The job being run; raises outside a handler."""
    ctx = _current.get()
    if ctx is None:
        raise RuntimeError("current_job() called outside a job handler")
    return ctx
