"""The store's daily rollups answer the specs they cover with exactly the values the
single measures give, and are used only when they can."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from kohtaamo.analytics import query_rollup
from kohtaamo.analytics.query import Cell, Filter, Spec, cells, trend
from kohtaamo.analytics.query_frame import Slice, Stat
from kohtaamo.analytics.schema import TABLES
from kohtaamo.analytics.source import Source
from kohtaamo.analytics.store import AnalyticsStore
from tests.analytics.query_rows import ORG, START, random_world

METRICS = (
    "nps",
    "csat",
    "ces",
    "trust",
    "expectation_gap",
    "exceeded_share",
    "short_share",
    "responses",
    "mean:trust",
)
D30 = START + timedelta(days=30)
D60 = START + timedelta(days=60)

SPECS = [
    Spec(METRICS),
    Spec(METRICS, ("touchpoint", "segment"), "month", START, D60),
    Spec(METRICS, ("touchpoint",), "week", D30, D60, compare=True),
    Spec(METRICS, ("segment",), None, D30, D60, compare=True),
    Spec(METRICS, (), "day", START + timedelta(days=3), START + timedelta(days=10)),
    Spec(METRICS, ("channel",), "quarter"),
    Spec(METRICS, ("journey", "stage"), "month", compare=True, start=D30),
    Spec(METRICS, ("team", "factor_group"), None, START, D60),
    Spec(METRICS, ("segment",), "month", filters=(Filter("touchpoint", ("t1", "t2")),)),
    Spec(METRICS, ("touchpoint",), None, filters=(Filter("journey", ("j1",)),)),
]


@pytest.fixture(scope="module")
def stores() -> Any:
    store = AnalyticsStore()
    world = random_world(seed=11, n=500)
    with store.cursor() as cur:
        for table, columns in TABLES.items():
            names = [n for n, _ in columns]
            rows = world.rows.get(table, [])
            if rows:
                marks = ", ".join("?" for _ in names)
                cur.executemany(
                    f'INSERT INTO "{table}" VALUES ({marks})',
                    [[r.get(n) for n in names] for r in rows],
                )
        store.refresh_rollup(cur, full=True)
    source = store.source()
    yield source, replace(source, rollup=None)
    store.close()


def _same(got: Any, want: Any) -> bool:
    """Equal, floats up to the last bits (sums of whole numbers in another order)."""
    if isinstance(want, tuple):
        return len(got) == len(want) and all(_same(g, w) for g, w in zip(got, want, strict=True))
    if isinstance(want, float) and isinstance(got, float):
        return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12)
    return bool(got == want)


def _flat(found: list[Cell]) -> list[tuple[Any, ...]]:
    out = []
    for c in found:
        for slug, v in sorted(c.values.items()):
            prev = v.change.previous if v.change else None
            out.append(
                (
                    tuple(sorted(c.key.items(), key=lambda kv: kv[0])),
                    slug,
                    v.status,
                    v.n,
                    v.value,
                    v.low,
                    v.high,
                    None if prev is None else (prev.value, prev.n),
                    None if v.change is None else v.change.p_value,
                )
            )
    return out


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: "-".join(s.by) or "all")
def test_rollup_gives_the_same_values(stores: tuple[Source, Source], spec: Spec) -> None:
    rolled, plain = stores
    got, want = _flat(cells(rolled, ORG, spec)), _flat(cells(plain, ORG, spec))
    assert len(got) == len(want) > 0
    for g, w in zip(got, want, strict=True):
        assert _same(g, w), (g, w)


def test_trend_from_rollup_equals_measures(stores: tuple[Source, Source]) -> None:
    rolled, plain = stores
    spec = Spec(("nps", "responses"), ("segment",), "week", START, D60, compare=True)
    assert _same(tuple(_flat(trend(rolled, ORG, spec))), tuple(_flat(trend(plain, ORG, spec))))


def test_rollup_is_used_only_where_it_answers(stores: tuple[Source, Source]) -> None:
    rolled, plain = stores
    roles, stats = ["nps"], frozenset[Stat]({"nps"})
    day = Slice(("touchpoint",), "month", START, D30)
    assert query_rollup.role_stats(rolled, ORG, day, roles, stats) is not None
    assert query_rollup.role_stats(plain, ORG, day, roles, stats) is None
    # Not whole days, or a dimension the rollup lacks: single measures.
    noon = Slice(("touchpoint",), "month", START + timedelta(hours=12), D30)
    assert query_rollup.role_stats(rolled, ORG, noon, roles, stats) is None
    region = Slice(("region",), None)
    assert query_rollup.role_stats(rolled, ORG, region, roles, stats) is None
    # Distinct responses do not add up over touchpoints: by channel is not answered.
    assert query_rollup.response_counts(rolled, ORG, Slice(("channel",))) is None
    assert query_rollup.response_counts(rolled, ORG, Slice(("touchpoint", "segment"))) is not None


def test_the_other_organisation_never_shows(stores: tuple[Source, Source]) -> None:
    rolled, _ = stores
    found = cells(rolled, ORG, Spec(("nps", "responses")))
    # The other organisation's 60 responses all answer NPS 0; ours are random 0–10.
    assert found[0].values["nps"].value is not None and found[0].values["nps"].value > -90
    assert found[0].values["responses"].n == 500 or found[0].values["responses"].value == 500


def test_midnight_bounds_are_days(stores: tuple[Source, Source]) -> None:
    rolled, plain = stores
    at = datetime(2026, 2, 1)
    spec = Spec(("nps",), ("touchpoint",), None, at, at + timedelta(days=1))
    assert _same(tuple(_flat(cells(rolled, ORG, spec))), tuple(_flat(cells(plain, ORG, spec))))
