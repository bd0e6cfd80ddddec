"""Queries of journeys data. ORM queries are scoped to the session's tenant by
``storage.tenancy``; the Core statements here filter by ``require_tenant`` by hand."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kohtaamo.journeys.models import (
    Customer,
    InteractionEvent,
    Journey,
    JourneyTouchpoint,
    Stage,
    Team,
    Touchpoint,
)
from kohtaamo.kit.ids import new_id
from kohtaamo.storage.tenancy import require_tenant


def upsert_insert(session: Session, table: Any) -> Any:
    """An INSERT that can take ON CONFLICT DO NOTHING on this session's database."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


# --- teams and touchpoints ----------------------------------------------------------------


def team(session: Session, team_id: uuid.UUID) -> Team | None:
    return session.scalar(select(Team).where(Team.id == team_id))


def team_by_name(session: Session, name: str) -> Team | None:
    return session.scalar(select(Team).where(func.lower(Team.name) == name.lower()))


def teams(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).order_by(Team.name)))


def touchpoint(session: Session, touchpoint_id: uuid.UUID) -> Touchpoint | None:
    return session.scalar(select(Touchpoint).where(Touchpoint.id == touchpoint_id))


def touchpoint_by_key(session: Session, key: str) -> Touchpoint | None:
    return session.scalar(select(Touchpoint).where(Touchpoint.key == key))


def touchpoints(
    session: Session,
    *,
    channel: str | None = None,
    team_id: uuid.UUID | None = None,
    factor_group: str | None = None,
    journey_id: uuid.UUID | None = None,
    critical: bool | None = None,
) -> list[Touchpoint]:
    stmt = select(Touchpoint).order_by(Touchpoint.key)
    if channel is not None:
        stmt = stmt.where(Touchpoint.channel == channel)
    if team_id is not None:
        stmt = stmt.where(Touchpoint.owner_team_id == team_id)
    if factor_group is not None:
        stmt = stmt.where(Touchpoint.factor_group == factor_group)
    if critical is not None:
        stmt = stmt.where(Touchpoint.critical.is_(critical))
    if journey_id is not None:
        stmt = stmt.where(
            Touchpoint.id.in_(
                select(JourneyTouchpoint.touchpoint_id).where(
                    JourneyTouchpoint.journey_id == journey_id
                )
            )
        )
    return list(session.scalars(stmt))


def touchpoint_keys(session: Session) -> dict[str, uuid.UUID]:
    return {key: tid for tid, key in session.execute(select(Touchpoint.id, Touchpoint.key))}


def touchpoint_has_events(session: Session, touchpoint_id: uuid.UUID) -> bool:
    stmt = select(InteractionEvent.id).where(InteractionEvent.touchpoint_id == touchpoint_id)
    return session.scalar(stmt.limit(1)) is not None


def team_owns_touchpoints(session: Session, team_id: uuid.UUID) -> bool:
    stmt = select(Touchpoint.id).where(Touchpoint.owner_team_id == team_id).limit(1)
    return session.scalar(stmt) is not None


# --- journeys -------------------------------------------------------------------------------


def journey(session: Session, journey_id: uuid.UUID) -> Journey | None:
    return session.scalar(select(Journey).where(Journey.id == journey_id))


def journey_by_key(session: Session, key: str) -> Journey | None:
    return session.scalar(select(Journey).where(Journey.key == key))


def journeys(session: Session) -> list[Journey]:
    return list(session.scalars(select(Journey).order_by(Journey.name)))


def journey_keys(session: Session, keys: Sequence[str]) -> dict[str, uuid.UUID]:
    if not keys:
        return {}
    stmt = select(Journey.key, Journey.id).where(Journey.key.in_(sorted(set(keys))))
    return {key: jid for key, jid in session.execute(stmt)}


def stage(session: Session, journey_id: uuid.UUID, stage_id: uuid.UUID) -> Stage | None:
    stmt = select(Stage).where(Stage.id == stage_id, Stage.journey_id == journey_id)
    return session.scalar(stmt)


def placements(session: Session, journey_id: uuid.UUID) -> list[tuple[JourneyTouchpoint, str]]:
    stmt = (
        select(JourneyTouchpoint, Touchpoint.key)
        .join(Touchpoint, Touchpoint.id == JourneyTouchpoint.touchpoint_id)
        .where(JourneyTouchpoint.journey_id == journey_id)
        .order_by(JourneyTouchpoint.position)
    )
    return [(jt, key) for jt, key in session.execute(stmt)]


def placement(
    session: Session, journey_id: uuid.UUID, touchpoint_id: uuid.UUID
) -> JourneyTouchpoint | None:
    stmt = select(JourneyTouchpoint).where(
        JourneyTouchpoint.journey_id == journey_id,
        JourneyTouchpoint.touchpoint_id == touchpoint_id,
    )
    return session.scalar(stmt)


def stage_placements(session: Session, stage_id: uuid.UUID) -> list[JourneyTouchpoint]:
    stmt = (
        select(JourneyTouchpoint)
        .where(JourneyTouchpoint.stage_id == stage_id)
        .order_by(JourneyTouchpoint.position)
    )
    return list(session.scalars(stmt))


# --- customers ------------------------------------------------------------------------------


def customer(session: Session, external_id: str) -> Customer | None:
    return session.scalar(select(Customer).where(Customer.external_id == external_id))


def customers_by_external_id(session: Session, external_ids: Sequence[str]) -> dict[str, Customer]:
    if not external_ids:
        return {}
    stmt = select(Customer).where(Customer.external_id.in_(sorted(set(external_ids))))
    return {c.external_id: c for c in session.scalars(stmt)}


def customers(session: Session, *, limit: int, offset: int) -> tuple[list[Customer], int]:
    total = session.scalar(select(func.count()).select_from(Customer)) or 0
    stmt = select(Customer).order_by(Customer.external_id).limit(limit).offset(offset)
    return list(session.scalars(stmt)), total


def segments(session: Session, limit: int = 200) -> list[str]:
    stmt = (
        select(Customer.segment)
        .where(Customer.segment.is_not(None))
        .group_by(Customer.segment)
        .order_by(Customer.segment)
        .limit(limit)
    )
    return [s for s in session.scalars(stmt) if s]


def customer_ids(session: Session, external_ids: Sequence[str]) -> dict[str, uuid.UUID]:
    """External id → internal id for those that exist: one query for a whole batch."""
    return {ext: as_uuid(raw) for ext, raw in raw_customer_ids(session, external_ids).items()}


# --- the ingestion hot path: driver-level SQL ------------------------------------------------
#
# SQLAlchemy's per-row type processing cost more than the database itself at 1,000 events a
# batch, so these statements go to the driver with values already in the stored form: on
# SQLite, UUIDs as 32 hex digits and times as naive UTC text (what ``Uuid`` and
# ``UTCDateTime`` store); on PostgreSQL, the driver's own types. Tenancy is by hand here.


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def as_uuid(raw: Any) -> uuid.UUID:
    return raw if isinstance(raw, uuid.UUID) else uuid.UUID(hex=raw)


def _sqlite_id(value: uuid.UUID) -> Any:
    return value.hex


def _sqlite_time(moment: datetime) -> Any:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _same(value: Any) -> Any:
    return value


def raw_converters(
    session: Session,
) -> tuple[Callable[[uuid.UUID], Any], Callable[[datetime], Any]]:
    """Functions turning a UUID and an aware datetime into their stored form."""
    return (_sqlite_id, _sqlite_time) if _is_sqlite(session) else (_same, _same)


def raw_id(session: Session, value: uuid.UUID) -> Any:
    return raw_converters(session)[0](value)


def raw_customer_ids(session: Session, external_ids: Sequence[str]) -> dict[str, Any]:
    """External id → the stored id value, for those that exist: one query."""
    if not external_ids:
        return {}
    org = require_tenant(session)
    mark = "?" if _is_sqlite(session) else "%s"
    sql = (
        f"SELECT external_id, id FROM customers WHERE organisation_id = {mark} "
        f"AND external_id IN ({', '.join([mark] * len(external_ids))})"
    )
    params = (raw_id(session, org), *external_ids)
    # .all(): one fetchall, not a trip through the result layers per row.
    return dict(session.connection().exec_driver_sql(sql, params).all())


def insert_bare_customers(session: Session, external_ids: Sequence[str], now: datetime) -> None:
    """Create empty profiles; ones another transaction created meanwhile are left alone."""
    to_id = raw_converters(session)[0]
    raw_insert_bare_customers(session, external_ids, now, [to_id(new_id()) for _ in external_ids])


def raw_insert_bare_customers(
    session: Session, external_ids: Sequence[str], now: datetime, ids: Sequence[Any]
) -> dict[str, Any]:
    """Create empty profiles with the given stored id values, in one statement; return
    external id → stored id value of those created (ones another transaction created
    meanwhile are left alone and left out, and then re-read here)."""
    if not external_ids:
        return {}
    to_id, to_time = raw_converters(session)
    org = to_id(require_tenant(session))
    at = to_time(now)
    sqlite_ = _is_sqlite(session)
    mark = "?" if sqlite_ else "%s"
    empty = "'{}'" if sqlite_ else "'{}'::jsonb"
    one = f"({mark}, {mark}, {mark}, {mark}, {mark}, {empty}, {empty})"
    # No RETURNING: the ids are ours, and the count of rows inserted tells whether all
    # were (the usual case); only when some were not are the new ones read back.
    sql = (
        "INSERT INTO customers (id, organisation_id, external_id, created_at, updated_at, "
        "attributes, consents) VALUES "
        + ", ".join([one] * len(external_ids))
        + " ON CONFLICT (organisation_id, external_id) DO NOTHING"
    )
    params = tuple(
        chain.from_iterable(
            (raw, org, ext, at, at) for raw, ext in zip(ids, external_ids, strict=True)
        )
    )
    inserted = session.connection().exec_driver_sql(sql, params).rowcount
    if inserted == len(external_ids):
        return dict(zip(external_ids, ids, strict=True))
    mine = set(ids)
    return {ext: raw for ext, raw in raw_customer_ids(session, external_ids).items() if raw in mine}


EVENT_COLUMNS = (
    "organisation_id",
    "event_key",
    "customer_id",
    "touchpoint_id",
    "occurred_at",
    "received_at",
    "journey_id",
    "journey_instance",
    "channel_detail",
    "order_value",
    "attributes",
)


def insert_events(session: Session, rows: list[tuple[Any, ...]]) -> dict[str, int]:
    """Insert events (values in :data:`EVENT_COLUMNS` order, stored form, ``attributes`` as
    JSON text or None) in one statement; return event key → row id of those inserted.

    A key the organisation already has is skipped by ON CONFLICT DO NOTHING, atomically,
    so concurrent retries of one event store it once.
    """
    if not rows:
        return {}
    sqlite_ = _is_sqlite(session)
    mark = "?" if sqlite_ else "%s"
    one = (
        "(" + ", ".join([mark] * (len(EVENT_COLUMNS) - 1)) + (", ?)" if sqlite_ else ", %s::jsonb)")
    )
    sql = (
        f"INSERT INTO interaction_events ({', '.join(EVENT_COLUMNS)}) VALUES "
        + ", ".join([one] * len(rows))
        + " ON CONFLICT (organisation_id, event_key) DO NOTHING RETURNING id, event_key"
    )
    params = tuple(chain.from_iterable(rows))
    result = session.connection().exec_driver_sql(sql, params)
    return {key: row_id for row_id, key in result.all()}


# --- events ---------------------------------------------------------------------------------


def export_rows(
    session: Session,
    *,
    touchpoint_ids: Sequence[uuid.UUID] | None,
    start: datetime | None,
    end: datetime | None,
) -> Iterator[tuple[str, str, datetime, str]]:
    """(customer external id, touchpoint key, occurred_at, event key) grouped by customer,
    each customer's events in time order, ties in arrival order; streamed."""
    org = require_tenant(session)
    stmt = (
        select(
            Customer.external_id,
            Touchpoint.key,
            InteractionEvent.occurred_at,
            InteractionEvent.event_key,
        )
        .join(Customer, Customer.id == InteractionEvent.customer_id)
        .join(Touchpoint, Touchpoint.id == InteractionEvent.touchpoint_id)
        .where(InteractionEvent.organisation_id == org)
        .order_by(Customer.external_id, InteractionEvent.occurred_at, InteractionEvent.id)
        .execution_options(yield_per=10_000)
    )
    if touchpoint_ids is not None:
        stmt = stmt.where(InteractionEvent.touchpoint_id.in_(touchpoint_ids))
    if start is not None:
        stmt = stmt.where(InteractionEvent.occurred_at >= start)
    if end is not None:
        stmt = stmt.where(InteractionEvent.occurred_at < end)
    yield from session.execute(stmt)
