"""The one source of 'now'. Always timezone-aware UTC; tests may freeze it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_frozen: datetime | None = None


def utcnow() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC)


def ensure_utc(value: datetime) -> datetime:
    """Refuse naive datetimes: a time without a zone is ambiguous in a product used across zones."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError("datetime must be timezone-aware")
    return value.astimezone(UTC)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    global _frozen
    previous, _frozen = _frozen, ensure_utc(moment)
    try:
        yield
    finally:
        _frozen = previous
