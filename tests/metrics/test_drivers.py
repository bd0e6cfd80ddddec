"""Key-driver analysis against published values and independent computation."""

from __future__ import annotations

import csv
import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from kohtaamo.metrics import drivers as drv
from kohtaamo.metrics._checks import MetricInputError
from kohtaamo.metrics.drivers import driver_analysis, importance_performance

SWISS = Path(__file__).parent / "data" / "swiss.csv"  # R's datasets::swiss, 47 provinces
SWISS_DRIVERS = ["Agriculture", "Examination", "Education", "Catholic", "Infant.Mortality"]
# relaimpo (Grömping 2006), calc.relimp(swiss, type = "lmg"): published LMG values.
RELAIMPO_LMG = [0.05709122, 0.17117303, 0.26013468, 0.10557015, 0.11276592]
RELAIMPO_R2 = 0.7067350


def _swiss() -> dict[str, list[float]]:
    with SWISS.open() as fh:
        rows = list(csv.DictReader(fh))
    return {k: [float(r[k]) for r in rows] for k in rows[0] if k != "rownames"}


def _r2(x: np.ndarray, y: np.ndarray, cols: list[int]) -> float:
    if not cols:
        return 0.0
    a = np.column_stack([np.ones(len(y)), x[:, cols]])
    beta, *_ = np.linalg.lstsq(a, y, rcond=None)
    resid = y - a @ beta
    return float(1 - resid @ resid / ((y - y.mean()) @ (y - y.mean())))


def _lmg_by_orders(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The definition itself: R² gains averaged over every order, one regression each."""
    p = x.shape[1]
    out = np.zeros(p)
    for order in itertools.permutations(range(p)):
        seen: list[int] = []
        for j in order:
            out[j] += _r2(x, y, [*seen, j]) - _r2(x, y, seen)
            seen.append(j)
    return out / math.factorial(p)


def _random(n: int, p: int, seed: int = 3) -> tuple[dict[str, np.ndarray], list[str]]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p)) + rng.normal(size=(n, 1))  # correlated drivers
    y = x @ np.linspace(0.2, 1.0, p) + rng.normal(size=n) * 2
    data = {f"d{i}": x[:, i] for i in range(p)} | {"y": y}
    return data, [f"d{i}" for i in range(p)]


def test_lmg_reproduces_relaimpo_on_swiss() -> None:
    result = driver_analysis(_swiss(), "Fertility", SWISS_DRIVERS)
    assert result.exact and result.n == 47 and result.dropped == 0
    assert [d.weight for d in result.drivers] == pytest.approx(RELAIMPO_LMG, abs=1e-6)
    assert result.r2 == pytest.approx(RELAIMPO_R2, abs=1e-6)
    assert [d.rank for d in result.drivers] == [5, 2, 1, 4, 3]
    assert sum(d.share for d in result.drivers) == pytest.approx(1.0)


def test_lmg_equals_the_definition_on_random_data() -> None:
    data, names = _random(300, 6)
    x = np.column_stack([data[n] for n in names])
    result = driver_analysis(data, "y", names)
    expected = _lmg_by_orders(x, np.asarray(data["y"]))
    assert [d.weight for d in result.drivers] == pytest.approx(list(expected), abs=1e-10)


def test_subset_r2_equals_regressions() -> None:
    data, names = _random(200, 5)
    x = np.column_stack([data[n] for n in names])
    table, _ = drv._matrix(data, "y", names)
    rxx, rxy = drv._correlations(table, names)
    r2 = drv.subset_r2(rxx, rxy)
    for mask in range(1, 32):
        cols = [i for i in range(5) if mask >> i & 1]
        assert r2[mask] == pytest.approx(_r2(x, np.asarray(data["y"]), cols), abs=1e-10)


def test_relative_weights_sum_to_r2_and_match_the_svd_form() -> None:
    data, names = _random(500, 4)
    result = driver_analysis(data, "y", names, method="relative_weights")
    x = np.column_stack([data[n] for n in names])
    y = np.asarray(data["y"])
    # Johnson (2000) through the singular value decomposition of the standardised X.
    zx = (x - x.mean(0)) / x.std(0)
    zy = (y - y.mean()) / y.std()
    u, d, vt = np.linalg.svd(zx, full_matrices=False)
    z = math.sqrt(len(y)) * u @ vt  # the orthogonal counterparts of X (unit variance)
    beta = np.linalg.lstsq(z, zy, rcond=None)[0]  # the outcome on them
    lam = vt.T @ np.diag(d) @ vt / math.sqrt(len(y))  # X on them
    expected = (lam**2) @ (beta**2)
    assert [w.weight for w in result.drivers] == pytest.approx(list(expected), abs=1e-8)
    assert result.r2 == pytest.approx(_r2(x, y, list(range(4))), abs=1e-10)


def test_sampled_lmg_is_close_to_exact() -> None:
    data, names = _random(400, 8)
    table, _ = drv._matrix(data, "y", names)
    rxx, rxy = drv._correlations(table, names)
    exact = drv._lmg_exact(rxx, rxy)
    sampled = drv._lmg_sampled(rxx, rxy, seed=1)
    assert sampled.sum() == pytest.approx(exact.sum(), abs=1e-9)  # every order sums to R²
    assert np.abs(sampled - exact).max() < 0.01 * exact.sum()


def test_more_than_twenty_drivers_are_sampled_and_say_so() -> None:
    data, names = _random(300, 22)
    result = driver_analysis(data, "y", names)
    assert not result.exact
    assert sum(d.weight for d in result.drivers) == pytest.approx(result.r2)


def test_missing_values_are_left_out_and_counted() -> None:
    data = _swiss()
    data["Catholic"][3] = None  # type: ignore[call-overload]
    data["Fertility"][10] = float("nan")
    result = driver_analysis(data, "Fertility", SWISS_DRIVERS)
    assert (result.n, result.dropped) == (45, 2)


def test_bootstrap_intervals_surround_the_estimate() -> None:
    result = driver_analysis(_swiss(), "Fertility", SWISS_DRIVERS, bootstrap=200, seed=7)
    for d in result.drivers:
        assert d.interval is not None
        assert d.interval[0] <= d.weight <= d.interval[1]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d, n: ("Agriculture", n), "also listed as a driver"),
        (lambda d, n: d.__setitem__("Examination", [1.0] * 47) or ("Fertility", n), "do not vary"),
        (
            lambda d, n: (
                d.__setitem__("Catholic", [2 * v for v in d["Education"]]) or ("Fertility", n)
            ),
            "collinear",
        ),
        (lambda d, n: d.__setitem__("Education", ["x"] * 47) or ("Fertility", n), "numbers"),
        (lambda d, n: ("Nope", n), "No column named"),
    ],
)
def test_bad_input_is_explained(change, words) -> None:  # type: ignore[no-untyped-def]
    data: dict[str, list[float]] = _swiss()
    outcome, names = change(data, ["Agriculture", *SWISS_DRIVERS[1:]])
    with pytest.raises(MetricInputError) as err:
        driver_analysis(data, outcome, names)
    assert words in str(err.value)


def test_too_few_and_too_many() -> None:
    data, names = _random(8, 3)
    with pytest.raises(MetricInputError, match="Too few complete answers"):
        driver_analysis(data, "y", names)
    data, names = _random(100, 31)
    with pytest.raises(MetricInputError, match="At most 30 drivers"):
        driver_analysis(data, "y", names)


def test_importance_performance_quadrants() -> None:
    quadrants = importance_performance(
        {"queue": 0.3, "staff": 0.25, "parking": 0.05, "web": 0.04},
        {"queue": 2.9, "staff": 4.5, "parking": 4.6, "web": 3.0},
    )
    assert quadrants == {
        "queue": "fix_first",
        "staff": "keep_up",
        "parking": "dont_overinvest",
        "web": "watch",
    }
