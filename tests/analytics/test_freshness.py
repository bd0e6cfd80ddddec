"""A finished response is in the store within five seconds, by the server's own sync."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from kohtaamo.analytics.store import get_store
from kohtaamo.app import create_app
from kohtaamo.config import Settings
from kohtaamo.storage.db import Database
from tests.analytics.sync_helpers import make_survey, submit
from tests.factories import Factory


def test_a_submitted_response_reaches_the_store_within_five_seconds(
    settings: Settings, db: Database, factory: Factory
) -> None:
    f = make_survey(db, factory.organisation())
    # A long poll: only the wake-up after commit can make it in time.
    live = settings.model_copy(update={"analytics_background_sync": True, "analytics_poll_s": 60.0})
    with TestClient(create_app(live, db)):
        store = get_store(live)
        time.sleep(0.5)  # the catch-up sync at startup
        rid = submit(db, f)
        submitted = time.monotonic()
        found = 0
        while time.monotonic() - submitted < 5.0:
            with store.cursor() as cur:
                row = cur.execute(
                    "SELECT count(*) FROM measures WHERE response_id = ?", [str(rid)]
                ).fetchone()
            found = int(row[0]) if row else 0
            if found:
                break
            time.sleep(0.05)
        assert found == 7, "the response did not reach the store within 5 s"
    assert store._closed  # the app closed it on shutdown
