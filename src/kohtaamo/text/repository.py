"""Queries of the text tables (always within the session's organisation)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

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
