"""R-02 / issue #9 item 5: SIGKILL during sustained ingestion of events and responses,
on SQLite and PostgreSQL (whichever this pass runs on). A few seeds run in every pass;
``python -m tests.storage.crash_harness --seeds 20`` runs more (bench/RESULTS.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kohtaamo.storage.db import Database
from tests.factories import Factory
from tests.storage.crash_harness import prepare, run_seed

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

SEEDS = range(1, 1 + int(os.environ.get("KOHTAAMO_CRASH_SEEDS", "3")))


def test_sigkill_loses_nothing_acknowledged_and_retries_land_once(
    db: Database, factory: Factory, tmp_path: Path
) -> None:
    world = prepare(db, factory)
    try:
        results = [run_seed(world, seed, tmp_path) for seed in SEEDS]
    finally:
        world.receiver.close()
    for result in results:
        assert result.acked_before_kill > 0, f"seed {result.seed} killed before any ack"
        assert result.ok, f"seed {result.seed}: {result.problems}"
        assert result.lost == 0 and result.duplicates == 0 and result.webhooks_missing == 0
    # The kill must have cut work short at least once, or nothing was tested.
    assert any(r.acked_before_kill < r.sent for r in results)
