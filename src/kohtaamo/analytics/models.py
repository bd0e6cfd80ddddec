"""Tables of the analytics domain in the operational database: assumptions with their
verdicts, benchmark values (targets and references from other companies), and the
tombstones that carry erasures to the analytics store.

The measurements themselves are not stored here: the view ``analytics_measures`` (see
``schema.py`` and the migration) shapes ``survey_measures`` into the fact rows the
analytics store copies.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.base import Base, IdMixin, TenantScoped, TimestampMixin
from kohtaamo.storage.types import JSONDoc

RowId = BigInteger().with_variant(Integer(), "sqlite")


class Assumption(IdMixin, TenantScoped, TimestampMixin, Base):
    """A manager's belief written down ("corporate customers are more satisfied with
    billing than consumers"), as a machine-checkable spec; its latest verdict is kept
    here and every check in ``assumption_checks``."""

    __tablename__ = "assumptions"

    statement: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))  # see analytics.assumptions
    spec: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    verdict: Mapped[str | None] = mapped_column(String(24), default=None)
    checked_at: Mapped[datetime | None] = mapped_column(default=None)


class AssumptionCheck(IdMixin, TenantScoped, Base):
    """One run of an assumption's test: verdict, the numbers behind it, when."""

    __tablename__ = "assumption_checks"
    __table_args__ = (Index("ix_assumption_checks_assumption", "assumption_id", "checked_at"),)

    assumption_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assumptions.id", ondelete="CASCADE")
    )
    verdict: Mapped[str] = mapped_column(String(24))
    result: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)


class BenchmarkValue(IdMixin, TenantScoped, TimestampMixin, Base):
    """A number to compare a metric with: our own target, or a reference value from
    another company or industry ("the leading airline's check-in CES"), optionally for
    one unit (touchpoint, channel, team, journey) and a period."""

    __tablename__ = "benchmark_values"

    kind: Mapped[str] = mapped_column(String(16))  # "target" | "external"
    metric: Mapped[str] = mapped_column(String(40))  # a slug of analytics.catalogue
    scope_dimension: Mapped[str | None] = mapped_column(String(40), default=None)
    scope_value: Mapped[str | None] = mapped_column(String(200), default=None)
    value: Mapped[float] = mapped_column(Float)
    label: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    valid_from: Mapped[date | None] = mapped_column(default=None)
    valid_to: Mapped[date | None] = mapped_column(default=None)


class AnalyticsTombstone(TenantScoped, Base):
    """A deletion the analytics store must repeat: a response, or every measure of a
    customer (erasure). Written in the deleting transaction; the sync applies and keeps
    them, so a store rebuilt from a backup forgets the same rows."""

    __tablename__ = "analytics_tombstones"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # "response" | "customer"
    ref_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
