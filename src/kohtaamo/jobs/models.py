"""The outbox: one row per piece of work to do after a commit."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.base import Base, IdMixin
from kohtaamo.storage.types import JSONDoc


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(IdMixin, Base):
    """A job, written in the same transaction as the data it is about.

    Not :class:`TenantScoped` on purpose: runners read jobs of every organisation. The
    organisation is still recorded, so the handler's session is scoped to it and the
    organisation's jobs go when the organisation does.

    ``locked_by``/``locked_until`` are a lease: a worker that dies mid-job leaves the row
    ``running`` until the lease ends, and then any worker may take it again. ``attempts``
    counts claims, so ``(locked_by, attempts)`` names one claim and a worker whose lease
    was taken over cannot mark the job done.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_run_after", "status", "run_after"),)

    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True, default=None
    )
    task: Mapped[str] = mapped_column(String(120))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    status: Mapped[JobStatus] = mapped_column(String(16), default=JobStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(120), default=None)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    # Production mode: handed to the queue (procrastinate) until then; the relay hands a
    # row that is still due over again after this, in case the queue lost it.
    queued_until: Mapped[datetime | None] = mapped_column(default=None)
    # Exception class and a short message with e-mail addresses masked: no personal data.
    last_error: Mapped[str | None] = mapped_column(String(300), default=None)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
