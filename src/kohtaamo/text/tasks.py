"""Jobs of the text domain.

- ``text.analyse`` (tenant job): analyses the stored comments named in the payload;
  enqueued by :func:`kohtaamo.text.service.submit_comments` in the transaction that
  stored them, so a comment is analysed seconds after it arrives. Idempotent: a
  re-run replaces the results.
- ``text.retheme`` (tenant job): re-applies the organisation's theme rules to its
  stored comments after a theme is saved, a batch per job, each job enqueueing the
  next (see :mod:`kohtaamo.text.retheme`); a newer save supersedes a run in progress.
- ``text.learn`` (tenant job): fits a new per-organisation sentiment model per
  language from the organisation's rated comments (see :mod:`kohtaamo.text.learning`).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from kohtaamo.jobs import enqueue, task
from kohtaamo.kit.ids import token

ANALYSE_TASK = "text.analyse"
LEARN_TASK = "text.learn"
RETHEME_TASK = "text.retheme"


def enqueue_analysis(session: Session, ids: list[uuid.UUID]) -> None:
    """Analyse these stored comments once the transaction commits."""
    enqueue(session, ANALYSE_TASK, {"ids": [str(i) for i in ids]})


@task(ANALYSE_TASK, max_attempts=5, backoff=timedelta(seconds=10))
def analyse_comments(session: Session, payload: dict[str, Any]) -> None:
    from kohtaamo.text.service import analyse  # the service enqueues through this module

    analyse(session, [uuid.UUID(i) for i in payload.get("ids", [])])


def enqueue_retheme(session: Session, total: int) -> None:
    """Start re-applying the theme rules to the organisation's ``total`` stored
    comments once the transaction commits (a new run: an older one stops)."""
    enqueue(session, RETHEME_TASK, {"run": token(8), "after": None, "done": 0, "total": total})


@task(RETHEME_TASK, max_attempts=5, backoff=timedelta(seconds=30))
def retheme_comments(session: Session, payload: dict[str, Any]) -> None:
    from kohtaamo.text.retheme import run_batch  # it analyses through the service

    run_batch(session, payload)


@task(LEARN_TASK, max_attempts=2, backoff=timedelta(minutes=5))
def learn_models(session: Session, payload: dict[str, Any]) -> None:
    from kohtaamo.text import learning

    for language in payload.get("languages", ["fi", "en", "sv"]):
        learning.learn(session, language)
