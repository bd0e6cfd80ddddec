"""Jobs that open cases (the SLA jobs are in :mod:`kohtaamo.cases.sla_tasks`).

- ``cases.evaluate_response``: the detractor and gap rules on one finished response;
  enqueued by :func:`on_response_finished` inside the transaction that finishes it
  (registered with ``surveys.responses.on_finished`` in ``app.create_app``), so the
  evaluation exists exactly when the response does.
- ``cases.evaluate_comments``: the negative-comment rules on analysed comments;
  enqueued by :func:`on_comments_analysed` (registered with ``text.service.on_analysed``)
  in the transaction that stores the analyses.

Both are idempotent (origin keys), so a crash and re-run opens nothing twice. Nothing is
enqueued for an organisation without an active rule of the kind.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from kohtaamo.cases import repository as repo
from kohtaamo.cases import (
    sla_tasks,  # noqa: F401  (registers the SLA jobs for discover())
    triggers,
)
from kohtaamo.jobs import enqueue, task
from kohtaamo.surveys import responses
from kohtaamo.surveys.responses import FinishedResponse
from kohtaamo.text import service as text_service
from kohtaamo.text.models import CommentAnalysis, CommentTheme

EVALUATE_RESPONSE = "cases.evaluate_response"
EVALUATE_COMMENTS = "cases.evaluate_comments"


def on_response_finished(session: Session, event: FinishedResponse) -> None:
    """Hook on finished responses: evaluate the case rules on it after commit."""
    if repo.has_active_rule(session, ("detractor", "gap")):
        enqueue(
            session,
            EVALUATE_RESPONSE,
            {"response_id": str(event.response_id)},
            dedupe_key=f"{EVALUATE_RESPONSE}:{event.response_id}",
        )


def on_comments_analysed(session: Session, ids: Sequence[uuid.UUID]) -> None:
    """Hook on stored comment analyses: evaluate the negative ones (overall, or on a
    theme) against the negative-comment rules."""
    if not ids or not repo.has_active_rule(session, ("negative_comment",)):
        return
    wanted = list(ids)
    negative = union(
        select(CommentAnalysis.id).where(
            CommentAnalysis.id.in_(wanted), CommentAnalysis.sentiment == "negative"
        ),
        select(CommentTheme.analysis_id).where(
            CommentTheme.analysis_id.in_(wanted), CommentTheme.sentiment == "negative"
        ),
    )
    found = sorted(str(i) for i in session.execute(negative).scalars())
    if found:
        enqueue(session, EVALUATE_COMMENTS, {"ids": found})


@task(EVALUATE_RESPONSE, max_attempts=5, backoff=timedelta(seconds=10))
def evaluate_response(session: Session, payload: dict[str, Any]) -> None:
    triggers.evaluate_response(session, uuid.UUID(payload["response_id"]))


@task(EVALUATE_COMMENTS, max_attempts=5, backoff=timedelta(seconds=10))
def evaluate_comments(session: Session, payload: dict[str, Any]) -> None:
    triggers.evaluate_comments(session, [uuid.UUID(i) for i in payload.get("ids", [])])


# Registered on import as well as in ``app.create_app``: ``kohtaamo worker`` never builds
# the app but imports every tasks module, and it is where comments are analysed.
responses.on_finished(on_response_finished)
text_service.on_analysed(on_comments_analysed)
