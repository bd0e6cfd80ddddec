"""Queries of the text tables (always within the session's organisation)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kohtaamo.text.models import CommentAnalysis, TextModel, TextSettings

if TYPE_CHECKING:
    from kohtaamo.text.service import CommentIn


def settings(session: Session) -> TextSettings | None:
    return session.scalar(select(TextSettings))


def forget_originals(session: Session) -> None:
    session.execute(
        update(CommentAnalysis)
        .where(CommentAnalysis.original_text.is_not(None))
        .values(original_text=None)
        .execution_options(synchronize_session=False)
    )


def existing(session: Session, comment: CommentIn) -> CommentAnalysis | None:
    """The stored row of ``comment`` (same response and question, or same ref)."""
    if comment.response_id is not None:
        return session.scalar(
            select(CommentAnalysis).where(
                CommentAnalysis.response_id == comment.response_id,
                CommentAnalysis.question_key == comment.question_key,
            )
        )
    if comment.ref is None:
        raise ValueError("a comment needs a response and question, or a ref")
    return session.scalar(
        select(CommentAnalysis).where(
            CommentAnalysis.source == comment.source, CommentAnalysis.ref == comment.ref
        )
    )


def existing_many(
    session: Session, comments: Sequence[CommentIn]
) -> dict[tuple[object, ...], CommentAnalysis]:
    """The stored rows of ``comments`` in two queries, keyed as :func:`key_of` keys."""
    found: dict[tuple[object, ...], CommentAnalysis] = {}
    responses = {c.response_id for c in comments if c.response_id is not None}
    refs = {(c.source, c.ref) for c in comments if c.response_id is None and c.ref is not None}
    for chunk in _chunks(sorted(responses, key=str)):
        for row in session.scalars(
            select(CommentAnalysis).where(CommentAnalysis.response_id.in_(chunk))
        ):
            found[("response", row.response_id, row.question_key)] = row
    for chunk in _chunks(sorted({r for _, r in refs if r is not None})):
        for row in session.scalars(select(CommentAnalysis).where(CommentAnalysis.ref.in_(chunk))):
            found[("ref", row.source, row.ref)] = row
    return found


def key_of(comment: CommentIn) -> tuple[object, ...]:
    """The identity of a comment: its response and question, or its source and ref."""
    if comment.response_id is not None:
        return ("response", comment.response_id, comment.question_key)
    if comment.ref is None:
        raise ValueError("a comment needs a response and question, or a ref")
    return ("ref", comment.source, comment.ref)


def _chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def latest_models(session: Session) -> list[TextModel]:
    """The newest learned model of each language."""
    newest = (
        select(TextModel.language, func.max(TextModel.version).label("version"))
        .group_by(TextModel.language)
        .subquery()
    )
    return list(
        session.scalars(
            select(TextModel).join(
                newest,
                (TextModel.language == newest.c.language) & (TextModel.version == newest.c.version),
            )
        )
    )


def models(session: Session, language: str) -> list[TextModel]:
    return list(
        session.scalars(
            select(TextModel)
            .where(TextModel.language == language)
            .order_by(TextModel.version.desc())
        )
    )


def analysis_ids(session: Session, *, pending_only: bool = False) -> list[uuid.UUID]:
    stmt = select(CommentAnalysis.id).order_by(CommentAnalysis.answered_at)
    if pending_only:
        stmt = stmt.where(CommentAnalysis.analysed_at.is_(None))
    return list(session.scalars(stmt))
