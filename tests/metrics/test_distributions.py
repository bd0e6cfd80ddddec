"""Chi-square, Cramér's V, Holm and effect sizes in words, against published worked
examples and independent computation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps
from scipy.stats.contingency import association

from kohtaamo.metrics._checks import MetricInputError, Sufficiency
from kohtaamo.metrics.compare import compare_proportions
from kohtaamo.metrics.distributions import (
    chi_square,
    contingency,
    holm,
    magnitude,
    rank_biserial,
)

# Agresti (2007), An Introduction to Categorical Data Analysis, 2nd ed., Table 2.5:
# party identification by gender (Democrat, Independent, Republican); X² = 30.07, df 2.
AGRESTI = [[762, 327, 468], [484, 239, 477]]


def test_chi_square_reproduces_agresti_party_identification() -> None:
    result = chi_square(AGRESTI, groups=["female", "male"], categories=["D", "I", "R"])
    assert result.statistic == pytest.approx(30.07, abs=0.005)
    assert result.dof == 2
    assert result.p_value is not None and result.p_value < 1e-6
    assert result.test == "chi_square" and not result.low_expected
    # Cramér's V by its definition, and as scipy computes it independently.
    assert result.cramers_v == pytest.approx(math.sqrt(30.0701 / 2757), abs=1e-4)
    assert result.cramers_v == pytest.approx(association(np.array(AGRESTI), method="cramer"))


def test_two_by_two_chi_square_is_the_square_of_the_two_proportion_z() -> None:
    table = [[78, 22], [64, 36]]
    result = chi_square(table)
    z_test = compare_proportions(78, 100, 64, 100)
    assert result.p_value == pytest.approx(z_test.p_value, rel=1e-9)


def test_fisher_exact_for_the_lady_tasting_tea() -> None:
    # Fisher (1935): 3 of 4 cups right each way; two-sided p = 34/70 = 0.4857.
    result = chi_square([[3, 1], [1, 3]], min_n=1)
    assert result.test == "fisher_exact" and result.low_expected
    assert result.p_value == pytest.approx(34 / 70)


def test_larger_sparse_table_gets_a_simulated_p_value_near_the_exact_one() -> None:
    table = np.array([[3, 1, 0, 2], [1, 3, 5, 0], [2, 2, 2, 2]])
    result = chi_square(table, min_n=1, seed=7)
    assert result.test == "chi_square_simulated"
    # Independent check: a permutation of the answers between groups keeps both margins.
    rng = np.random.default_rng(1)
    rows = np.repeat(np.arange(3), table.sum(axis=1))
    cols = np.concatenate([np.repeat(np.arange(4), r) for r in table])
    observed = sps.chi2_contingency(table, correction=False).statistic
    hits = 0
    for _ in range(2000):
        shuffled = np.zeros((3, 4))
        np.add.at(shuffled, (rows, rng.permutation(cols)), 1)
        hits += sps.chi2_contingency(shuffled, correction=False).statistic >= observed - 1e-9
    assert result.p_value == pytest.approx((hits + 1) / 2001, abs=0.03)


def test_empty_categories_are_left_out_and_small_groups_are_too_few() -> None:
    result = chi_square([[40, 0, 10], [30, 0, 20]])
    assert result.categories == ("1", "3") and result.dof == 1
    small = chi_square([[10, 5], [40, 30]])
    assert small.status is Sufficiency.TOO_FEW and small.p_value is None
    assert chi_square([[0, 0], [0, 0]]).status is Sufficiency.NO_DATA
    single = chi_square([[50, 40]])
    assert single.status is Sufficiency.TOO_FEW and single.statistic is None


def test_contingency_counts_answers_in_the_given_order() -> None:
    names, cats, table = contingency(
        {"a": [1, 2, 2, 5], "b": [5, 5, 3]}, categories=[1, 2, 3, 4, 5]
    )
    assert names == ("a", "b") and cats == ("1", "2", "3", "4", "5")
    assert table.tolist() == [[1, 2, 0, 0, 1], [0, 0, 1, 0, 2]]
    with pytest.raises(MetricInputError):
        contingency({"a": [1, 9]}, categories=[1, 2, 3])


@pytest.mark.parametrize(
    "bad", [[[1, -1], [2, 3]], [[1.5, 1], [2, 3]], [1, 2, 3], [["a", "b"], ["c", "d"]]]
)
def test_chi_square_refuses_what_is_not_a_table_of_counts(bad: object) -> None:
    with pytest.raises(MetricInputError):
        chi_square(bad)  # type: ignore[arg-type]


def test_holm_by_hand() -> None:
    # Holm (1979) worked by hand: sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06,
    # 0.04·1 = 0.04 → made non-decreasing: 0.02, 0.03, 0.06, 0.06.
    result = holm([0.01, 0.04, 0.03, 0.005])
    assert result.adjusted == pytest.approx((0.03, 0.06, 0.06, 0.02))
    assert result.rejected == (True, False, False, True)
    assert holm([0.9, 0.8]).adjusted == pytest.approx((1.0, 1.0))
    assert holm([]).adjusted == ()


def test_holm_matches_independent_bonferroni_bounds_on_random_p_values() -> None:
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 0.2, 12)
    adjusted = np.array(holm(list(p)).adjusted)
    # Never below the raw p, never above Bonferroni, and ordered as the raw p.
    assert np.all(adjusted >= p - 1e-12)
    assert np.all(adjusted <= np.minimum(p * 12, 1) + 1e-12)
    assert np.all(np.diff(adjusted[np.argsort(p)]) >= -1e-12)
    # The smallest is exactly Bonferroni's.
    assert adjusted[np.argmin(p)] == pytest.approx(min(1.0, p.min() * 12))


@pytest.mark.parametrize("bad", [[0.5, 1.2], [-0.1]])
def test_holm_refuses_what_is_not_a_p_value(bad: list[float]) -> None:
    with pytest.raises(MetricInputError):
        holm(bad)
    with pytest.raises(MetricInputError):
        holm([0.1], alpha=0)


def test_effect_sizes_in_words() -> None:
    assert magnitude("cohens_d", 0.1) == "negligible"
    assert magnitude("cohens_d", -0.55) == "medium"
    assert magnitude("cohens_h", 0.9) == "large"
    # V of 0.2 on a 3×5 table (min − 1 = 2): w-thresholds / √2 → 0.07, 0.21, 0.35.
    assert magnitude("cramers_v", 0.2, table_dof=2) == "small"
    assert magnitude("cramers_v", 0.2, table_dof=1) == "small"
    assert magnitude("cramers_v", 0.25, table_dof=2) == "medium"
    assert rank_biserial(0.75) == pytest.approx(0.5)
    with pytest.raises(MetricInputError):
        magnitude("odds", 1.0)  # type: ignore[arg-type]
