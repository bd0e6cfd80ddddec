"""The demo generator: same seed, same data; size scales it; contributors extend it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from kohtaamo.accounts.models import Organisation
from kohtaamo.demo import REFERENCE_DATE, DemoContext, DemoScale, parse_size, seed_demo
from kohtaamo.demo import generator as demo_generator
from kohtaamo.demo.generator import Contributor
from kohtaamo.storage.db import Database
from kohtaamo.storage.migrate import upgrade
from tests.demo.helpers import content, empty, memberships


def test_the_same_seed_makes_the_same_content(db: Database) -> None:
    seed_demo(db, seed=42)
    first, first_members = content(db), memberships(db)
    empty(db)
    seed_demo(db, seed=42)

    assert content(db) == first
    assert memberships(db) == first_members
    assert len(first["users"]) >= 10 and len(first["organisations"]) == 2
    # Later contributors' tables are compared too (tests/demo/test_journeys_demo.py has
    # a fingerprint of the journeys data by natural keys).
    assert len(first["customers"]) == 2_000 + 300 and len(first["interaction_events"]) > 14_000


def test_another_seed_makes_other_people(db: Database) -> None:
    seed_demo(db, seed=42)
    first = content(db)
    empty(db)
    seed_demo(db, seed=7)

    second = content(db)
    assert second["users"] != first["users"]
    # The documented logins and organisations do not depend on the seed.
    assert second["organisations"] == first["organisations"]


def test_a_fresh_database_gets_the_same_content(db: Database, tmp_path: Path) -> None:
    """On the PostgreSQL pass this compares PostgreSQL with SQLite."""
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other.engine)
    try:
        seed_demo(db)
        seed_demo(other)
        assert content(other) == content(db)
        assert memberships(other) == memberships(db)
    finally:
        other.dispose()


def test_timestamps_come_from_the_reference_date_not_today(db: Database) -> None:
    seed_demo(db)
    with db.transaction(readonly=True) as session:
        created = {org.created_at for org in session.query(Organisation)}
    assert created == {REFERENCE_DATE}


def test_size_scales_the_staff(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    # Only the foundation: 200,000 customers' journeys would take a minute to write.
    foundation = {k: c for k, c in demo_generator._REGISTRY.items() if k.startswith("foundation.")}
    monkeypatch.setattr(demo_generator, "_REGISTRY", foundation)
    small = seed_demo(db, size=100)
    empty(db)
    large = seed_demo(db, size=200_000)

    assert large.counts["staff"] > small.counts["staff"] >= 2
    assert len(content(db)["users"]) == 7 + large.counts["staff"]
    assert large.scale == DemoScale("200000", 200_000)


def test_size_presets_and_counts_grow_with_size() -> None:
    scales = [DemoScale.of(size) for size in ("small", "medium", "large")]
    assert [s.customers for s in scales] == [2_000, 50_000, 1_000_000]
    assert scales[0].extra_staff < scales[1].extra_staff < scales[2].extra_staff
    assert DemoScale.of(2_000).per_thousand_customers(150) == 300


@pytest.mark.parametrize(
    ("text", "size"), [("small", "small"), (" Large ", "large"), ("25000", 25_000), ("1_000", 1000)]
)
def test_parse_size(text: str, size: object) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["huge", "", "5", "20000000", "-100", "1e5"])
def test_parse_size_refuses(text: str) -> None:
    with pytest.raises(ValueError, match=r"size|customers"):
        parse_size(text)


def test_progress_reaches_the_end_of_every_step(db: Database) -> None:
    calls: list[tuple[str, int, int]] = []
    summary = seed_demo(db, progress=lambda step, done, total: calls.append((step, done, total)))

    steps = list(dict.fromkeys(step for step, _, _ in calls))
    assert steps[:3] == ["organisations", "demo logins", "staff"]
    assert "interaction events" in steps
    for step in steps:
        mine = [(done, total) for s, done, total in calls if s == step]
        assert mine[0][0] == 0, "a step announces itself before work starts"
        assert mine[-1][0] == mine[-1][1] == summary.counts[step]


def test_writes_stream_in_batches(db: Database) -> None:
    """Only one batch is drawn ahead of what is written: large sizes never fill memory."""
    ctx = DemoContext(db, seed=1, scale=DemoScale.of("small"))
    drawn = written = 0
    most_ahead = 0

    def rows() -> Iterator[int]:
        nonlocal drawn, most_ahead
        for i in range(2_345):
            drawn += 1
            most_ahead = max(most_ahead, drawn - written)
            yield i

    transactions = 0

    def write(session: Session, batch: Sequence[int]) -> None:
        nonlocal written, transactions
        written += len(batch)
        transactions += 1

    done = ctx.write_in_batches(
        "numbers", rows(), total=2_345, tenant=None, write=write, batch_size=500
    )
    assert done == written == 2_345
    assert transactions == 5
    assert most_ahead <= 500
    assert ctx.counts["numbers"] == 2_345


def test_a_new_contributor_leaves_the_others_data_alone(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_demo(db)
    before = content(db)
    empty(db)
    seen: list[str] = []

    def greedy(ctx: DemoContext) -> None:
        # Draws heavily from its own randomness and reads what the foundation made.
        for _ in range(1000):
            ctx.rng.random()
        seen.append(ctx.organisation.slug)
        seen.extend(sorted(role.value for role, users in ctx.users_by_role.items() if users))

    # Runs between the foundation's steps (11 and 12): a worst case for shared randomness.
    entry = Contributor("test.greedy", 11, greedy)
    monkeypatch.setitem(demo_generator._REGISTRY, entry.name, entry)
    seed_demo(db)

    assert content(db) == before
    assert seen[0] == "elamys"
    assert {"owner", "admin", "analyst", "case_handler", "viewer"} <= set(seen)
