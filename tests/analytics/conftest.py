"""Fixtures for analytics tests: a real analytics store filled from the test database.

``analytics_store`` is an in-memory DuckDB store (``kohtaamo.analytics.store``) bound to
the test database ``db``. Create operational rows first (factories, ``do_submit``, the
demo seeder), then call ``analytics_store.sync()``: it copies every new measure, the
dimension tables and pending erasures, exactly as the server's background sync does, and
returns a fresh :class:`~kohtaamo.analytics.source.Source` to query::

    def test_nps(analytics_store, factory):
        ...create responses...
        source = analytics_store.sync()
        expr = source.measures.filter(source.measures.organisation_id == str(org.id))

The store holds every organisation: queries must filter ``organisation_id``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from kohtaamo.analytics.source import Source
from kohtaamo.analytics.store import AnalyticsStore
from kohtaamo.analytics.sync import SyncResult, sync
from kohtaamo.storage.db import Database


@dataclass
class SyncedStore:
    """An analytics store and the operational database it copies from."""

    store: AnalyticsStore
    db: Database
    last: SyncResult | None = None

    def sync(self) -> Source:
        """Bring the store up to date with ``db``; the source to query afterwards."""
        self.last = sync(self.store, self.db)
        return self.store.source()

    def source(self) -> Source:
        """The store as it is now (no sync)."""
        return self.store.source()


@pytest.fixture
def analytics_store(db: Database) -> Iterator[SyncedStore]:
    store = AnalyticsStore(":memory:")
    try:
        yield SyncedStore(store=store, db=db)
    finally:
        store.close()
