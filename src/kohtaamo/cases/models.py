"""Tables of the cases domain: the organisation's case settings (working hours, SLAs),
case rules, cases with their timeline and messages, and the message templates."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.base import Base, IdMixin, TenantScoped, TimestampMixin
from kohtaamo.storage.types import JSONDoc


class CaseSettings(IdMixin, TenantScoped, TimestampMixin, Base):
    """One row per organisation: working time and the service levels of its cases."""

    __tablename__ = "case_settings"
    __table_args__ = (UniqueConstraint("organisation_id", name="uq_case_settings_org"),)

    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Helsinki")
    work_start: Mapped[str] = mapped_column(String(5), default="08:00")  # local "HH:MM"
    work_end: Mapped[str] = mapped_column(String(5), default="16:00")
    work_days: Mapped[list[int]] = mapped_column(JSONDoc, default=lambda: [0, 1, 2, 3, 4])
    holiday_country: Mapped[str | None] = mapped_column(String(2), default="FI")
    extra_holidays: Mapped[list[str]] = mapped_column(JSONDoc, default=list)  # ISO dates
    acknowledge_hours: Mapped[int] = mapped_column(Integer, default=4)  # working hours
    resolve_days: Mapped[int] = mapped_column(Integer, default=5)  # working days
    warn_before_hours: Mapped[int] = mapped_column(Integer, default=2)  # "breaching soon"
    escalation_email: Mapped[str | None] = mapped_column(String(254), default=None)
    followup_after_days: Mapped[int] = mapped_column(Integer, default=7)


class TeamMember(TenantScoped, Base):
    """A user's membership of a team: "my team's cases" and who is notified of breaches."""

    __tablename__ = "team_members"

    team_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )


class CaseRule(IdMixin, TenantScoped, TimestampMixin, Base):
    """A trigger declared by the organisation: when it opens a case, on which topic,
    with which priority. ``params`` depends on ``kind`` (see ``cases.triggers``)."""

    __tablename__ = "case_rules"
    __table_args__ = (UniqueConstraint("organisation_id", "key", name="uq_case_rules_key"),)

    key: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))  # detractor | gap | negative_comment | complaint
    params: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    topic: Mapped[str] = mapped_column(String(60))
    priority: Mapped[str] = mapped_column(String(8), default="normal")  # low|normal|high|urgent
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Case(IdMixin, TenantScoped, TimestampMixin, Base):
    """One customer's problem, from the trigger to the follow-up."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("organisation_id", "number", name="uq_cases_number"),
        # One open case per customer and topic: the key is cleared when the case closes.
        UniqueConstraint("organisation_id", "open_key", name="uq_cases_open_key"),
        # The same response, comment or complaint id never opens a second case.
        UniqueConstraint("organisation_id", "origin_key", name="uq_cases_origin_key"),
        Index("ix_cases_state", "organisation_id", "state"),
        Index("ix_cases_team", "organisation_id", "team_id", "state"),
    )

    number: Mapped[int] = mapped_column(Integer)  # shown to people: "#123"
    state: Mapped[str] = mapped_column(String(16), default="new")  # cases.workflow.State
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    topic: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16))  # rule | complaint | manual | api
    open_key: Mapped[str | None] = mapped_column(String(200), default=None)
    origin_key: Mapped[str | None] = mapped_column(String(200), default=None)
    language: Mapped[str] = mapped_column(String(8), default="fi")
    contact_email: Mapped[str | None] = mapped_column(String(254), default=None)
    contact_name: Mapped[str | None] = mapped_column(String(200), default=None)

    rule_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("case_rules.id", ondelete="SET NULL"), default=None
    )
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), default=None
    )
    response_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="SET NULL"), default=None
    )
    comment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("comment_analyses.id", ondelete="SET NULL"), default=None
    )
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="SET NULL"), default=None
    )
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None
    )
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )

    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    plan_sent_at: Mapped[datetime | None] = mapped_column(default=None)
    action_taken_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledge_due_at: Mapped[datetime | None] = mapped_column(default=None)
    resolve_due_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledge_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    resolve_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated_at: Mapped[datetime | None] = mapped_column(default=None)

    # The plan promised to the customer (apology-and-plan step).
    plan_what_went_wrong: Mapped[str] = mapped_column(Text, default="")
    plan_action: Mapped[str] = mapped_column(Text, default="")
    plan_due: Mapped[date | None] = mapped_column(default=None)
    action_note: Mapped[str] = mapped_column(Text, default="")

    # Root cause, recorded when the case is resolved: the outer loop's input.
    root_cause_touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="SET NULL"), default=None
    )
    root_cause_theme: Mapped[str | None] = mapped_column(String(60), default=None)
    root_cause_standard: Mapped[str | None] = mapped_column(String(200), default=None)
    root_cause_note: Mapped[str] = mapped_column(Text, default="")

    # Follow-up: "was it put right?" (put_right | partly | not_put_right).
    followup_sent_at: Mapped[datetime | None] = mapped_column(default=None)
    followup_outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    followup_score: Mapped[int | None] = mapped_column(Integer, default=None)  # 0–10 again
    followup_comment: Mapped[str] = mapped_column(Text, default="")
    followup_at: Mapped[datetime | None] = mapped_column(default=None)
    # sha256 of the customer's reply/follow-up link token (the token itself is never stored).
    reply_token_hash: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)


class CaseEvent(IdMixin, TenantScoped, Base):
    """One line of a case's timeline: who did what, when."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case", "case_id", "at"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(
        String(24)
    )  # opened|transition|assigned|note|message|reply|breach|escalated|followup
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    actor_label: Mapped[str] = mapped_column(
        String(200), default=""
    )  # "system", a rule, the customer
    from_state: Mapped[str | None] = mapped_column(String(16), default=None)
    to_state: Mapped[str | None] = mapped_column(String(16), default=None)
    body: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)


class CaseMessage(IdMixin, TenantScoped, Base):
    """An e-mail to the customer, or their reply, on a case."""

    __tablename__ = "case_messages"
    __table_args__ = (Index("ix_case_messages_case", "case_id", "created_at"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(4))  # out | in
    address: Mapped[str | None] = mapped_column(String(254), default=None)
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="fi")
    template_key: Mapped[str | None] = mapped_column(String(40), default=None)
    job_id: Mapped[uuid.UUID | None] = mapped_column(default=None)  # the mail.send job
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MessageTemplate(IdMixin, TenantScoped, TimestampMixin, Base):
    """An editable message in one language, with ``{placeholders}`` (see
    ``cases.templates``): acknowledgement, apology and plan, resolved, follow-up."""

    __tablename__ = "case_message_templates"
    __table_args__ = (
        UniqueConstraint("organisation_id", "key", "language", name="uq_case_templates_key"),
    )

    key: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
