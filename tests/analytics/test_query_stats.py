"""The from-counts helpers of ``metrics.stats`` and ``metrics.compare`` the query layer
uses give the same numbers as the functions on raw answers."""

from __future__ import annotations

import numpy as np
import pytest

from kohtaamo.metrics import compare, stats

RNG = np.random.default_rng(11)


def test_wilson_intervals_equal_the_scalar_interval() -> None:
    n = RNG.integers(1, 500, size=300)
    successes = np.array([RNG.integers(0, k + 1) for k in n])
    successes[:3], n[:3] = (0, 5, 1), (5, 5, 1)  # the 0 % and 100 % edges
    low, high = stats.wilson_intervals(successes, n, 0.9)
    for s, m, lo, hi in zip(successes, n, low, high, strict=True):
        want = stats.wilson_interval(int(s), int(m), 0.9)
        assert (lo, hi) == pytest.approx((want.low, want.high), abs=1e-12)


def test_t_intervals_from_moments_equal_the_mean_of_the_answers() -> None:
    for size in (2, 3, 31, 400):
        answers = RNG.integers(1, 8, size=size).astype(float)
        mean, var = stats.moments(size, answers.sum(), (answers**2).sum())
        low, high = stats.t_intervals([mean], [var], [size])
        want = stats.mean(answers, min_n=1)
        assert want.interval is not None
        assert mean == pytest.approx(want.mean, abs=1e-12)
        assert (low[0], high[0]) == pytest.approx((want.interval.low, want.interval.high), abs=1e-9)
    low, high = stats.t_intervals([4.0], [0.0], [1])
    assert np.isnan(low[0]) and np.isnan(high[0])


@pytest.mark.parametrize("method", ["adjusted_wald", "wald"])
def test_nps_intervals_equal_the_scalar_interval(method: stats.NpsMethod) -> None:
    for _ in range(100):
        scores = RNG.integers(0, 11, size=int(RNG.integers(1, 300)))
        want = stats.nps(scores.astype(float), min_n=1, method=method)
        low, high = stats.nps_intervals(
            [want.promoters], [want.detractors], [want.n], method=method
        )
        assert want.interval is not None
        assert (low[0], high[0]) == pytest.approx((want.interval.low, want.interval.high), abs=1e-9)


def test_nps_comparison_from_counts_equals_the_one_from_answers() -> None:
    for _ in range(50):
        a = RNG.integers(0, 11, size=int(RNG.integers(30, 200))).astype(float)
        b = RNG.integers(0, 11, size=int(RNG.integers(30, 200))).astype(float)
        want = compare.compare_nps(a, b)
        pa, _, da = stats.nps_counts(a)
        pb, _, db = stats.nps_counts(b)
        got = compare.compare_nps_counts(pa, da, a.size, pb, db, b.size)
        assert got.difference == pytest.approx(want.difference, abs=1e-9)
        assert got.p_value == pytest.approx(want.p_value, abs=1e-12)
        assert got.effect_size == pytest.approx(want.effect_size, abs=1e-9)
        assert got.interval == want.interval or (
            got.interval is not None
            and want.interval is not None
            and (got.interval.low, got.interval.high)
            == pytest.approx((want.interval.low, want.interval.high), abs=1e-9)
        )
    few = compare.compare_nps_counts(3, 1, 5, 10, 0, 40)
    assert few.status == "too_few" and few.difference is None


def test_welch_from_moments_equals_the_one_from_answers() -> None:
    for _ in range(50):
        a = RNG.integers(1, 8, size=int(RNG.integers(30, 300))).astype(float)
        b = RNG.normal(4, 2, size=int(RNG.integers(30, 300)))
        want = compare.compare_means(a, b).welch
        ma, va = stats.moments(a.size, a.sum(), (a**2).sum())
        mb, vb = stats.moments(b.size, b.sum(), (b**2).sum())
        got = compare.compare_means_from_stats(a.size, ma, va, b.size, mb, vb)
        assert got.test == want.test == "welch_t"
        assert got.difference == pytest.approx(want.difference, abs=1e-9)
        assert got.p_value == pytest.approx(want.p_value, rel=1e-7, abs=1e-12)
        assert got.effect_size == pytest.approx(want.effect_size, rel=1e-9)
        assert got.interval is not None and want.interval is not None
        assert (got.interval.low, got.interval.high) == pytest.approx(
            (want.interval.low, want.interval.high), abs=1e-9
        )
    constant = compare.compare_means_from_stats(40, 3.0, 0.0, 40, 3.0, 0.0)
    assert constant.p_value == 1.0 and constant.effect_size is None
