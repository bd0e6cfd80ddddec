"""Tables of the CX programme: the pyramid (elements and sub-elements, standards,
measures, actions), references from other industries, the CX description's own text,
employees' observations, and journey walkthroughs.

Programme texts are written by the organisation's own people, in Finnish and English
(``*_fi`` / ``*_en``); a reader sees their language and falls back to the other.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.base import Base, IdMixin, TenantScoped, TimestampMixin


class Element(IdMixin, TenantScoped, TimestampMixin, Base):
    """A desired experience element ("effortless") or, with a parent, a sub-element that
    supports one ("no need to repeat yourself"). Parents never form a cycle."""

    __tablename__ = "programme_elements"
    __table_args__ = (UniqueConstraint("organisation_id", "key", name="uq_programme_elements_key"),)

    key: Mapped[str] = mapped_column(String(80))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("programme_elements.id", ondelete="CASCADE"), default=None, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_fi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # What the element means for the customer, in plain and inspiring words.
    meaning_fi: Mapped[str] = mapped_column(Text, default="")
    meaning_en: Mapped[str] = mapped_column(Text, default="")


class ElementTouchpoint(TenantScoped, Base):
    """What an element means at one touchpoint (a line of the CX description)."""

    __tablename__ = "programme_element_touchpoints"

    element_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programme_elements.id", ondelete="CASCADE"), primary_key=True
    )
    touchpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="CASCADE"), primary_key=True
    )
    meaning_fi: Mapped[str] = mapped_column(Text, default="")
    meaning_en: Mapped[str] = mapped_column(Text, default="")


class Standard(IdMixin, TenantScoped, TimestampMixin, Base):
    """A standard of everyday work that carries an element at touchpoints, owned by a team:
    "every enquiry is answered within two hours"."""

    __tablename__ = "programme_standards"
    __table_args__ = (
        UniqueConstraint("organisation_id", "key", name="uq_programme_standards_key"),
    )

    key: Mapped[str] = mapped_column(String(80))
    element_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programme_elements.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None
    )
    title_fi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    description_fi: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    # How a walkthrough checks it ("Send an enquiry by chat and time the answer").
    check_fi: Mapped[str] = mapped_column(Text, default="")
    check_en: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class StandardTouchpoint(TenantScoped, Base):
    """A touchpoint where a standard applies."""

    __tablename__ = "programme_standard_touchpoints"

    standard_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programme_standards.id", ondelete="CASCADE"), primary_key=True
    )
    touchpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="CASCADE"), primary_key=True
    )


class Measure(IdMixin, TenantScoped, TimestampMixin, Base):
    """A metric of the analytics catalogue in a scope, with a target. It measures an
    element, or a standard (then also its element). ``direction`` says whether the value
    must reach the target from below ("at_least") or stay under it ("at_most"); a target
    may lie above "perfect", e.g. exceeded share >= 30 % rather than gap >= 0."""

    __tablename__ = "programme_measures"
    __table_args__ = (UniqueConstraint("organisation_id", "key", name="uq_programme_measures_key"),)

    key: Mapped[str] = mapped_column(String(80))
    element_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programme_elements.id", ondelete="CASCADE"), index=True
    )
    standard_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("programme_standards.id", ondelete="SET NULL"), default=None
    )
    name_fi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(80))  # analytics.catalogue slug
    # Scope: none = the whole organisation; each set column narrows it.
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="CASCADE"), default=None
    )
    journey_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("journeys.id", ondelete="CASCADE"), default=None
    )
    segment: Mapped[str | None] = mapped_column(String(80), default=None)
    target: Mapped[float] = mapped_column(Float)
    direction: Mapped[str] = mapped_column(String(8), default="at_least")  # at_least|at_most
    # Within this distance of the target (in the metric's unit) a miss is "at risk".
    tolerance: Mapped[float] = mapped_column(Float, default=0.0)
    window_days: Mapped[int] = mapped_column(Integer, default=90)  # the current value's period


class Action(IdMixin, TenantScoped, TimestampMixin, Base):
    """A coming deed that strengthens the experience: owner, due date, status, the
    measures it should move and the expected effect."""

    __tablename__ = "programme_actions"
    __table_args__ = (
        UniqueConstraint("organisation_id", "number", name="uq_programme_actions_number"),
        Index("ix_programme_actions_status", "organisation_id", "status"),
    )

    number: Mapped[int] = mapped_column(Integer)  # shown to people: "T-12"
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    element_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("programme_elements.id", ondelete="SET NULL"), default=None
    )
    standard_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("programme_standards.id", ondelete="SET NULL"), default=None
    )
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None
    )
    status: Mapped[str] = mapped_column(String(16), default="planned")  # programme.statuses
    due_date: Mapped[date | None] = mapped_column(default=None)
    expected_effect: Mapped[str] = mapped_column(Text, default="")
    started_on: Mapped[date | None] = mapped_column(default=None)
    done_on: Mapped[date | None] = mapped_column(default=None)
    # Where it came from: an employee's observation, a failed walkthrough check.
    observation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("programme_observations.id", ondelete="SET NULL"), default=None
    )
    walkthrough_check_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("programme_walkthrough_checks.id", ondelete="SET NULL"), default=None
    )


class ActionMeasure(TenantScoped, Base):
    """A measure an action is expected to move."""

    __tablename__ = "programme_action_measures"

    action_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programme_actions.id", ondelete="CASCADE"), primary_key=True
    )
    measure_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programme_measures.id", ondelete="CASCADE"), primary_key=True
    )


class ActionCase(TenantScoped, Base):
    """A case behind an action (a recurring root cause made into a programme action)."""

    __tablename__ = "programme_action_cases"

    action_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programme_actions.id", ondelete="CASCADE"), primary_key=True
    )
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )


class Benchmark(IdMixin, TenantScoped, TimestampMixin, Base):
    """A reference from a leader in another industry, beside an element or a standard:
    what they do, and a measure and value if known."""

    __tablename__ = "programme_benchmarks"

    element_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("programme_elements.id", ondelete="CASCADE"), default=None
    )
    standard_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("programme_standards.id", ondelete="CASCADE"), default=None
    )
    # Our own measure shown beside the reference.
    measure_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("programme_measures.id", ondelete="SET NULL"), default=None
    )
    company: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(120))
    practice: Mapped[str] = mapped_column(Text)  # what they do
    metric_label: Mapped[str] = mapped_column(String(200), default="")
    value: Mapped[float | None] = mapped_column(Float, default=None)
    unit: Mapped[str] = mapped_column(String(40), default="")
    source: Mapped[str] = mapped_column(String(500), default="")  # where it is known from
    observed_on: Mapped[date | None] = mapped_column(default=None)


class Description(IdMixin, TenantScoped, TimestampMixin, Base):
    """The CX description's own words (one row per organisation); the rest of the
    document is generated from the pyramid and its status."""

    __tablename__ = "programme_descriptions"
    __table_args__ = (UniqueConstraint("organisation_id", name="uq_programme_descriptions_org"),)

    title_fi: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    # The desired experience in plain, inspiring words.
    promise_fi: Mapped[str] = mapped_column(Text, default="")
    promise_en: Mapped[str] = mapped_column(Text, default="")
    closing_fi: Mapped[str] = mapped_column(Text, default="")
    closing_en: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )


class Observation(IdMixin, TenantScoped, TimestampMixin, Base):
    """An employee's observation from the front line: what customers said or want, how it
    is changing, or an idea. Stored redacted of personal data."""

    __tablename__ = "programme_observations"
    __table_args__ = (
        UniqueConstraint("organisation_id", "number", name="uq_programme_observations_number"),
        Index("ix_programme_observations_status", "organisation_id", "status"),
    )

    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    touchpoint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="SET NULL"), default=None
    )
    kind: Mapped[str] = mapped_column(String(16))  # said | want | change | idea
    body: Mapped[str] = mapped_column(Text)
    redactions: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="new")
    votes: Mapped[int] = mapped_column(Integer, default=0)
    # The decision, told back to the submitter.
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    standard_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("programme_standards.id", ondelete="SET NULL"), default=None
    )


class ObservationVote(TenantScoped, Base):
    __tablename__ = "programme_observation_votes"

    observation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programme_observations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ObservationNote(IdMixin, TenantScoped, Base):
    """Another employee's addition to an observation."""

    __tablename__ = "programme_observation_notes"

    observation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programme_observations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Walkthrough(IdMixin, TenantScoped, TimestampMixin, Base):
    """A scheduled walk along a journey (or a mystery-shopping visit), every
    ``every_days``, each touchpoint checked against its standards."""

    __tablename__ = "programme_walkthroughs"

    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="walkthrough")  # | mystery_shop
    journey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    every_days: Mapped[int | None] = mapped_column(Integer, default=90)  # None: once
    next_due: Mapped[date] = mapped_column()
    reminded_for: Mapped[date | None] = mapped_column(default=None)  # the due date reminded of
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class WalkthroughRun(IdMixin, TenantScoped, Base):
    """One walk: who did it, when, and whether it is finished."""

    __tablename__ = "programme_walkthrough_runs"

    walkthrough_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programme_walkthroughs.id", ondelete="CASCADE"), index=True
    )
    due_on: Mapped[date] = mapped_column()
    performed_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    summary: Mapped[str] = mapped_column(Text, default="")


class WalkthroughCheck(IdMixin, TenantScoped, Base):
    """A touchpoint checked against one standard on a walk (or, without a standard, the
    touchpoint as a whole): passed, failed or not applicable, with a note."""

    __tablename__ = "programme_walkthrough_checks"
    __table_args__ = (
        UniqueConstraint("run_id", "touchpoint_id", "standard_id", name="uq_walkthrough_check"),
    )

    run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programme_walkthrough_runs.id", ondelete="CASCADE"), index=True
    )
    touchpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="CASCADE")
    )
    standard_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("programme_standards.id", ondelete="SET NULL"), default=None
    )
    result: Mapped[str] = mapped_column(String(8))  # pass | fail | na
    note: Mapped[str] = mapped_column(Text, default="")
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)


class WalkthroughPhoto(IdMixin, TenantScoped, Base):
    """A photo taken on a walk, kept in the database beside its check (small, resized
    by the phone's browser; capped in size by the service)."""

    __tablename__ = "programme_walkthrough_photos"

    check_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("programme_walkthrough_checks.id", ondelete="CASCADE"), index=True
    )
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
