"""Comment search by lemma, with filters, a page at a time.

The query is lemmatised as the comments were, in each of the organisation's
languages, so "jono" finds "jonossa" and "jonoon". Voikko does not link every
derivation to its root ("jonotus" → jonottaa, not jono), so a query lemma of four
letters or more also finds the lemmas that extend it by a derivational suffix's
length ("jono" → "jonotus", "jonottaa"). Every word of the query must be found.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from kohtaamo.journeys.models import Customer
from kohtaamo.kit.pagination import Page, PageRequest
from kohtaamo.text.models import CommentAnalysis, CommentLemma, CommentTheme
from kohtaamo.text.morphology import tokenize
from kohtaamo.text.schemas import CommentFilters, CommentOut

PREFIX_MIN = 4  # shorter lemmas would find unrelated words ("kuu" → "kuulla")
PREFIX_EXTRA = 5  # how much longer a derived lemma may be


def query_lemmas(query: str, languages: tuple[str, ...]) -> list[set[str]]:
    """For each word of ``query``, the lemmas that would stand for it in a comment."""
    words: list[set[str]] = []
    for lang in languages:
        for position, token in enumerate(tokenize(query, lang)):
            while len(words) <= position:
                words.append(set())
            words[position].update(token.lemmas[:3])
            words[position].add(token.text.lower())
    return words


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _word_condition(candidates: set[str]) -> ColumnElement[bool]:
    lemma = CommentLemma.lemma
    options: list[ColumnElement[bool]] = [lemma.in_(sorted(candidates))]
    for candidate in sorted(candidates):
        if len(candidate) >= PREFIX_MIN:
            options.append(
                and_(
                    lemma.like(_escape_like(candidate) + "%", escape="\\"),
                    func.length(lemma) <= len(candidate) + PREFIX_EXTRA,
                )
            )
    return CommentAnalysis.id.in_(select(CommentLemma.analysis_id).where(or_(*options)))


def filtered(
    filters: CommentFilters, languages: tuple[str, ...] = ("fi", "en", "sv")
) -> Select[CommentAnalysis]:
    """The comments ``filters`` select, newest first (analysed ones only)."""
    stmt = select(CommentAnalysis).where(CommentAnalysis.analysed_at.is_not(None))
    for candidates in query_lemmas(filters.query, languages) if filters.query.strip() else []:
        stmt = stmt.where(_word_condition(candidates))
    if filters.theme:
        stmt = stmt.where(
            CommentAnalysis.id.in_(
                select(CommentTheme.analysis_id).where(CommentTheme.key == filters.theme)
            )
        )
    if filters.sentiment:
        stmt = stmt.where(CommentAnalysis.sentiment == filters.sentiment)
    if filters.touchpoint_id:
        stmt = stmt.where(CommentAnalysis.touchpoint_id == filters.touchpoint_id)
    if filters.segment:
        stmt = stmt.where(
            CommentAnalysis.customer_id.in_(
                select(Customer.id).where(Customer.segment == filters.segment)
            )
        )
    if filters.language:
        stmt = stmt.where(CommentAnalysis.language == filters.language)
    if filters.source:
        stmt = stmt.where(CommentAnalysis.source == filters.source)
    if filters.since:
        stmt = stmt.where(CommentAnalysis.answered_at >= filters.since)
    if filters.until:
        stmt = stmt.where(CommentAnalysis.answered_at < filters.until)
    return stmt


def comment_out(row: CommentAnalysis) -> CommentOut:
    """What the browser may show: the redacted text, the results, never the original."""
    return CommentOut(
        id=row.id,
        source=row.source,
        response_id=row.response_id,
        question_key=row.question_key,
        touchpoint_id=row.touchpoint_id,
        customer_id=row.customer_id,
        language=row.language,
        text=row.redacted_text,
        sentiment=row.sentiment,
        score=row.score,
        emotions=dict(row.emotions),
        words=list(row.words),
        themes=list(row.themes),
        answered_at=row.answered_at,
        analysed_at=row.analysed_at,
    )


def search_comments(
    session: Session,
    filters: CommentFilters | None = None,
    page: PageRequest | None = None,
    *,
    languages: tuple[str, ...] | None = None,
) -> Page[CommentOut]:
    """A page of the organisation's analysed comments matching ``filters``."""
    from kohtaamo.text.service import settings_of  # the service imports this module's users

    filters = filters or CommentFilters()
    page = page or PageRequest()
    if languages is None:
        languages = tuple(settings_of(session).languages) or ("fi", "en", "sv")
    stmt = filtered(filters, languages)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(CommentAnalysis.answered_at.desc(), CommentAnalysis.id)
        .limit(page.limit)
        .offset(page.offset)
    ).all()
    return Page(
        items=[comment_out(r) for r in rows], total=total, limit=page.limit, offset=page.offset
    )
