"""Metric values by slice and period, checked against independent computation on the raw
answers (numpy/scipy and the pure statistics of ``kohtaamo.metrics``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pytest
from scipy import stats as sps

from kohtaamo.analytics.query import Cell, Filter, Spec, cells, overview_cells, trend
from kohtaamo.analytics.source import Source, memory_source
from kohtaamo.errors import InvalidInput
from kohtaamo.metrics import stats
from kohtaamo.metrics._checks import Sufficiency
from tests.analytics.query_rows import ORG, OTHER, START, World, random_world

Row = dict[str, Any]


@pytest.fixture(scope="module")
def world() -> World:
    return random_world()


@pytest.fixture(scope="module")
def source(world: World) -> Source:
    return memory_source(world.rows)


def mine(world: World, keep: Callable[[Row], bool] = lambda r: True) -> list[Row]:
    return [r for r in world.rows["measures"] if r["organisation_id"] == ORG and keep(r)]


def has(
    since: datetime | None = None, until: datetime | None = None, **equal: Any
) -> Callable[[Row], bool]:
    def keep(r: Row) -> bool:
        if since is not None and r["answered_at"] < since:
            return False
        if until is not None and r["answered_at"] >= until:
            return False
        return all(r[k] == v for k, v in equal.items())

    return keep


def among(column: str, allowed: set[str]) -> Callable[[Row], bool]:
    return lambda r: r[column] in allowed


def values(rows: list[Row], role: str) -> list[float]:
    return [r["value"] for r in rows if r["role"] == role]


def by_key(found: list[Cell], *dims: str) -> dict[tuple[Any, ...], Cell]:
    return {tuple(c.key[d] for d in dims): c for c in found}


def test_every_metric_by_touchpoint_matches_the_raw_answers(world: World, source: Source) -> None:
    metrics = ("nps", "csat", "ces", "trust", "expectation_gap", "exceeded_share")
    found = by_key(
        cells(
            source, ORG, Spec((*metrics, "met_share", "short_share", "responses"), ("touchpoint",))
        ),
        "touchpoint",
    )
    assert set(found) == {("t1",), ("t2",), ("t3",), (None,)}
    for (tp,), cell in found.items():
        rows = mine(world, has(touchpoint_id=tp))
        want_nps = stats.nps(values(rows, "nps"))
        got = cell.values["nps"]
        assert got.n == want_nps.n
        assert got.value == pytest.approx(want_nps.nps, abs=1e-9)
        assert want_nps.interval is not None
        assert (got.low, got.high) == pytest.approx(
            (want_nps.interval.low, want_nps.interval.high), abs=1e-9
        )
        csat = stats.csat(values(rows, "csat")).top_two_box
        assert csat.share is not None and csat.interval is not None
        assert cell.values["csat"].value == pytest.approx(csat.share * 100, abs=1e-9)
        assert cell.values["csat"].low == pytest.approx(csat.interval.low * 100, abs=1e-9)
        assert cell.values["csat"].high == pytest.approx(csat.interval.high * 100, abs=1e-9)
        for slug, role in (("ces", "ces"), ("trust", "trust"), ("expectation_gap", "gap")):
            raw = np.array(values(rows, role))
            lo, hi = sps.t.interval(0.95, raw.size - 1, loc=raw.mean(), scale=sps.sem(raw))
            v = cell.values[slug]
            assert (v.value, v.low, v.high) == pytest.approx((raw.mean(), lo, hi), abs=1e-9)
            assert v.n == raw.size
        gaps = np.array(values(rows, "gap"))
        for slug, hits in (
            ("exceeded_share", gaps > 0),
            ("met_share", gaps == 0),
            ("short_share", gaps < 0),
        ):
            want = stats.proportion(int(hits.sum()), gaps.size)
            assert want.share is not None and want.interval is not None
            v = cell.values[slug]
            assert v.value == pytest.approx(100 * want.share, abs=1e-9)
            assert (v.low, v.high) == pytest.approx(
                (100 * want.interval.low, 100 * want.interval.high), abs=1e-9
            )
        assert cell.values["responses"].value == len({r["response_id"] for r in rows})


def test_a_published_nps_worked_example() -> None:
    # 40 answers: 20 promoters, 8 passives, 12 detractors. By hand: NPS = (20 − 12)/40 =
    # 20. Adjusted Wald (Rocks 2016): p = 20.75/43, d = 12.75/43, centre = 8/43 = 18.60;
    # var = p + d − (p − d)² = 0.779070 − 0.034613 = 0.744457; SE = √(0.744457/43) =
    # 13.158 points; 95 %: 18.60 ± 1.95996 · 13.158 = [−7.19, 44.39].
    w = World()
    for i, score in enumerate([10] * 12 + [9] * 8 + [8] * 5 + [7] * 3 + [6] * 6 + [0] * 6):
        w.response({"nps": score}, at=START + timedelta(hours=i))
    (cell,) = cells(memory_source(w.rows), ORG, Spec(("nps",)))
    nps = cell.values["nps"]
    assert nps.n == 40 and nps.value == pytest.approx(20.0)
    assert nps.low == pytest.approx(-7.19, abs=0.01)
    assert nps.high == pytest.approx(44.39, abs=0.01)


def test_a_measure_counts_once_in_each_journey_and_stage_of_its_touchpoint(
    world: World, source: Source
) -> None:
    found = by_key(
        cells(source, ORG, Spec(("nps", "responses"), ("journey", "stage"))), "journey", "stage"
    )
    on = {"j1": {"t1", "t2"}, "j2": {"t1"}}
    stage_of = {("j1", "s1"): "t1", ("j1", "s2"): "t2", ("j2", "s3"): "t1"}
    assert set(found) == set(stage_of) | {(None, None)}
    for (journey, stage), tp in stage_of.items():
        assert found[(journey, stage)].values["nps"].n == len(
            values(mine(world, has(touchpoint_id=tp)), "nps")
        )
    by_journey = by_key(cells(source, ORG, Spec(("nps",), ("journey",))), "journey")
    for journey, tps in on.items():
        rows = mine(world, among("touchpoint_id", tps))
        assert by_journey[(journey,)].values["nps"].n == len(values(rows, "nps"))
    # Not on any journey: t3 and the whole-relationship questions.
    rest = mine(world, lambda r: r["touchpoint_id"] in ("t3", None))
    assert by_journey[(None,)].values["nps"].n == len(values(rest, "nps"))
    assert "j1-other" not in {k[0] for k in by_journey}


@pytest.mark.parametrize(
    ("dimension", "of_row"),
    [
        (
            "channel",
            lambda r: {"t1": "website", "t2": "store", "t3": "phone"}.get(r["touchpoint_id"]),
        ),
        (
            "factor_group",
            lambda r: {"t1": "functional", "t2": "psychological", "t3": "content"}.get(
                r["touchpoint_id"]
            ),
        ),
        (
            "team",
            lambda r: {"t1": "team-a", "t2": "team-b", "t3": "team-a"}.get(r["touchpoint_id"]),
        ),
        ("segment", lambda r: r["segment"]),
        ("region", lambda r: {"c1": "north", "c2": "south"}.get(r["customer_id"])),
        ("attribute:tier", lambda r: {"c1": "gold", "c2": "silver"}.get(r["customer_id"])),
        ("attribute:visits", lambda r: "3" if r["customer_id"] else None),
        ("attribute:city", lambda r: "Häme" if r["customer_id"] else None),
        ("survey", lambda r: r["survey_id"]),
        ("language", lambda r: r["language"]),
        ("response_channel", lambda r: r["response_channel"]),
    ],
)
def test_slices_by_every_dimension(
    world: World, source: Source, dimension: str, of_row: Callable[[Row], str | None]
) -> None:
    groups: dict[str | None, list[float]] = defaultdict(list)
    for r in mine(world, lambda r: r["role"] == "csat"):
        groups[of_row(r)].append(r["value"])
    found = by_key(cells(source, ORG, Spec(("csat",), (dimension,))), dimension)
    assert set(found) == {(k,) for k in groups}
    for k, answers in groups.items():
        share = stats.csat(answers).top_two_box
        got = found[(k,)].values["csat"]
        assert got.n == len(answers)
        assert got.value == (None if share.share is None else pytest.approx(100 * share.share))


def test_periods_weeks_start_on_monday_and_quarters_on_their_first_month() -> None:
    w = World()
    sunday, monday = datetime(2026, 3, 8, 23, 59), datetime(2026, 3, 9, 0, 0)
    w.response({"nps": 10}, at=sunday)
    w.response({"nps": 0}, at=monday)
    w.response({"nps": 5}, at=datetime(2026, 5, 15))
    w.response({"nps": 5}, at=datetime(2026, 12, 31, 23, 59))
    source = memory_source(w.rows)

    def periods(period: str) -> dict[str, int]:
        found = cells(source, ORG, Spec(("nps",), period=period))
        return {str(c.key["period"]): c.values["nps"].n for c in found}

    assert periods("week") == {"2026-03-02": 1, "2026-03-09": 1, "2026-05-11": 1, "2026-12-28": 1}
    assert periods("quarter") == {"2026-01-01": 2, "2026-04-01": 1, "2026-10-01": 1}
    assert periods("month") == {"2026-03-01": 2, "2026-05-01": 1, "2026-12-01": 1}
    assert periods("day") == {"2026-03-08": 1, "2026-03-09": 1, "2026-05-15": 1, "2026-12-31": 1}


def test_too_few_and_no_data_carry_no_number_and_a_trend_fills_empty_periods() -> None:
    w = World()
    for i in range(5):
        w.response({"nps": 10, "csat": 5}, at=datetime(2026, 1, 10 + i))
    for i in range(30):
        w.response({"nps": 9}, at=datetime(2026, 3, 1) + timedelta(hours=i))
    source = memory_source(w.rows)
    spec = Spec(
        ("nps", "csat"), period="month", start=datetime(2026, 1, 1), end=datetime(2026, 4, 1)
    )
    series = trend(source, ORG, spec)
    assert [c.key["period"] for c in series] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    jan, feb, mar = (c.values for c in series)
    assert jan["nps"].status is Sufficiency.TOO_FEW and jan["nps"].value is None
    assert jan["nps"].n == 5 and jan["nps"].low is None
    assert feb["nps"].status is Sufficiency.NO_DATA and feb["nps"].value is None
    assert feb["nps"].n == 0
    assert mar["nps"].status is Sufficiency.OK and mar["nps"].value == 100.0
    assert mar["csat"].status is Sufficiency.NO_DATA and mar["csat"].value is None

    # Compared, each period names the one before it, also where nothing was answered.
    first, second, third = (
        c.values["nps"] for c in trend(source, ORG, replace(spec, compare=True))
    )
    assert first.change is not None and first.change.previous.status is Sufficiency.NO_DATA
    assert second.change is not None and second.change.previous.n == 5
    assert second.change.delta is None and not second.change.significant
    assert third.change is not None and third.change.previous.status is Sufficiency.NO_DATA


def test_filters_and_date_range(world: World, source: Source) -> None:
    start, end = START + timedelta(days=10), START + timedelta(days=40)
    spec = Spec(
        ("nps",),
        filters=(Filter("segment", ("corporate",)), Filter("journey", ("j2",))),
        start=start,
        end=end,
    )
    (cell,) = cells(source, ORG, spec)
    rows = mine(
        world,
        lambda r: (
            r["segment"] == "corporate"
            and r["touchpoint_id"] == "t1"
            and start <= r["answered_at"] < end
        ),
    )
    assert cell.values["nps"].n == len(values(rows, "nps")) > 0


def test_another_organisation_is_never_counted(world: World, source: Source) -> None:
    everything = cells(source, ORG, Spec(("nps", "responses")))
    assert everything[0].values["nps"].n == len(values(mine(world), "nps"))
    assert everything[0].values["responses"].value == len({r["response_id"] for r in mine(world)})
    theirs = cells(source, OTHER, Spec(("nps",), ("journey", "region")))
    assert {c.key["journey"] for c in theirs} <= {"j1-other", "j2-other", None}
    assert {c.key["region"] for c in theirs} == {"elsewhere"}
    assert all(c.values["nps"].value in (None, -100.0) for c in theirs)
    assert cells(source, "00000000-0000-0000-0000-00000000000c", Spec(("nps",))) == []


def test_comparison_with_the_previous_period_of_equal_length(world: World, source: Source) -> None:
    start, end = START + timedelta(days=45), START + timedelta(days=90)
    before = start - (end - start)
    spec = Spec(
        ("nps", "csat", "ces", "responses"), ("segment",), start=start, end=end, compare=True
    )
    found = by_key(cells(source, ORG, spec), "segment")
    assert set(found) == {("consumer",), ("corporate",)}
    p_values = []
    for (segment,), cell in found.items():
        now = mine(world, has(segment=segment, since=start, until=end))
        then = mine(world, has(segment=segment, since=before, until=start))
        nps = cell.values["nps"]
        assert nps.change is not None
        a, b = stats.nps(values(now, "nps")), stats.nps(values(then, "nps"))
        assert a.nps is not None and b.nps is not None
        assert nps.change.previous.value == pytest.approx(b.nps)
        assert nps.change.delta == pytest.approx(a.nps - b.nps)
        from kohtaamo.metrics.compare import compare_means, compare_nps, compare_proportions

        assert nps.change.p_value == pytest.approx(
            compare_nps(values(now, "nps"), values(then, "nps")).p_value
        )
        ca, cb = values(now, "csat"), values(then, "csat")
        csat = cell.values["csat"].change
        assert csat is not None
        want = compare_proportions(
            sum(v >= 4 for v in ca), len(ca), sum(v >= 4 for v in cb), len(cb)
        )
        assert csat.p_value == pytest.approx(want.p_value) and csat.test == want.test
        assert want.difference is not None and csat.delta == pytest.approx(100 * want.difference)
        ces = cell.values["ces"].change
        assert ces is not None
        welch = compare_means(values(now, "ces"), values(then, "ces")).welch
        assert ces.p_value == pytest.approx(welch.p_value, rel=1e-9) and ces.test == "welch_t"
        responses = cell.values["responses"].change
        assert responses is not None and responses.p_value is None
        assert responses.delta == len({r["response_id"] for r in now}) - len(
            {r["response_id"] for r in then}
        )
        p_values += [nps.change.p_value, csat.p_value, ces.p_value]
    adjusted = sps.false_discovery_control(p_values)
    got = [
        v.change.adjusted_p_value
        for cell in found.values()
        for v in (cell.values["nps"], cell.values["csat"], cell.values["ces"])
        if v.change is not None
    ]
    assert got == pytest.approx(list(adjusted))
    assert all(
        v.change.significant == (v.change.adjusted_p_value <= 0.05)
        for cell in found.values()
        for v in cell.values.values()
        if v.change is not None and v.change.adjusted_p_value is not None
    )


def test_a_planted_difference_is_significant_and_each_period_compares_with_the_one_before() -> None:
    w = World()
    for i in range(200):
        w.response({"nps": 10 if i % 10 else 0}, at=datetime(2026, 1, 1) + timedelta(hours=i))
        w.response({"nps": 0 if i % 10 else 10}, at=datetime(2026, 2, 1) + timedelta(hours=i))
    source = memory_source(w.rows)
    spec = Spec(
        ("nps",), period="month", start=datetime(2026, 2, 1), end=datetime(2026, 3, 1), compare=True
    )
    (feb,) = cells(source, ORG, spec)
    change = feb.values["nps"].change
    assert feb.key == {"period": "2026-02-01"}
    assert change is not None and change.previous.value == pytest.approx(80.0)
    assert change.delta == pytest.approx(-160.0) and change.significant


def test_overview_cells_are_by_touchpoint_month_and_segment(world: World, source: Source) -> None:
    found = overview_cells(source, ORG, START, START + timedelta(days=90))
    keys = {(c.key["touchpoint"], c.key["period"], c.key["segment"]) for c in found}
    want = {
        (r["touchpoint_id"], r["answered_at"].strftime("%Y-%m-01"), r["segment"])
        for r in mine(world)
    }
    assert keys == want
    assert all(len(c.values) == 10 for c in found)


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (Spec(("bogus",)), "metrics"),
        (Spec(("mean:comment",)), "metrics"),
        (Spec(("nps",), ("colour",)), "by"),
        (Spec(("nps",), ("attribute:bad name!",)), "by"),
        (Spec(("nps",), period="fortnight"), "period"),
        (Spec(("nps",), compare=True), "compare"),
        (Spec(("nps",), start=START, end=START), "start"),
        (Spec(("response_rate",), ("touchpoint",)), "by"),
        (Spec(()), "metrics"),
    ],
)
def test_bad_specs_are_refused_with_the_field_named(source: Source, spec: Spec, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        cells(source, ORG, spec)
    assert caught.value.problems[0].field == field


def test_response_rate_is_finished_over_sent_invitations() -> None:
    w = World()
    for i in range(80):
        w.table("invitations").append(
            {
                "organisation_id": ORG,
                "invitation_id": f"i{i}",
                "survey_id": "s-a" if i < 50 else "s-b",
                "sent_at": START + timedelta(days=i % 20),
                "finished": i % 5 == 0,
            }
        )
        w.table("invitations").append(
            {
                "organisation_id": OTHER,
                "invitation_id": f"x{i}",
                "survey_id": "s-a",
                "sent_at": START,
                "finished": True,
            }
        )
    found = by_key(
        cells(memory_source(w.rows), ORG, Spec(("response_rate",), ("survey",))), "survey"
    )
    rate = found[("s-a",)].values["response_rate"]
    want = stats.proportion(10, 50)
    assert want.share is not None and want.interval is not None
    assert rate.n == 50 and rate.value == pytest.approx(100 * want.share)
    assert rate.low == pytest.approx(100 * want.interval.low)
    assert found[("s-b",)].values["response_rate"].status is Sufficiency.OK
