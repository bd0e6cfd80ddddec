"""The in-memory path store: appending events in any order gives the same paths as
building the log from scratch, ties keep their arrival order."""

from __future__ import annotations

import numpy as np

from kohtaamo.journeys import paths as engine
from kohtaamo.journeys.pathstore import OrgPaths, StoredEvent


def _events(seed: int, n: int = 3000) -> list[StoredEvent]:
    rng = np.random.default_rng(seed)
    return [
        StoredEvent(
            customer=f"cust{int(rng.integers(0, 300))}",
            touchpoint=f"tp{int(rng.integers(0, 9))}",
            ts_us=int(rng.integers(0, 50)) * 1_000_000,  # coarse: many ties
            order_value=float(rng.integers(0, 3)),
        )
        for _ in range(n)
    ]


def _variant_counts(log: engine.EventLog) -> dict[tuple[str, ...], int]:
    found = engine.variants(log)
    return {v.activities: v.count for v in found.top(len(found))}


def test_incremental_batches_equal_one_batch() -> None:
    events = _events(1)
    whole = OrgPaths()
    whole.add(events)
    incremental = OrgPaths()
    for i in range(0, len(events), 250):
        incremental.add(events[i : i + 250])
        incremental.log()  # ask a question between batches: merges happen in between
    assert _variant_counts(incremental.log()) == _variant_counts(whole.log())
    assert {(e.source, e.target, e.count) for e in engine.dfg(incremental.log())} == {
        (e.source, e.target, e.count) for e in engine.dfg(whole.log())
    }


def test_ties_keep_arrival_order() -> None:
    store = OrgPaths()
    store.add([StoredEvent("c1", "b", 10), StoredEvent("c1", "a", 10), StoredEvent("c1", "c", 5)])
    store.log()
    store.add([StoredEvent("c1", "d", 10)])  # arrives last, same time as b and a
    assert list(_variant_counts(store.log())) == [("c", "b", "a", "d")]


def test_values_per_customer_and_cache_invalidation() -> None:
    store = OrgPaths()
    store.add([StoredEvent("c1", "pay", 1, 50.0), StoredEvent("c2", "pay", 2, 20.0)])
    first = store.log()
    assert store.log() is first  # derived data is reused while nothing arrives
    store.add([StoredEvent("c1", "pay", 3, 25.0)])
    assert store.log() is not first
    values = store.values()
    assert values[store.case_of("c1")] == 75.0
    assert values[store.case_of("c2")] == 20.0


def test_funnel_counts_ordered_steps() -> None:
    store = OrgPaths()
    store.add(
        [
            StoredEvent("a", "visit", 1),
            StoredEvent("a", "buy", 2),
            StoredEvent("a", "enter", 3),
            StoredEvent("b", "buy", 1),
            StoredEvent("b", "visit", 2),  # bought before visiting
            StoredEvent("c", "visit", 1),
        ]
    )
    log = store.log()
    idx = {k: i for i, k in enumerate(store.activities)}
    steps = engine.funnel(log, [[idx["visit"]], [idx["buy"]], [idx["enter"]]])
    assert [s.reached for s in steps] == [3, 1, 1]
    assert steps[1].drop_off == 2
    assert steps[1].conversion == 1 / 3
    assert steps[2].of_start == 1 / 3


def test_covering_is_the_smallest_prefix() -> None:
    assert engine.covering([50, 30, 15, 5], 0.8) == 2
    assert engine.covering([50, 30, 15, 5], 0.81) == 3
    assert engine.covering([50, 30, 15, 5], 1.0) == 4
    assert engine.covering([], 0.5) == 0
