"""Teams, journeys with ordered stages, touchpoints, customers and interaction events."""

from __future__ import annotations

import uuid
from datetime import date, datetime

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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kohtaamo.storage.base import Base, IdMixin, TenantScoped, TimestampMixin
from kohtaamo.storage.types import JSONDoc

# Integer primary keys on SQLite are rowids (compact, ordered by arrival).
EventId = BigInteger().with_variant(Integer(), "sqlite")


class Team(IdMixin, TenantScoped, TimestampMixin, Base):
    """An owning team: every touchpoint has one, so that no touchpoint falls between silos."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    name: Mapped[str] = mapped_column(String(120))


class Journey(IdMixin, TenantScoped, TimestampMixin, Base):
    __tablename__ = "journeys"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    key: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_team_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None
    )
    target_segment: Mapped[str | None] = mapped_column(String(80), default=None)

    stages: Mapped[list[Stage]] = relationship(
        back_populates="journey", order_by="Stage.position", cascade="all, delete-orphan"
    )


class Stage(IdMixin, TenantScoped, Base):
    __tablename__ = "journey_stages"
    __table_args__ = (UniqueConstraint("journey_id", "position"),)

    journey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name_fi: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    name_sv: Mapped[str] = mapped_column(String(120), default="")

    journey: Mapped[Journey] = relationship(back_populates="stages")


class Touchpoint(IdMixin, TenantScoped, TimestampMixin, Base):
    __tablename__ = "touchpoints"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    key: Mapped[str] = mapped_column(String(80))
    name_fi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    name_sv: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(32))
    owner_team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"))
    factor_group: Mapped[str] = mapped_column(String(16))
    expectation: Mapped[str] = mapped_column(Text, default="")
    critical: Mapped[bool] = mapped_column(Boolean, default=False)


class JourneyTouchpoint(IdMixin, TenantScoped, Base):
    """A touchpoint placed on a stage of a journey; a touchpoint may sit on several journeys."""

    __tablename__ = "journey_touchpoints"
    __table_args__ = (UniqueConstraint("journey_id", "touchpoint_id"),)

    journey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    stage_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("journey_stages.id", ondelete="CASCADE"))
    touchpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)


class Customer(IdMixin, TenantScoped, TimestampMixin, Base):
    """What analysis needs of a customer, keyed by the organisation's own id. Not a CRM."""

    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("organisation_id", "external_id"),)

    external_id: Mapped[str] = mapped_column(String(120))
    segment: Mapped[str | None] = mapped_column(String(80), default=None)
    region: Mapped[str | None] = mapped_column(String(80), default=None)
    plan: Mapped[str | None] = mapped_column(String(80), default=None)
    customer_since: Mapped[date | None] = mapped_column(default=None)
    purchases: Mapped[int | None] = mapped_column(Integer, default=None)
    lifetime_value: Mapped[float | None] = mapped_column(Float, default=None)
    locale: Mapped[str | None] = mapped_column(String(8), default=None)
    email: Mapped[str | None] = mapped_column(String(254), default=None)  # survey invitations
    attributes: Mapped[dict[str, object]] = mapped_column(JSONDoc, default=dict)
    consents: Mapped[dict[str, bool]] = mapped_column(JSONDoc, default=dict)


class InteractionEvent(TenantScoped, Base):
    """Customer X met touchpoint Y at time T. ``id`` grows with arrival: ties keep that order."""

    __tablename__ = "interaction_events"
    __table_args__ = (
        UniqueConstraint("organisation_id", "event_key"),
        Index("ix_interaction_events_org_at", "organisation_id", "occurred_at"),
        # No index led by customer: customers arrive in random order, and such an index
        # touched one B-tree page per event, which halved ingestion speed. Per-customer
        # reading goes through the path store; erasing a customer scans (rare).
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    event_key: Mapped[str] = mapped_column(String(120))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    touchpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("touchpoints.id", ondelete="CASCADE")
    )
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]
    journey_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("journeys.id", ondelete="SET NULL"), default=None
    )
    journey_instance: Mapped[str | None] = mapped_column(String(120), default=None)
    channel_detail: Mapped[str | None] = mapped_column(String(200), default=None)
    order_value: Mapped[float | None] = mapped_column(Float, default=None)
    attributes: Mapped[dict[str, object] | None] = mapped_column(JSONDoc, default=None)
