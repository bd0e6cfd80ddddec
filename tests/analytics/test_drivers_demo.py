"""The demo's planted key driver (``demo/surveys_answers.NPS_WEIGHT``: the entry queue
moves the NPS most) is what the driver analysis finds, through the real store."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from kohtaamo.accounts import passwords
from kohtaamo.accounts.models import Organisation
from kohtaamo.analytics.drivers import DriverQuery, analyse, critical_touchpoints
from kohtaamo.demo import seed_demo
from kohtaamo.demo.surveys_answers import NPS_WEIGHT
from kohtaamo.storage.db import Database
from tests.analytics.conftest import SyncedStore


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The seed hashes the demo logins' passwords; cheap argon2 keeps this test short."""
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.mark.slow
def test_the_entry_queue_is_the_strongest_nps_driver(
    db: Database, analytics_store: SyncedStore
) -> None:
    seed_demo(db)
    source = analytics_store.sync()
    with db.engine.connect() as conn:
        org = conn.scalar(select(Organisation.id).where(Organisation.slug == "elamys"))
    report = analyse(source, org, DriverQuery(outcome="nps", bootstrap=100))
    ranked = [d.key for d in report.drivers]
    assert ranked[0] == max(NPS_WEIGHT, key=NPS_WEIGHT.__getitem__) == "venue.entry"
    assert report.n >= 200 and 0.1 < report.r2 < 0.9
    entry = report.drivers[0]
    # clearly first: its interval lies above every other driver's point weight
    assert entry.interval is not None
    assert all(entry.interval[0] > d.weight for d in report.drivers[1:])
    assert [d.key for d in critical_touchpoints(source, org, limit=1)] == ["venue.entry"]
    # relative weights agree on the first place
    rw = analyse(source, org, DriverQuery(method="relative_weights", bootstrap=0))
    assert rw.drivers[0].key == "venue.entry"
