"""Surveys, their frozen versions, responses, the numbers responses contribute,
e-mail invitations, journey triggers and opt-outs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
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

RowId = BigInteger().with_variant(Integer(), "sqlite")


class Survey(IdMixin, TenantScoped, TimestampMixin, Base):
    """A survey. Its questions live in versions; ``live_version`` is the one respondents get.

    ``slug`` names the public link ``/s/<slug>``: random, unique across organisations,
    so that the link neither guesses nor reveals anything.
    """

    __tablename__ = "surveys"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    key: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="touchpoint")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="SET NULL"), default=None
    )
    live_version: Mapped[int | None] = mapped_column(Integer, default=None)
    # Distribution and anti-abuse settings: allowed_origins (widget), min_seconds
    # (plausible completion time), widget triggers. See ``schemas.SurveySettings``.
    settings: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)


class SurveyVersion(IdMixin, TenantScoped, Base):
    """A definition. Published versions are frozen; responses point at the one they answered."""

    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(default=None)


class SurveyResponse(IdMixin, TenantScoped, Base):
    """One respondent's answers to one version; ``finished_at`` set once, never unset.

    ``invitation_id`` is unique: one response per single-use invitation, enforced by the
    database. ``idempotency_key`` is unique per organisation: a retried submission finds
    the response it already made. ``resume_hash`` is the hash of the token in the
    respondent's cookie that lets them continue a partial response on the same link.
    Flagged responses are kept for review but excluded from measures and trigger nothing.
    """

    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint("organisation_id", "idempotency_key"),
        Index("ix_survey_responses_survey_finished", "survey_id", "finished_at"),
    )

    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_versions.id", ondelete="CASCADE")
    )
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    pages_done: Mapped[list[str]] = mapped_column(JSONDoc, default=list)
    context: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), default=None, index=True
    )
    invitation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("survey_invitations.id", ondelete="SET NULL"), default=None, unique=True
    )
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="SET NULL"), default=None
    )
    event_key: Mapped[str | None] = mapped_column(String(120), default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(120), default=None)
    resume_hash: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    client_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    duration_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reason: Mapped[str | None] = mapped_column(String(40), default=None)


class SurveyMeasure(TenantScoped, Base):
    """A number a finished, unflagged response contributes: what the analytics read."""

    __tablename__ = "survey_measures"
    __table_args__ = (
        Index("ix_survey_measures_org_role_at", "organisation_id", "role", "answered_at"),
        Index("ix_survey_measures_response", "response_id"),
    )

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE")
    )
    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(32))
    value: Mapped[float] = mapped_column(Float)
    scale_min: Mapped[int] = mapped_column(Integer)
    scale_max: Mapped[int] = mapped_column(Integer)
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="SET NULL"), default=None, index=True
    )
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), default=None
    )
    answered_at: Mapped[datetime]


class SurveyInvitation(IdMixin, TenantScoped, Base):
    """A personal, single-use link sent by e-mail. Only the token's hash is stored.

    ``status`` moves queued → sent → opened → started → finished, or to bounced,
    opted_out or failed.
    """

    __tablename__ = "survey_invitations"
    __table_args__ = (
        Index(
            "ix_survey_invitations_customer_created", "organisation_id", "customer_id", "created_at"
        ),
        Index("ix_survey_invitations_status_send", "status", "send_after"),
    )

    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), default=None
    )
    email: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8), default="fi")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    trigger_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("survey_triggers.id", ondelete="SET NULL"), default=None
    )
    campaign: Mapped[str | None] = mapped_column(String(120), default=None)
    event_key: Mapped[str | None] = mapped_column(String(120), default=None)
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    send_after: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    bounced_at: Mapped[datetime | None] = mapped_column(default=None)
    opted_out_at: Mapped[datetime | None] = mapped_column(default=None)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_reminder_at: Mapped[datetime | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)


class SurveyTrigger(IdMixin, TenantScoped, TimestampMixin, Base):
    """When a customer meets ``touchpoint_id``, invite them to ``survey_id`` after a delay.

    ``sample_percent`` of eligible events are invited; nobody is invited twice within the
    organisation's quiet period (across all surveys); ``consent_key`` names the consent
    the customer must have given; ``quota`` caps invitations per ``quota_days``.
    """

    __tablename__ = "survey_triggers"

    name: Mapped[str] = mapped_column(String(200))
    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    touchpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="CASCADE"), index=True
    )
    delay_minutes: Mapped[int] = mapped_column(Integer, default=60)
    sample_percent: Mapped[float] = mapped_column(Float, default=100.0)
    quiet_days: Mapped[int] = mapped_column(Integer, default=30)
    consent_key: Mapped[str | None] = mapped_column(String(80), default="surveys")
    quota: Mapped[int | None] = mapped_column(Integer, default=None)
    quota_days: Mapped[int] = mapped_column(Integer, default=30)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The last interaction event (by arrival id) this trigger has looked at.
    last_event_id: Mapped[int] = mapped_column(RowId, default=0)


class SurveyOptOut(IdMixin, TenantScoped, Base):
    """An address that asked not to get surveys from this organisation (hash only)."""

    __tablename__ = "survey_opt_outs"
    __table_args__ = (UniqueConstraint("organisation_id", "email_hash"),)

    email_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
