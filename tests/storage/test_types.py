"""UTCDateTime: aware UTC in and out on both databases; naive values refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from kohtaamo.accounts.models import Organisation
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS

HELSINKI_SUMMER = timezone(timedelta(hours=3))


def _store(db: Database, created_at: datetime) -> datetime:
    with db.transaction(ALL_TENANTS) as session:
        org = Organisation(name="Aika", slug="aika", created_at=created_at)
        session.add(org)
        session.flush()
        org_id = org.id
    with db.transaction(ALL_TENANTS) as session:
        stored = session.scalar(select(Organisation.created_at).where(Organisation.id == org_id))
    assert stored is not None
    return stored


def test_aware_non_utc_is_stored_and_read_as_utc(db: Database) -> None:
    local = datetime(2026, 6, 1, 12, 30, 15, 123456, tzinfo=HELSINKI_SUMMER)
    stored = _store(db, local)
    assert stored == local
    assert stored.utcoffset() == timedelta(0)
    assert (stored.hour, stored.minute, stored.microsecond) == (9, 30, 123456)


def test_utc_round_trips_exactly(db: Database) -> None:
    moment = datetime(2026, 1, 31, 23, 59, 59, 999999, tzinfo=UTC)
    assert _store(db, moment) == moment


def test_naive_datetime_is_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="timezone-aware"):
        _store(db, datetime(2026, 6, 1, 12, 0))
    with db.engine.connect() as conn:
        assert conn.execute(select(Organisation.__table__.c.id)).first() is None


def test_comparisons_across_zones_use_the_instant(db: Database) -> None:
    local = datetime(2026, 6, 1, 12, 0, tzinfo=HELSINKI_SUMMER)
    _store(db, local)
    with db.transaction(ALL_TENANTS) as session:
        same_instant = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
        found = session.scalar(
            select(Organisation.id).where(Organisation.created_at == same_instant)
        )
    assert found is not None
