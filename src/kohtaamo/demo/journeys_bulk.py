"""Bulk writing of demo customers and interaction events, fast enough for a million.

Catalogue data (teams, touchpoints, journeys) goes through the journeys services so that
their validation runs; customers and events are too many for that. A million customers
make about seven million events, so they are written here with multi-row ``executemany``
in large transactions, values already in their stored form (as the ingestion hot path
in ``journeys.repository`` does). These statements are Core, not ORM: tenancy is not
applied automatically, so every row's ``organisation_id`` comes from
:func:`~kohtaamo.storage.tenancy.require_tenant` of the writing session.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from kohtaamo.demo.generator import DemoContext
from kohtaamo.demo.paths_sim import EventChunk
from kohtaamo.journeys.models import Customer
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import require_tenant

EVENT_BATCH = 50_000
CUSTOMER_BATCH = 10_000

_SEQ_HIGH_BITS, _SEQ_LOW_BITS, _RANDOM_BITS = 12, 20, 42


class CustomerIds:
    """Row ids of a population of customers, by customer number (0-based).

    UUIDv7 with a sequence number in place of the first random bits (RFC 9562, method 2),
    so ids grow with the customer number and index pages fill in order; 42 random bits
    stay. Kept as two 64-bit halves: 16 bytes a customer instead of ~100 for UUID objects,
    which matters at ten million customers.
    """

    def __init__(self, count: int) -> None:
        if count >= 1 << (_SEQ_HIGH_BITS + _SEQ_LOW_BITS):
            raise ValueError("too many customers for one id sequence")
        ms = np.uint64(time.time_ns() // 1_000_000 & ((1 << 48) - 1))
        seq = np.arange(count, dtype=np.uint64)
        rand = np.frombuffer(os.urandom(8 * count), dtype=np.uint64)
        high_mask = np.uint64((1 << _SEQ_HIGH_BITS) - 1)
        low_mask = np.uint64((1 << _SEQ_LOW_BITS) - 1)
        self.hi = (
            (ms << np.uint64(16))
            | np.uint64(0x7000)
            | ((seq >> np.uint64(_SEQ_LOW_BITS)) & high_mask)
        )
        self.lo = (
            np.uint64(0b10 << 62)
            | ((seq & low_mask) << np.uint64(_RANDOM_BITS))
            | (rand & np.uint64((1 << _RANDOM_BITS) - 1))
        )

    def __len__(self) -> int:
        return int(self.hi.shape[0])

    def uuids(self, numbers: npt.NDArray[np.int64]) -> list[uuid.UUID]:
        pairs = zip(self.hi[numbers].tolist(), self.lo[numbers].tolist(), strict=True)
        return [uuid.UUID(int=(h << 64) | lo) for h, lo in pairs]

    def stored(self, numbers: npt.NDArray[np.int64], sqlite: bool) -> list[Any]:
        """The ids as the driver stores them: 32 hex digits on SQLite, UUIDs elsewhere."""
        if not sqlite:
            return list(self.uuids(numbers))
        pairs = zip(self.hi[numbers].tolist(), self.lo[numbers].tolist(), strict=True)
        return [f"{h:016x}{lo:016x}" for h, lo in pairs]


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def stored_times(ts_us: npt.NDArray[np.int64], sqlite: bool) -> list[Any]:
    """Microseconds since the epoch → what ``UTCDateTime`` stores: on SQLite naive UTC text
    'YYYY-MM-DD HH:MM:SS.ffffff' (so text comparison orders by time), else aware UTC."""
    moments = ts_us.astype("datetime64[us]")
    if sqlite:
        text = np.datetime_as_string(moments, unit="us").astype("S26")
        text.view(np.uint8).reshape(-1, 26)[:, 10] = ord(" ")  # ISO 'T' → SQLAlchemy's ' '
        return text.astype("U26").tolist()
    return [m.replace(tzinfo=UTC) for m in moments.tolist()]


# --- customers ------------------------------------------------------------------------


def insert_customers(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert customer profiles (``organisation_id`` filled in here) in one executemany."""
    org = require_tenant(session)
    session.execute(
        insert(cast(Table, Customer.__table__)), [{**row, "organisation_id": org} for row in rows]
    )


@dataclass(frozen=True)
class PathTotals:
    """What each customer of a simulated chunk did in the simulated year."""

    first: int  # customer number of the first customer in the chunk
    events: npt.NDArray[np.int64]
    purchases: npt.NDArray[np.int64]
    spend: npt.NDArray[np.float64]
    first_ts: npt.NDArray[np.int64]
    last_ts: npt.NDArray[np.int64]
    touched: Callable[[int], npt.NDArray[np.bool_]]  # touchpoint index → met it at all


def path_totals(chunk: EventChunk, purchase_touchpoints: Sequence[int]) -> PathTotals:
    """Per-customer sums of a chunk (events are grouped by customer, in time order)."""
    first = int(chunk.customer[0])
    local = (chunk.customer - first).astype(np.int64)
    size = int(local[-1]) + 1
    starts = np.flatnonzero(np.r_[True, local[1:] != local[:-1]])
    ends = np.r_[starts[1:], local.size] - 1
    bought = np.isin(chunk.touchpoint, purchase_touchpoints)

    def touched(index: int) -> npt.NDArray[np.bool_]:
        met = np.bincount(local, weights=chunk.touchpoint == index, minlength=size)
        return np.asarray(met > 0)

    return PathTotals(
        first=first,
        events=np.bincount(local, minlength=size),
        purchases=np.bincount(local, weights=bought, minlength=size).astype(np.int64),
        spend=np.bincount(local, weights=chunk.order_value, minlength=size).astype(np.float64),
        first_ts=chunk.ts_us[starts],
        last_ts=chunk.ts_us[ends],
        touched=touched,
    )


# --- events ---------------------------------------------------------------------------

_EVENT_COLUMNS = (
    "organisation_id",
    "event_key",
    "customer_id",
    "touchpoint_id",
    "occurred_at",
    "received_at",
    "journey_id",
    "order_value",
)


@contextmanager
def indexes_built_afterwards(db: Database, table: Table) -> Iterator[None]:
    """Drop ``table``'s plain indexes for a bulk load and build them again at the end.

    Events arrive grouped by customer but an index on time wants them in time order:
    kept during the load, it took a random page per event and the commits spent most of
    the time writing those pages out. Built at the end, it is one sort. (Unique
    constraints stay: the event-key one is fed in order anyway.)
    """
    indexes = sorted(table.indexes, key=lambda i: str(i.name))
    with db.engine.begin() as conn:
        for index in indexes:
            index.drop(conn, checkfirst=True)
    try:
        yield
    finally:
        with db.engine.begin() as conn:
            for index in indexes:
                index.create(conn, checkfirst=True)


def insert_events(session: Session, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert events of the session's organisation, one executemany.

    ``rows`` hold the values of :data:`_EVENT_COLUMNS` after ``organisation_id``, in
    stored form. Driver-level: SQLAlchemy's per-row type processing would cost more than
    SQLite's own work at seven million rows.
    """
    sqlite = is_sqlite(session)
    org = require_tenant(session)
    org_value = org.hex if sqlite else org
    marks = ", ".join(["?" if sqlite else "%s"] * len(_EVENT_COLUMNS))
    sql = f"INSERT INTO interaction_events ({', '.join(_EVENT_COLUMNS)}) VALUES ({marks})"
    session.connection().exec_driver_sql(sql, [(org_value, *row) for row in rows])


@dataclass(frozen=True)
class EventTarget:
    """Where one organisation's simulated events go, in stored form."""

    customer_ids: CustomerIds
    external_ids: Callable[[npt.NDArray[np.int64]], list[str]]
    touchpoint_ids: Sequence[uuid.UUID]  # by touchpoint index of the simulation
    journey_ids: Sequence[Sequence[uuid.UUID | None]]  # [customer kind][touchpoint index]
    kind: npt.NDArray[np.int8]  # customer kind by customer number: index into journey_ids


def write_events(
    ctx: DemoContext,
    step: str,
    chunks: Iterable[EventChunk],
    *,
    total: int,
    target: EventTarget,
    tenant: uuid.UUID,
    batch_size: int = EVENT_BATCH,
) -> int:
    """Write simulated events ``batch_size`` at a time, one transaction a batch.

    Event keys are ``demo-<customer external id>-<n>`` with n counting the customer's
    events from 0, so a re-run of the same seed makes the same keys. Zero order values
    (no purchase at that touchpoint) are stored as NULL.
    """
    ctx.progress(step, 0, total)
    done = 0
    with ctx.db.transaction(tenant, readonly=True) as session:
        sqlite = is_sqlite(session)
    raw = (lambda u: u.hex) if sqlite else (lambda u: u)
    touchpoints = np.array([raw(t) for t in target.touchpoint_ids], dtype=object)
    journeys = np.array(
        [[None if j is None else raw(j) for j in row] for row in target.journey_ids], dtype=object
    )
    for chunk in chunks:
        customer = chunk.customer.astype(np.int64)
        first = int(customer[0])
        local = customer - first
        numbers = np.arange(first, int(customer[-1]) + 1, dtype=np.int64)
        external = np.array(target.external_ids(numbers), dtype=object)[local]
        stored_ids = np.array(target.customer_ids.stored(numbers, sqlite), dtype=object)[local]
        starts = np.flatnonzero(np.r_[True, local[1:] != local[:-1]])
        seq = np.arange(local.size) - np.repeat(starts, np.diff(np.r_[starts, local.size]))
        journey = journeys[target.kind[customer], chunk.touchpoint]
        values = chunk.order_value.astype(object)
        values[chunk.order_value == 0] = None
        # Rows are made a batch at a time: a chunk's worth of tuples would take ~300 MB.
        for lo in range(0, local.size, batch_size):
            part = slice(lo, lo + batch_size)
            keys = [
                f"demo-{e}-{n}" for e, n in zip(external[part], seq[part].tolist(), strict=True)
            ]
            moments = stored_times(chunk.ts_us[part], sqlite)
            batch = list(
                zip(
                    keys,
                    stored_ids[part].tolist(),
                    touchpoints[chunk.touchpoint[part]].tolist(),
                    moments,
                    moments,  # received as it happened: the demo's systems send at once
                    journey[part].tolist(),
                    values[part].tolist(),
                    strict=True,
                )
            )
            with ctx.db.transaction(tenant) as session:
                insert_events(session, batch)
            done += len(batch)
            ctx.progress(step, done, max(total, done))
    ctx.counts[step] += done
    return done
