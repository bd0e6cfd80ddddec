"""Tables of the text domain: one analysis per comment with its lemmas for search, the
organisation's editable theme rules, its learned sentiment weights (versioned), and
its text settings.

Only the redacted text is stored for analysis; the original is kept only when the
organisation's ``text_settings.keep_originals`` says so (for case handling).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.base import Base, IdMixin, TenantScoped, TimestampMixin
from kohtaamo.storage.types import JSONDoc


class TextSettings(IdMixin, TenantScoped, TimestampMixin, Base):
    """An organisation's text analytics choices (one row; defaults when missing)."""

    __tablename__ = "text_settings"
    __table_args__ = (UniqueConstraint("organisation_id", name="uq_text_settings_organisation"),)

    keep_originals: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[list[str]] = mapped_column(JSONDoc, default=lambda: ["fi", "en", "sv"])
    use_learned: Mapped[bool] = mapped_column(Boolean, default=True)


class CommentAnalysis(IdMixin, TenantScoped, Base):
    """The analysis of one comment: a survey answer (``source`` "response", keyed by
    response and question) or another text (``source`` "import", "case_message",
    "observation", keyed by ``ref``). Re-analysing replaces the row's values."""

    __tablename__ = "comment_analyses"
    __table_args__ = (
        UniqueConstraint("response_id", "question_key", name="uq_comment_analyses_response"),
        UniqueConstraint("organisation_id", "source", "ref", name="uq_comment_analyses_ref"),
        Index("ix_comment_analyses_org_answered", "organisation_id", "answered_at"),
    )

    source: Mapped[str] = mapped_column(String(16), default="response")
    response_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), default=None
    )
    question_key: Mapped[str | None] = mapped_column(String(80), default=None)
    ref: Mapped[str | None] = mapped_column(String(120), default=None)
    survey_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), default=None
    )
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="SET NULL"), default=None, index=True
    )
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), default=None, index=True
    )
    survey_language: Mapped[str | None] = mapped_column(String(8), default=None)
    # The rating given next to the comment (NPS or CSAT): evidence for learning.
    rating_role: Mapped[str | None] = mapped_column(String(16), default=None)
    rating_value: Mapped[float | None] = mapped_column(Float, default=None)
    language: Mapped[str] = mapped_column(String(8), default="und")
    redacted_text: Mapped[str] = mapped_column(Text)
    original_text: Mapped[str | None] = mapped_column(Text, default=None)
    # None until the analysis job has run (the redacted text is stored at once).
    sentiment: Mapped[str | None] = mapped_column(String(16), default=None)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    emotions: Mapped[dict[str, float]] = mapped_column(JSONDoc, default=dict)
    words: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    themes: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc, default=list)
    lexicon_version: Mapped[str] = mapped_column(String(80), default="")
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    analysed_at: Mapped[datetime | None] = mapped_column(default=None)


class CommentLemma(TenantScoped, Base):
    """A lemma (base form, compound part or derivational base) of an analysed comment:
    what comment search matches ("jono" finds "jonossa")."""

    __tablename__ = "comment_lemmas"
    __table_args__ = (Index("ix_comment_lemmas_org_lemma", "organisation_id", "lemma"),)

    analysis_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("comment_analyses.id", ondelete="CASCADE"), primary_key=True
    )
    lemma: Mapped[str] = mapped_column(String(80), primary_key=True)


class CommentTheme(TenantScoped, Base):
    """A theme a comment names, with the theme's own sentiment there: what theme
    filters, volumes and sentiment by period and touchpoint count."""

    __tablename__ = "comment_themes"
    __table_args__ = (Index("ix_comment_themes_org_key", "organisation_id", "key"),)

    analysis_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("comment_analyses.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    sentiment: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)


class TextTheme(IdMixin, TenantScoped, TimestampMixin, Base):
    """One of the organisation's theme rules (seeded from the default taxonomy)."""

    __tablename__ = "text_themes"
    __table_args__ = (UniqueConstraint("organisation_id", "key", name="uq_text_themes_key"),)

    key: Mapped[str] = mapped_column(String(60))
    group: Mapped[str] = mapped_column(String(16), default="service")
    labels: Mapped[dict[str, str]] = mapped_column(JSONDoc, default=dict)
    terms: Mapped[dict[str, list[str]]] = mapped_column(JSONDoc, default=dict)
    exclude: Mapped[dict[str, list[str]]] = mapped_column(JSONDoc, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class TextModel(IdMixin, TenantScoped, Base):
    """A learned set of per-lemma sentiment weight adjustments for one language, with
    the data it was trained on and how it did on held-out comments."""

    __tablename__ = "text_models"
    __table_args__ = (
        UniqueConstraint("organisation_id", "language", "version", name="uq_text_models_version"),
    )

    language: Mapped[str] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    weights: Mapped[dict[str, float]] = mapped_column(JSONDoc, default=dict)
    training_n: Mapped[int] = mapped_column(Integer, default=0)
    evaluation: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
