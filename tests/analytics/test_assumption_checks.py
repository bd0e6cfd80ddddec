"""Assumption checks on planted answers (in-memory store): the right test, the right
verdict, the numbers behind it, and never another organisation's answers."""

from __future__ import annotations

import json
import uuid
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from kohtaamo.analytics.assumption_tests import _lmg_difference_draws
from kohtaamo.analytics.assumption_words import sentence
from kohtaamo.analytics.assumptions import (
    CompareGroups,
    DriverOrder,
    GapClaim,
    check,
    validate_spec,
)
from kohtaamo.errors import InvalidInput
from kohtaamo.metrics.compare import compare_proportions
from kohtaamo.metrics.drivers import driver_analysis
from kohtaamo.web.charts_assumptions import check_spec
from tests.analytics.assumption_world import (
    LUKEWARM,
    SATISFIED,
    csat_world,
    measure,
    ratings,
    source_of_rows,
    touchpoint,
)

ORG = str(uuid.uuid4())
BILLING_CSAT = {"metric": "csat", "dimension": "segment", "touchpoint": "billing"}


def _spec(**kw: Any) -> CompareGroups:
    return CompareGroups(**{**BILLING_CSAT, "group_a": "corporate", "group_b": "consumer", **kw})


def test_planted_difference_holds_with_the_two_proportion_numbers() -> None:
    source = source_of_rows(csat_world(ORG))
    result = check(source, ORG, _spec())
    assert result["verdict"] == "holds"
    assert result["test"] == "two_proportion_z"
    assert (result["a"]["n"], result["b"]["n"]) == (210, 380)  # the shop answers stay out
    # The same numbers as the metrics layer computes from the counts directly.
    top_a = round(result["a"]["value"] * 210 / 100)
    top_b = round(result["b"]["value"] * 380 / 100)
    direct = compare_proportions(top_a, 210, top_b, 380)
    assert result["p_value"] == pytest.approx(direct.p_value)
    assert result["difference"] == pytest.approx(direct.difference * 100)  # type: ignore[operator]
    text = sentence("en", result)
    assert text.startswith("Holds: Customer satisfaction (CSAT) at Billing is")
    assert "n = 210 and 380" in text
    assert sentence("fi", result).count("Laskutus") == 1


def test_reversed_claim_does_not_hold() -> None:
    source = source_of_rows(csat_world(ORG))
    assert check(source, ORG, _spec(direction="lower"))["verdict"] == "does_not_hold"
    swapped = csat_world(ORG, corporate=LUKEWARM, consumer=SATISFIED)
    assert check(source_of_rows(swapped), ORG, _spec())["verdict"] == "does_not_hold"


def test_no_difference_is_inconclusive() -> None:
    same = csat_world(ORG, corporate=SATISFIED, consumer=SATISFIED, seed=5)
    result = check(source_of_rows(same), ORG, _spec())
    assert result["verdict"] == "inconclusive"
    assert sentence("en", result).startswith("Inconclusive:")


def test_small_groups_are_too_few() -> None:
    small = csat_world(ORG, n_corporate=12)
    result = check(source_of_rows(small), ORG, _spec())
    assert result["verdict"] == "too_few" and result["p_value"] is None
    assert "12 answers for corporate" in sentence("en", result)


def test_means_get_welch_and_mann_whitney_and_a_against_all_others() -> None:
    source = source_of_rows(csat_world(ORG))
    result = check(source, ORG, _spec(metric="mean:csat", group_b=None))
    assert result["test"] == "welch_t" and result["mann_whitney_p"] < 0.05
    assert result["effect_size_kind"] == "cohens_d" and result["magnitude"] in ("small", "medium")
    assert result["verdict"] == "holds"
    assert "all others" in sentence("en", result)


def test_distribution_claim_uses_chi_square() -> None:
    source = source_of_rows(csat_world(ORG))
    result = check(source, ORG, _spec(direction="different", test="distribution"))
    assert result["test"] == "chi_square" and result["dof"] == 4
    assert result["categories"] == ["1", "2", "3", "4", "5"]
    assert sum(map(sum, result["observed"])) == 590
    assert result["verdict"] == "holds"
    with pytest.raises(ValidationError):
        _spec(direction="higher", test="distribution")


def test_nps_groups_use_compare_nps() -> None:
    rng = np.random.default_rng(2)
    loyal = (0, 0, 0, 0, 0, 0, 0.05, 0.05, 0.1, 0.3, 0.5)
    meh = (0.05, 0.05, 0.05, 0.05, 0.1, 0.1, 0.1, 0.15, 0.15, 0.1, 0.1)
    rows = [
        measure(ORG, "nps", v, segment="corporate", scale=(0, 10))
        for v in ratings(rng, 150, loyal, 0)
    ]
    rows += [
        measure(ORG, "nps", v, segment="consumer", scale=(0, 10)) for v in ratings(rng, 150, meh, 0)
    ]
    result = check(
        source_of_rows({"measures": rows}),
        ORG,
        CompareGroups(metric="nps", dimension="segment", group_a="corporate", group_b="consumer"),
    )
    assert result["test"] == "z" and result["verdict"] == "holds"
    assert result["a"]["value"] > 60 and result["b"]["value"] < 0


def _driver_world(strong: str, n: int = 300) -> dict[str, list[dict[str, Any]]]:
    """NPS driven mostly by the ``strong`` touchpoint's experience."""
    rng = np.random.default_rng(4)
    price, staff = (
        touchpoint(ORG, "price", "Hinta", "Price"),
        touchpoint(ORG, "staff", "Henkilöstö", "Staff"),
    )
    rows = []
    for _ in range(n):
        r = str(uuid.uuid4())
        x = {"price": int(rng.integers(1, 6)), "staff": int(rng.integers(1, 6))}
        weak = "staff" if strong == "price" else "price"
        score = int(np.clip(round(2 * x[strong] + 0.3 * x[weak] + rng.normal(0, 1)), 0, 10))
        rows.append(measure(ORG, "nps", score, response=r, scale=(0, 10)))
        for key, tp in (("price", price), ("staff", staff)):
            rows.append(
                measure(ORG, "experience", x[key], response=r, touchpoint_id=tp["touchpoint_id"])
            )
    return {"measures": rows, "touchpoints": [price, staff]}


def test_driver_order_holds_and_reverses() -> None:
    spec = DriverOrder(driver_a="price", driver_b="staff")
    held = check(source_of_rows(_driver_world("price")), ORG, spec, seed=1)
    assert held["verdict"] == "holds" and held["low"] > 0
    assert held["a"]["value"] + held["b"]["value"] == pytest.approx(held["r2"])
    assert "Price matters more for NPS than Staff" in sentence("en", held)
    reversed_ = check(source_of_rows(_driver_world("staff")), ORG, spec, seed=1)
    assert reversed_["verdict"] == "does_not_hold" and reversed_["high"] < 0
    assert "Staff matters more for NPS than Price" in sentence("en", reversed_)
    weights = DriverOrder(driver_a="price", driver_b="staff", method="relative_weights")
    assert check(source_of_rows(_driver_world("price")), ORG, weights)["verdict"] == "holds"
    chart = check_spec("en", held)
    assert chart is not None
    assert [r["name"] for r in chart["data"]["values"]] == ["Price", "Staff"]
    few = check(source_of_rows(_driver_world("price", n=20)), ORG, spec)
    assert few["verdict"] == "too_few"


def _gap_world(shift: float, n: int = 80) -> dict[str, list[dict[str, Any]]]:
    rng = np.random.default_rng(6)
    queue = touchpoint(ORG, "queue", "Jono", "Queue")
    rows = []
    for _ in range(n):
        r = str(uuid.uuid4())
        e = int(rng.integers(2, 5))
        x = int(np.clip(e + round(shift + rng.normal(0, 0.8)), 1, 5))
        rows.append(
            measure(ORG, "expectation", e, response=r, touchpoint_id=queue["touchpoint_id"])
        )
        rows.append(measure(ORG, "experience", x, response=r, touchpoint_id=queue["touchpoint_id"]))
    return {"measures": rows, "touchpoints": [queue]}


def test_gap_claims_use_the_paired_test() -> None:
    short = GapClaim(touchpoint="queue", direction="short")
    below = check(source_of_rows(_gap_world(-1.0)), ORG, short)
    assert below["test"] == "paired_t" and below["verdict"] == "holds" and below["difference"] < 0
    assert "falls short of expectations" in sentence("en", below)
    above = check(source_of_rows(_gap_world(1.0)), ORG, short)
    assert above["verdict"] == "does_not_hold"
    chart = check_spec("fi", below)
    assert chart is not None
    (row,) = chart["data"]["values"]
    assert row["name"] == "Jono (n = 80)" and row["low"] <= row["value"] <= row["high"] < 0
    level = check(source_of_rows(_gap_world(0.0)), ORG, short)
    assert level["verdict"] == "inconclusive"
    assert check(source_of_rows(_gap_world(-1.0, n=10)), ORG, short)["verdict"] == "too_few"


def test_another_organisations_answers_never_count() -> None:
    other = str(uuid.uuid4())
    mine = csat_world(ORG, n_corporate=20)
    theirs = csat_world(other, n_corporate=500)
    source = source_of_rows({k: mine[k] + theirs[k] for k in mine})
    result = check(source, ORG, _spec())
    assert (result["a"]["n"], result["b"]["n"]) == (20, 380)
    assert result["verdict"] == "too_few"


def test_validation_names_what_is_missing() -> None:
    source = source_of_rows(csat_world(ORG))
    validate_spec(source, ORG, _spec())
    cases: list[tuple[CompareGroups | DriverOrder | GapClaim, str]] = [
        (_spec(group_b="government"), "group_b"),
        (_spec(metric="responses"), "metric"),
        (_spec(touchpoint="nowhere"), "touchpoint"),
        (DriverOrder(driver_a="billing", driver_b="nowhere"), "driver_b"),
    ]
    for spec, field in cases:
        with pytest.raises(InvalidInput) as caught:
            validate_spec(source, ORG, spec)
        assert caught.value.problems[0].field == field
    with pytest.raises(InvalidInput):
        validate_spec(source, ORG, _spec(dimension="shoe_size"))
    # The other organisation's groups are not ours to name.
    with pytest.raises(InvalidInput):
        validate_spec(source, str(uuid.uuid4()), _spec())


def test_two_driver_lmg_difference_is_the_difference_of_squared_correlations() -> None:
    # The shortcut behind the bootstrap, against the exact LMG of metrics.drivers.
    rng = np.random.default_rng(8)
    xa, xb = rng.normal(size=200), rng.normal(size=200)
    xb = 0.5 * xa + xb
    y = xa + 0.4 * xb + rng.normal(size=200)
    exact = driver_analysis({"y": list(y), "a": list(xa), "b": list(xb)}, "y", ["a", "b"])
    w = {d.name: d.weight for d in exact.drivers}
    draws = _lmg_difference_draws(
        {"outcome": y, "a": xa, "b": xb},
        "a",
        "b",
        1,
        _Identity(),  # type: ignore[arg-type]
    )
    assert draws[0] == pytest.approx(w["a"] - w["b"], abs=1e-12)


class _Identity:
    """A generator whose one resample is the data itself."""

    def integers(self, low: int, high: int, size: tuple[int, int]) -> np.ndarray:
        return np.tile(np.arange(high), (size[0], 1))


@pytest.mark.parametrize(
    ("dimension", "a", "b"), [("attribute:tier", "gold", "basic"), ("region", "north", "south")]
)
def test_customer_attributes_are_dimensions(dimension: str, a: str, b: str) -> None:
    rows = csat_world(ORG)
    customers = []
    for m in rows["measures"]:
        corporate = m["segment"] == "corporate"
        m["customer_id"] = str(uuid.uuid4())
        customers.append(
            {
                "organisation_id": ORG,
                "customer_id": m["customer_id"],
                "region": "north" if corporate else "south",
                "attributes": json.dumps({"tier": "gold" if corporate else "basic"}),
            }
        )
    source = source_of_rows({**rows, "customers": customers})
    result = check(source, ORG, _spec(dimension=dimension, group_a=a, group_b=b))
    assert (result["a"]["n"], result["b"]["n"]) == (210, 380)
    assert result["verdict"] == "holds"
