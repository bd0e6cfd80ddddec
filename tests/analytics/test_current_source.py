"""A process that cannot have the store (another server process owns the file) still
answers: from the operational PostgreSQL through the same queries, or on SQLite with a
503 to retry, never a 500 or a stale store."""

from __future__ import annotations

import pytest

from kohtaamo.analytics import tasks
from kohtaamo.analytics.query import Spec, cells
from kohtaamo.analytics.store import StoreBusy
from kohtaamo.config import Settings
from kohtaamo.errors import Unavailable
from kohtaamo.storage.db import Database
from tests.analytics.conftest import SyncedStore
from tests.analytics.sync_helpers import make_survey, submit
from tests.factories import Factory


def _busy(_settings: Settings) -> None:
    raise StoreBusy("another process has the analytics store open")


def test_a_busy_store_falls_back_to_postgresql_or_asks_to_retry(
    db: Database,
    factory: Factory,
    settings: Settings,
    analytics_store: SyncedStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fixture = make_survey(db, factory.organisation())
    for i in range(12):
        submit(db, fixture, customer=f"c-{i}", nps=i % 11, experienced=1 + i % 5, speed=i % 5 - 2)
    spec = Spec(metrics=("nps", "expectation_gap", "responses"))
    expected = cells(analytics_store.sync(), fixture.org.id, spec)

    monkeypatch.setattr(tasks, "get_store", _busy)
    if db.dialect != "postgresql":
        with pytest.raises(Unavailable):
            tasks.current_source(settings, db)
        return
    source = tasks.current_source(settings, db)
    try:
        got = cells(source, fixture.org.id, spec)
        assert [c.values for c in got] == [c.values for c in expected]
        assert got and got[0].values["responses"].value == 12
    finally:
        source.con.disconnect()
        tasks._operational.source = None
