"""Counts for the text overview: how many comments name each theme and with what
sentiment, by month, by touchpoint, by language. Aggregated in the database (one
grouped query per block), always within the session's organisation (the ORM tenancy
hook adds it to every query here)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from kohtaamo.text.models import CommentAnalysis, CommentTheme

SENTIMENTS = ("negative", "neutral", "positive", "mixed")


@dataclass(frozen=True)
class Split:
    """Comments by sentiment label, and their total."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _split(rows: list[tuple[str | None, int]]) -> Split:
    counts = dict.fromkeys(SENTIMENTS, 0)
    for label, n in rows:
        if label in counts:
            counts[label] += n
    return Split(counts)


def _in_period(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    return [
        CommentAnalysis.analysed_at.is_not(None),
        CommentAnalysis.answered_at >= start,
        CommentAnalysis.answered_at < end,
    ]


def themes_by_sentiment(session: Session, start: datetime, end: datetime) -> dict[str, Split]:
    """Per theme key, its comments by the theme's own sentiment there, in the period."""
    rows = session.execute(
        select(CommentTheme.key, CommentTheme.sentiment, func.count())
        .join(CommentAnalysis, CommentAnalysis.id == CommentTheme.analysis_id)
        .where(*_in_period(start, end))
        .group_by(CommentTheme.key, CommentTheme.sentiment)
    ).all()
    grouped: dict[str, list[tuple[str | None, int]]] = defaultdict(list)
    for key, label, n in rows:
        grouped[key].append((label, n))
    return {key: _split(found) for key, found in grouped.items()}


def _month(session: Session) -> ColumnElement[str]:
    """The comment's UTC month as "YYYY-MM" in either database."""
    column = CommentAnalysis.answered_at
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)  # SQLite keeps UTC without a zone


def themes_by_month(session: Session, start: datetime, end: datetime) -> dict[str, dict[str, int]]:
    """Per theme key, its comments per month ("YYYY-MM") in [start, end)."""
    month = _month(session).label("month")
    rows = session.execute(
        select(CommentTheme.key, month, func.count())
        .join(CommentAnalysis, CommentAnalysis.id == CommentTheme.analysis_id)
        .where(*_in_period(start, end))
        .group_by(CommentTheme.key, month)
    ).all()
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for key, m, n in rows:
        out[key][str(m)] = int(n)
    return dict(out)


def by_touchpoint(
    session: Session, start: datetime, end: datetime
) -> dict[uuid.UUID | None, Split]:
    """Comments per touchpoint (None: not tied to one) by sentiment."""
    rows = session.execute(
        select(CommentAnalysis.touchpoint_id, CommentAnalysis.sentiment, func.count())
        .where(*_in_period(start, end))
        .group_by(CommentAnalysis.touchpoint_id, CommentAnalysis.sentiment)
    ).all()
    grouped: dict[uuid.UUID | None, list[tuple[str | None, int]]] = defaultdict(list)
    for touchpoint, label, n in rows:
        grouped[touchpoint].append((label, n))
    return {tp: _split(found) for tp, found in grouped.items()}


def sentiment_split(session: Session, start: datetime, end: datetime) -> Split:
    """All comments of the period by sentiment."""
    rows = session.execute(
        select(CommentAnalysis.sentiment, func.count())
        .where(*_in_period(start, end))
        .group_by(CommentAnalysis.sentiment)
    ).all()
    return _split([(label, int(n)) for label, n in rows])


def languages(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    """Comments of the period per detected language ("und": undetermined)."""
    rows = session.execute(
        select(CommentAnalysis.language, func.count())
        .where(*_in_period(start, end))
        .group_by(CommentAnalysis.language)
    ).all()
    return {str(lang): int(n) for lang, n in rows}
