"""Group commit: concurrent ingestion shares transactions, yet every caller gets exactly
its own outcome, only after the commit, and one caller's failure is nobody else's."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from kohtaamo.journeys import ingest
from kohtaamo.journeys.models import InteractionEvent, Team
from kohtaamo.storage.db import Database, after_commit
from kohtaamo.storage.groupcommit import GroupCommit, group_commit
from tests.factories import Factory
from tests.journeys.helpers import Catalogue, seed

AT = (datetime.now(UTC) - timedelta(hours=1)).isoformat()


@pytest.fixture
def cat(db: Database, factory: Factory) -> Catalogue:
    return seed(db, factory.organisation())


def event_item(key: str, customer: str = "c-1") -> dict[str, Any]:
    return {"id": key, "customer": customer, "touchpoint": "website", "occurred_at": AT}


def stored_keys(db: Database, org: uuid.UUID) -> list[str]:
    with db.transaction(org, readonly=True) as session:
        return sorted(session.scalars(select(InteractionEvent.event_key)))


def team_names(db: Database, org: uuid.UUID) -> set[str]:
    with db.transaction(org, readonly=True) as session:
        return set(session.scalars(select(Team.name)))


class Held:
    """A first unit that holds the lead until the others have queued behind it, so that
    they form one group whatever the thread scheduling."""

    def __init__(self, gc: GroupCommit, org: uuid.UUID) -> None:
        self.gc, self.release = gc, threading.Event()
        self.thread = threading.Thread(target=gc.run, args=(org, self._work))
        self.started = threading.Event()

    def _work(self, session: Session) -> None:
        self.started.set()
        assert self.release.wait(10)

    def __enter__(self) -> Held:
        self.thread.start()
        assert self.started.wait(10)
        return self

    def wait_queued(self, count: int) -> None:
        deadline = time.monotonic() + 10
        while len(self.gc._queue) < count:
            assert time.monotonic() < deadline, "units did not queue"
            time.sleep(0.005)

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.thread.join(10)


def add_team(name: str, fail: bool = False) -> Callable[[Session], str]:
    def work(session: Session) -> str:
        session.add(Team(name=name))
        session.flush()
        after_commit(session, lambda: committed.append(name))
        if fail:
            raise RuntimeError(f"{name} fails")
        return name

    return work


committed: list[str] = []


@pytest.fixture(autouse=True)
def _clear_committed() -> Iterator[None]:
    committed.clear()
    yield
    committed.clear()


def test_queued_units_share_one_commit_and_get_their_own_results(
    db: Database, cat: Catalogue
) -> None:
    gc = GroupCommit(db)
    org = cat.org.id
    seen: list[int] = []

    def unit(name: str) -> Callable[[Session], str]:
        def work(session: Session) -> str:
            seen.append(len(committed))  # callbacks of earlier units in the group so far
            return add_team(name)(session)

        return work

    with ThreadPoolExecutor(8) as pool, Held(gc, org) as held:
        futures = []
        for i in range(8):
            futures.append(pool.submit(gc.run, org, unit(f"team {i}")))
            held.wait_queued(i + 1)
        assert not any(f.done() for f in futures)  # nobody answered before the commit
    assert [f.result(10) for f in futures] == [f"team {i}" for i in range(8)]
    assert seen == [0] * 8  # no after-commit callback ran when a savepoint was released
    assert (gc.groups, gc.units) == (2, 9)  # the holder alone, then the 8 together
    assert sorted(committed) == sorted(f"team {i}" for i in range(8))
    assert {f"team {i}" for i in range(8)} <= team_names(db, org)


def test_a_failing_unit_is_rolled_back_alone_and_its_neighbours_kept(
    db: Database, cat: Catalogue
) -> None:
    gc = GroupCommit(db)
    org = cat.org.id
    names = ["kept 1", "broken", "kept 2"]
    with ThreadPoolExecutor(3) as pool, Held(gc, org) as held:
        futures = []
        for name in names:  # one at a time: the queue order is the order of the group
            futures.append(pool.submit(gc.run, org, add_team(name, fail=name == "broken")))
            held.wait_queued(len(futures))
    assert futures[0].result(10) == "kept 1"
    assert futures[2].result(10) == "kept 2"
    with pytest.raises(RuntimeError, match="broken fails"):
        futures[1].result(10)
    assert gc.groups == 2  # the failure did not break the group up
    assert team_names(db, org) >= {"kept 1", "kept 2"}
    assert "broken" not in team_names(db, org)
    assert sorted(committed) == ["kept 1", "kept 2"]  # no callback for the rolled-back unit


def test_when_the_group_commit_fails_each_unit_runs_again_alone(
    db: Database, cat: Catalogue
) -> None:
    gc = GroupCommit(db)
    org = cat.org.id
    failures: list[int] = []

    def fail_flagged_commit(session: Session) -> None:
        # The real COMMIT, not a savepoint's release (SQLAlchemy reports both).
        if not session.in_nested_transaction() and session.info.pop("fail_commit", False):
            failures.append(1)
            raise RuntimeError("disk full")

    def flagged(name: str) -> Callable[[Session], str]:
        inner = add_team(name)

        def work(session: Session) -> str:
            session.info["fail_commit"] = True
            return inner(session)

        return work

    event.listen(Session, "before_commit", fail_flagged_commit)
    try:
        with ThreadPoolExecutor(3) as pool, Held(gc, org) as held:
            futures = [pool.submit(gc.run, org, add_team(f"solo {i}")) for i in range(2)]
            held.wait_queued(2)
            futures.append(pool.submit(gc.run, org, flagged("poison")))
            held.wait_queued(3)
    finally:
        event.remove(Session, "before_commit", fail_flagged_commit)
    assert [f.result(10) for f in futures[:2]] == ["solo 0", "solo 1"]
    with pytest.raises(RuntimeError, match="disk full"):
        futures[2].result(10)
    assert len(failures) == 2  # the group's commit, then the poisoned unit's own
    assert sorted(committed) == ["solo 0", "solo 1"]
    names = team_names(db, org)
    assert {"solo 0", "solo 1"} <= names and "poison" not in names


def test_concurrent_batches_with_shared_ids_store_each_event_once(
    db: Database, cat: Catalogue
) -> None:
    """Eight callers send overlapping batches at once: every id is stored exactly once,
    exactly one caller hears "stored" for it, and the others hear "duplicate"."""
    batches = [
        [event_item(f"own-{n}-{i}", f"c-{n}-{i % 3}") for i in range(20)]
        + [event_item(f"shared-{i}", f"c-shared-{i}") for i in range(n, n + 10)]
        for n in range(8)
    ]
    start = threading.Barrier(8)

    def send(items: list[dict[str, Any]]) -> ingest.IngestResult:
        start.wait(10)
        return ingest.ingest_events(db, cat.actor, items)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(send, batches))

    stored: dict[str, int] = {}
    for items, result in zip(batches, results, strict=True):
        assert [o.index for o in result.outcomes] == list(range(len(items)))
        assert [o.id for o in result.outcomes] == [i["id"] for i in items]
        for outcome in result.outcomes:
            assert outcome.status in ("stored", "duplicate")
            if outcome.status == "stored":
                stored[outcome.id or ""] = stored.get(outcome.id or "", 0) + 1
    expected = {i["id"] for items in batches for i in items}
    assert stored == dict.fromkeys(expected, 1)
    assert stored_keys(db, cat.org.id) == sorted(expected)


def test_a_database_error_in_one_request_does_not_fail_the_others(
    db: Database, cat: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One batch's insert fails in the database; the batches grouped with it still
    commit and answer normally, and the failing one raises (the API answers 500)."""
    real_insert = ingest.repo.insert_events

    def insert(session: Session, rows: list[tuple[Any, ...]]) -> dict[str, int]:
        if any(row[1] == "poison" for row in rows):
            session.execute(text("SELECT * FROM no_such_table"))
        return real_insert(session, rows)

    monkeypatch.setattr(ingest.repo, "insert_events", insert)
    gc = group_commit(db) if db.dialect == "sqlite" else None
    batches = [[event_item(f"fine-{n}-{i}") for i in range(5)] for n in range(4)]
    batches.insert(2, [event_item("poison"), event_item("with-poison")])
    with ThreadPoolExecutor(5) as pool:
        if gc is not None:
            with Held(gc, cat.org.id) as held:
                futures = []
                for items in batches:
                    futures.append(pool.submit(ingest.ingest_events, db, cat.actor, items))
                    held.wait_queued(len(futures))
        else:
            futures = [pool.submit(ingest.ingest_events, db, cat.actor, b) for b in batches]
        outcomes = [f.exception(10) or f.result(10) for f in futures]

    assert isinstance(outcomes[2], Exception)
    for n in (0, 1, 3, 4):
        result = outcomes[n]
        assert isinstance(result, ingest.IngestResult)
        assert result.accepted == 5
    keys = stored_keys(db, cat.org.id)
    assert "poison" not in keys and "with-poison" not in keys
    assert len(keys) == 20


def test_many_callers_all_finish(db: Database, cat: Catalogue) -> None:
    """Leadership is handed on: 200 single events from 16 threads all come back."""
    with ThreadPoolExecutor(16) as pool:
        results = list(
            pool.map(
                lambda i: ingest.ingest_events(db, cat.actor, [event_item(f"one-{i}", f"c{i}")]),
                range(200),
            )
        )
    assert all(r.accepted == 1 for r in results)
    with db.transaction(cat.org.id, readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(InteractionEvent)) == 200
