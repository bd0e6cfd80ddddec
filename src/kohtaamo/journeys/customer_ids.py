"""Customer external id → stored id for ingestion, with an in-process cache.

Looking the customers of a batch up (and creating the ones never seen) was the largest
single cost of ingestion, while most events name a customer seen a moment ago. So the
ids are cached per organisation, bounded (least recently used out first).

A cached id must never name a deleted customer, or the events would fail the foreign
key. Hence:

- the cache is filled only after the commit that read or created the ids, and only if
  the organisation's cache was not invalidated since the ids were read (a generation
  counter), so a deletion committed meanwhile cannot be undone by a late fill;
- deleting customers invalidates the organisation's cache after that commit
  (:func:`forget_customers_after_commit`);
- another process may still delete a customer; the caller then gets an integrity error
  from the event insert and retries once without the cache (see ``ingest_events``).
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import OrderedDict
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kohtaamo.journeys import repository as repo
from kohtaamo.storage.db import after_commit
from kohtaamo.storage.tenancy import require_tenant

MAX_ENTRIES = 500_000  # all organisations together; ~100 bytes an entry

_lock = threading.Lock()
# (dialect, organisation) → external id → stored id value, least recently used first.
_entries: OrderedDict[tuple[str, uuid.UUID], OrderedDict[str, Any]] = OrderedDict()
_generation: dict[uuid.UUID, int] = {}
_size = 0


def forget_customers(organisation_id: uuid.UUID) -> None:
    """Drop the organisation's cached ids; fills of ids read before this are ignored."""
    global _size
    with _lock:
        _generation[organisation_id] = _generation.get(organisation_id, 0) + 1
        for key in [k for k in _entries if k[1] == organisation_id]:
            _size -= len(_entries.pop(key))


def forget_customers_after_commit(session: Session) -> None:
    org = require_tenant(session)
    after_commit(session, lambda: forget_customers(org))


def _cached(dialect: str, org: uuid.UUID, wanted: list[str]) -> tuple[dict[str, Any], int]:
    with _lock:
        generation = _generation.get(org, 0)
        ids = _entries.get((dialect, org))
        if not ids:
            return {}, generation
        _entries.move_to_end((dialect, org))
        hits = {}
        for ext in wanted:
            value = ids.get(ext)
            if value is not None:
                hits[ext] = value
                ids.move_to_end(ext)
        return hits, generation


def _fill(dialect: str, org: uuid.UUID, generation: int, found: dict[str, Any]) -> None:
    global _size
    with _lock:
        if _generation.get(org, 0) != generation:
            return  # customers were deleted since these ids were read
        ids = _entries.get((dialect, org))
        if ids is None:
            ids = _entries[(dialect, org)] = OrderedDict()
        _entries.move_to_end((dialect, org))
        before = len(ids)
        ids.update(found)
        _size += len(ids) - before
        while _size > MAX_ENTRIES and _entries:
            oldest = next(iter(_entries.values()))
            oldest.popitem(last=False)
            _size -= 1
            if not oldest:
                _entries.popitem(last=False)


def new_raw_ids(count: int, sqlite: bool) -> list[Any]:
    """``count`` UUIDv7s (as :func:`kohtaamo.kit.ids.new_id`) in their stored form, with
    one call for the randomness instead of one per id."""
    ms = (time.time_ns() // 1_000_000) & ((1 << 48) - 1)
    head = (ms << 80) | (0x7 << 76) | (0b10 << 62)
    noise = os.urandom(10 * count)
    values = []
    for i in range(count):
        rand = int.from_bytes(noise[10 * i : 10 * i + 10], "big")
        values.append(head | (((rand >> 62) & 0xFFF) << 64) | (rand & ((1 << 62) - 1)))
    if sqlite:
        return [f"{v:032x}" for v in values]
    return [uuid.UUID(int=v) for v in values]


def customer_ids(
    session: Session, external_ids: list[str], now: datetime, *, cache: bool
) -> dict[str, Any]:
    """External id → stored id value; customers never seen get a bare profile first.
    ``cache``: use (and after commit, fill) the in-process cache."""
    wanted = list(set(external_ids))
    dialect = session.get_bind().dialect.name
    org = require_tenant(session)
    found, generation = _cached(dialect, org, wanted) if cache else ({}, 0)
    if len(found) == len(wanted):
        return found
    missing = sorted(ext for ext in wanted if ext not in found)
    fresh = repo.raw_customer_ids(session, missing)
    new = [ext for ext in missing if ext not in fresh]
    if new:
        ids = new_raw_ids(len(new), dialect == "sqlite")
        created = repo.raw_insert_bare_customers(session, new, now, ids)
        fresh.update(created)
        # Created meanwhile by a concurrent transaction (PostgreSQL): read them.
        raced = [ext for ext in new if ext not in created]
        fresh.update(repo.raw_customer_ids(session, raced))
    if cache:
        after_commit(session, lambda: _fill(dialect, org, generation, fresh))
    found.update(fresh)
    return found
