"""Two-group comparisons and the Benjamini–Hochberg correction."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from kohtaamo.metrics._checks import Sufficiency
from kohtaamo.metrics.compare import (
    benjamini_hochberg,
    compare_means,
    compare_nps,
    compare_proportions,
)
from kohtaamo.metrics.stats import nps


def test_difference_of_proportions_matches_newcombe_1998_method_10() -> None:
    # Newcombe (1998) Stat. Med. 17:873, example (a): 56/70 − 48/80, hybrid score.
    r = compare_proportions(56, 70, 48, 80)
    assert r.difference == pytest.approx(0.2)
    assert r.interval is not None
    assert (round(r.interval.low, 4), round(r.interval.high, 4)) == (0.0524, 0.3339)
    assert r.test == "two_proportion_z"
    pooled = 104 / 150
    z = 0.2 / math.sqrt(pooled * (1 - pooled) * (1 / 70 + 1 / 80))
    assert r.p_value == pytest.approx(2 * sps.norm.sf(z))
    assert r.effect_size == pytest.approx(
        2 * math.asin(math.sqrt(0.8)) - 2 * math.asin(math.sqrt(0.6))
    )


def test_small_cells_use_fisher_exact() -> None:
    r = compare_proportions(1, 30, 6, 30)  # expected successes 3.5 < 5
    assert r.test == "fisher_exact"
    assert r.p_value == pytest.approx(sps.fisher_exact([[1, 29], [6, 24]]).pvalue)


def test_comparisons_flag_small_groups() -> None:
    assert compare_proportions(5, 10, 20, 40).status is Sufficiency.TOO_FEW
    assert compare_proportions(0, 0, 20, 40).status is Sufficiency.NO_DATA
    assert compare_means([], [1.0] * 40).welch.status is Sufficiency.NO_DATA


def test_means_match_welch_and_mann_whitney_from_scipy() -> None:
    rng = np.random.default_rng(3)
    a = rng.integers(1, 6, 45).astype(float)
    b = np.clip(rng.integers(1, 6, 60) + 1, 1, 5).astype(float)
    r = compare_means(a.tolist(), b.tolist())
    ref = sps.ttest_ind(a, b, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert r.welch.p_value == pytest.approx(ref.pvalue)
    assert r.welch.interval is not None
    assert (r.welch.interval.low, r.welch.interval.high) == pytest.approx((ci.low, ci.high))
    mw = sps.mannwhitneyu(a, b, alternative="two-sided")
    assert r.mann_whitney_p_value == pytest.approx(mw.pvalue)
    assert r.probability_of_superiority == pytest.approx(mw.statistic / (45 * 60))
    pooled = math.sqrt((44 * a.var(ddof=1) + 59 * b.var(ddof=1)) / 103)
    assert r.welch.effect_size == pytest.approx((a.mean() - b.mean()) / pooled)


def test_two_constant_groups_do_not_produce_nan() -> None:
    same = compare_means([4.0] * 30, [4.0] * 30)
    assert same.welch.p_value == 1.0 and same.mann_whitney_p_value == 1.0
    apart = compare_means([5.0] * 30, [3.0] * 30)
    assert apart.welch.p_value == 0.0 and apart.welch.difference == 2.0


def test_nps_difference_combines_standard_errors() -> None:
    a = [10] * 30 + [8] * 10 + [3] * 10
    b = [10] * 15 + [8] * 15 + [3] * 20
    r = compare_nps(a, b, method="wald")
    ra, rb = nps(a, method="wald"), nps(b, method="wald")
    assert ra.nps is not None and rb.nps is not None
    assert ra.standard_error is not None and rb.standard_error is not None
    assert r.difference == pytest.approx(ra.nps - rb.nps) == pytest.approx(50.0)
    se = math.hypot(ra.standard_error, rb.standard_error)
    assert r.interval is not None
    assert r.interval.high - r.difference == pytest.approx(1.959963984540054 * se)
    assert r.p_value == pytest.approx(2 * sps.norm.sf(50 / se))
    with pytest.raises(ValueError, match="scores_b must be whole numbers from 0 to 10"):
        compare_nps(a, [12])


def test_benjamini_hochberg_matches_scipy_and_a_hand_example() -> None:
    p = [0.01, 0.04, 0.03, 0.005, 0.5]
    r = benjamini_hochberg(p)
    # Sorted 0.005, 0.01, 0.03, 0.04, 0.5 times 5/rank: .025 .025 .05 .05 .5
    assert r.adjusted == pytest.approx((0.025, 0.05, 0.05, 0.025, 0.5))
    assert r.rejected == (True, True, True, True, False)
    rng = np.random.default_rng(5)
    many = rng.uniform(0, 0.2, 40)
    assert benjamini_hochberg(many.tolist()).adjusted == pytest.approx(
        tuple(sps.false_discovery_control(many))
    )
    assert benjamini_hochberg([]).adjusted == ()
    with pytest.raises(ValueError, match="between 0 and 1"):
        benjamini_hochberg([0.2, 1.5])
