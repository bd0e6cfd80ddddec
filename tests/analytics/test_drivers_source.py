"""Key drivers from the store: the matrix (rows, drivers, missing data, organisations)
and results equal to ``metrics.drivers`` on a matrix built independently here."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import numpy as np
import pytest

from kohtaamo.analytics.drivers import (
    DriverQuery,
    analyse,
    build_matrix,
    critical_touchpoints,
)
from kohtaamo.analytics.source import Source, memory_source
from kohtaamo.errors import InvalidInput
from kohtaamo.metrics import drivers as stats
from kohtaamo.metrics._checks import MetricInputError

ORG = "00000000-0000-0000-0000-00000000000a"
OTHER = "00000000-0000-0000-0000-00000000000b"
KEYS = ("entry", "show", "checkout")
WEIGHTS = {"entry": 1.5, "show": 0.7, "checkout": 0.2}
WHEN = datetime(2026, 3, 1, 12)


def _touchpoints(org: str) -> Iterator[dict[str, Any]]:
    for key in (*KEYS, "bar"):
        yield {
            "organisation_id": org,
            "touchpoint_id": f"{org}-{key}",
            "key": key,
            "name_fi": f"{key} fi",
            "name_en": f"{key} en",
            "name_sv": f"{key} sv",
        }


class Rows:
    def __init__(self) -> None:
        self.measures: list[dict[str, Any]] = []
        self.next_id = 0
        self.customer_of: dict[str, str] = {}

    def add(self, org: str, response: str, role: str, value: float, **extra: Any) -> None:
        self.next_id += 1
        self.measures.append(
            {
                "organisation_id": org,
                "measure_id": self.next_id,
                "response_id": response,
                "survey_id": "s",
                "question_key": f"q{self.next_id}",
                "role": role,
                "value": value,
                "scale_min": extra.pop("scale_min", 1),
                "scale_max": extra.pop("scale_max", 5),
                "answered_at": extra.pop("answered_at", WHEN),
                "customer_id": self.customer_of.get(response),
                **extra,
            }
        )


@functools.cache  # memory_source inserts row by row: build each world once
def _world(n: int = 120, seed: int = 1) -> tuple[Source, dict[str, list[float | None]]]:
    """Responses rating three touchpoints (experience 1–5; "show" as CSAT 1–7) beside an
    NPS; "bar" is answered by a few only; every tenth response skips "checkout". Returns
    the source and the matrix as this test builds it (percent of scale)."""
    rng = np.random.default_rng(seed)
    rows = Rows()
    expected: dict[str, list[float | None]] = {k: [] for k in (*KEYS, "nps")}
    for i in range(n):
        rid = f"r{i:04d}"
        xs = rng.integers(1, 6, 3)
        nps = float(
            np.clip(
                round(
                    2
                    + sum(WEIGHTS[k] * x for k, x in zip(KEYS, xs, strict=True))
                    + rng.normal(0, 1.2)
                ),
                0,
                10,
            )
        )
        rows.customer_of[rid] = f"c{i % 60}"
        rows.add(ORG, rid, "nps", nps, scale_min=0, scale_max=10)
        expected["nps"].append(nps)
        for key, x in zip(KEYS, xs, strict=True):
            if key == "checkout" and i % 10 == 0:
                expected[key].append(None)
                continue
            tp = f"{ORG}-{key}"
            if key == "show":  # a 1–7 CSAT: the matrix holds percent of scale
                value = float(x + 1)
                rows.add(ORG, rid, "csat", value, scale_max=7, touchpoint_id=tp)
                expected[key].append((value - 1) / 6 * 100)
            else:
                rows.add(ORG, rid, "experience", float(x), touchpoint_id=tp)
                rows.add(ORG, rid, "gap", float(x) - 3, touchpoint_id=tp)
                expected[key].append((float(x) - 1) / 4 * 100)
        if i < 5:
            rows.add(ORG, rid, "experience", 3.0, touchpoint_id=f"{ORG}-bar")
    # Another organisation: the same keys, a perfect and opposite relationship; its rows
    # must never reach ORG's matrix.
    for i in range(200):
        rid = f"o{i:04d}"
        rows.add(OTHER, rid, "nps", float(i % 11), scale_min=0, scale_max=10)
        rows.add(OTHER, rid, "experience", float(5 - i % 5), touchpoint_id=f"{OTHER}-entry")
    customers = [
        {
            "organisation_id": ORG,
            "customer_id": f"c{i}",
            "attributes": json.dumps({"churned": i % 3 == 0, "tier": "gold"}),
        }
        for i in range(60)
    ]
    source = memory_source(
        {
            "measures": rows.measures,
            "touchpoints": [*_touchpoints(ORG), *_touchpoints(OTHER)],
            "customers": customers,
        }
    )
    return source, expected


def test_the_matrix_has_a_row_per_response_and_percent_of_scale_drivers() -> None:
    source, expected = _world()
    matrix = build_matrix(source, ORG, DriverQuery())
    assert matrix.rows == 120
    assert set(matrix.columns) == set(KEYS), "bar (5 answers) is left out"
    assert matrix.left_out == {"bar": 5}
    assert matrix.answered == {"entry": 120, "show": 120, "checkout": 108}
    for key in KEYS:
        want = np.array([math.nan if v is None else v for v in expected[key]])
        np.testing.assert_allclose(matrix.columns[key], want, equal_nan=True)
    np.testing.assert_allclose(matrix.outcome, np.array(expected["nps"], dtype=float))
    assert matrix.performance["entry"] == pytest.approx(
        np.mean([v for v in expected["entry"] if v is not None])
    )


def test_results_equal_metrics_on_an_independently_built_matrix() -> None:
    source, expected = _world()
    for method in ("lmg", "relative_weights"):
        report = analyse(source, ORG, DriverQuery(method=method, bootstrap=50, seed=3))
        direct = stats.driver_analysis(
            expected, "nps", list(KEYS), method=method, bootstrap=50, seed=3
        )
        assert report.n == direct.n == 108 and report.dropped == direct.dropped == 12
        assert report.r2 == pytest.approx(direct.r2, abs=1e-12)
        got = {d.key: d for d in report.drivers}
        for d in direct.drivers:
            assert got[d.name].weight == pytest.approx(d.weight, abs=1e-12)
            assert got[d.name].rank == d.rank
            assert got[d.name].interval == pytest.approx(d.interval)
        assert sum(d.weight for d in report.drivers) == pytest.approx(report.r2)
        assert report.drivers[0].key == "entry", "the planted strongest driver"
    # both methods' weights are in each row
    report = analyse(source, ORG, DriverQuery(bootstrap=0))
    rw = stats.driver_analysis(expected, "nps", list(KEYS), method="relative_weights")
    assert {d.key: d.relative_weight for d in report.drivers} == pytest.approx(
        {d.name: d.weight for d in rw.drivers}
    )
    assert any("listwise" in n.msgid for n in report.notes)
    assert any(n.params.get("name") == "bar" for n in report.notes)


def test_quadrants_split_at_the_mean_importance_and_performance() -> None:
    source, _ = _world()
    report = analyse(source, ORG, DriverQuery(bootstrap=0))
    want = stats.importance_performance(
        {d.key: d.share for d in report.drivers},
        {d.key: d.performance for d in report.drivers},
    )
    assert {d.key: d.quadrant for d in report.drivers} == want
    assert {d.quadrant for d in report.drivers} <= {
        "fix_first",
        "keep_up",
        "dont_overinvest",
        "watch",
    }


def test_gap_drivers_use_the_exceeded_share_as_performance() -> None:
    source, expected = _world()
    report = analyse(source, ORG, DriverQuery(kind="gap", bootstrap=0))
    assert {d.key for d in report.drivers} == {"entry", "checkout"}  # show has no gap
    entry = next(d for d in report.drivers if d.key == "entry")
    xs = [v for v in expected["entry"] if v is not None]
    assert entry.performance == pytest.approx(100 * np.mean([v > 50 for v in xs]))


def test_another_organisations_rows_never_show() -> None:
    source, _ = _world()
    mine = build_matrix(source, ORG, DriverQuery())
    theirs = build_matrix(source, OTHER, DriverQuery())
    assert mine.rows == 120 and theirs.rows == 200
    assert set(theirs.columns) == {"entry"}
    np.testing.assert_allclose(theirs.outcome, [float(i % 11) for i in range(200)])
    # Filtering the other organisation's touchpoint keys by its own ids: no ORG row.
    assert theirs.answered == {"entry": 200}


def test_customer_rows_and_a_crm_attribute_outcome() -> None:
    source, _ = _world()
    matrix = build_matrix(source, ORG, DriverQuery(outcome="attribute:churned"))
    assert matrix.unit == "customer" and matrix.rows == 60
    assert sorted(set(matrix.outcome.tolist())) == [0.0, 1.0]
    assert matrix.outcome.sum() == 20
    # a customer's driver is the mean of their two responses' answers
    assert matrix.answered["entry"] == 60
    with pytest.raises(MetricInputError) as caught:
        build_matrix(source, ORG, DriverQuery(outcome="attribute:tier"))
    assert caught.value.params["name"] == "tier"


def test_filters_by_period_and_segment() -> None:
    source, _ = _world()
    later = DriverQuery(start=datetime(2026, 4, 1))
    with pytest.raises(MetricInputError):
        analyse(source, ORG, later)  # nothing answered after March: no driver


@pytest.mark.parametrize(
    ("query", "msgid"),
    [
        (DriverQuery(outcome="mood"), "Unknown outcome %(name)s."),
        (DriverQuery(drivers=("nope",)), "No touchpoint with the key %(key)s."),
        (
            DriverQuery(outcome="nps", drivers=("entry", "nps")),
            "The outcome %(name)s is also listed as a driver.",
        ),
    ],
)
def test_bad_queries_are_explained(query: DriverQuery, msgid: str) -> None:
    source, _ = _world()
    with pytest.raises(InvalidInput) as caught:
        analyse(source, ORG, query)
    assert caught.value.message == msgid


def test_too_few_and_constant_columns_are_explained() -> None:
    source, _ = _world(n=20)
    with pytest.raises(MetricInputError) as caught:
        analyse(source, ORG, DriverQuery())
    assert "answered often enough" in caught.value.message
    rows = Rows()
    for i in range(40):
        rows.add(ORG, f"r{i}", "nps", float(i % 11), scale_min=0, scale_max=10)
        rows.add(ORG, f"r{i}", "experience", 3.0, touchpoint_id=f"{ORG}-entry")
        rows.add(ORG, f"r{i}", "experience", float(i % 5 + 1), touchpoint_id=f"{ORG}-show")
        # checkout repeats show on a 1–7 scale: perfectly collinear once rescaled
        rows.add(
            ORG, f"r{i}", "csat", float(i % 5 + 2), scale_max=7, touchpoint_id=f"{ORG}-checkout"
        )
    flat = memory_source({"measures": rows.measures, "touchpoints": list(_touchpoints(ORG))})
    with pytest.raises(MetricInputError) as caught:
        analyse(flat, ORG, DriverQuery())
    assert "do not vary" in caught.value.message
    with pytest.raises(MetricInputError) as caught:
        analyse(flat, ORG, DriverQuery(drivers=("show", "checkout")))
    assert "perfectly collinear" in caught.value.message


def test_critical_touchpoints_are_the_top_drivers_or_none() -> None:
    source, _ = _world()
    top = critical_touchpoints(source, ORG, limit=2)
    assert [d.key for d in top] == [d.key for d in analyse(source, ORG, DriverQuery()).drivers][:2]
    assert critical_touchpoints(source, ORG, start=datetime(2027, 1, 1)) == []
