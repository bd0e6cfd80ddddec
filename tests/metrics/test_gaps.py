"""Expectation–experience gaps: paired and single-scale, against scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from kohtaamo.metrics._checks import TOO_FEW_VERDICT, Sufficiency
from kohtaamo.metrics.gaps import (
    EXCEEDED,
    FELL_SHORT,
    NO_CLEAR_GAP,
    paired_gap,
    single_scale_gap,
)

RNG = np.random.default_rng(7)
EXPECTED = RNG.integers(2, 6, 60)
EXPERIENCED = np.clip(EXPECTED + RNG.choice([-1, 0, 0, 1, 1, 1], 60), 1, 5)


def test_paired_gap_matches_scipy_and_hand_shares() -> None:
    r = paired_gap(EXPECTED.tolist(), EXPERIENCED.tolist(), low=1, high=5)
    diff = EXPERIENCED - EXPECTED
    assert r.n == 60 and r.status is Sufficiency.OK
    assert r.gap.mean == pytest.approx(diff.mean())
    assert r.exceeded.successes == int((diff > 0).sum())
    assert r.met.successes == int((diff == 0).sum())
    assert r.fell_short.successes == int((diff < 0).sum())
    ref_t = sps.ttest_rel(EXPERIENCED, EXPECTED)
    ref_w = sps.wilcoxon(EXPERIENCED, EXPECTED)
    assert r.test is not None
    assert r.test.t_p_value == pytest.approx(ref_t.pvalue)
    assert r.test.t_statistic == pytest.approx(ref_t.statistic)
    assert r.test.wilcoxon_p_value == pytest.approx(ref_w.pvalue)
    ci = ref_t.confidence_interval(0.95)
    assert r.gap.interval is not None
    assert (r.gap.interval.low, r.gap.interval.high) == pytest.approx((ci.low, ci.high))
    assert r.test.effect_size == pytest.approx(diff.mean() / diff.std(ddof=1))


def test_clear_excess_and_shortfall_read_in_plain_words() -> None:
    up = paired_gap([3] * 40, [4] * 30 + [5] * 5 + [3] * 5, low=1, high=5)
    assert up.verdict.msgid == EXCEEDED
    assert "exceeded expectations: on average 1.00 points above" in str(up.verdict)
    down = paired_gap([4] * 40, [3] * 30 + [2] * 5 + [4] * 5, low=1, high=5)
    assert down.verdict.msgid == FELL_SHORT
    assert "1.00 points below" in str(down.verdict)
    low, high = down.verdict.params["low"], down.verdict.params["high"]
    assert 0 < low < 1.0 < high  # distances below, nearest first


def test_no_gap_says_so() -> None:
    r = paired_gap([3] * 40, [2, 4] * 20, low=1, high=5)
    assert r.verdict.msgid == NO_CLEAR_GAP
    assert r.test is not None and r.test.t_p_value == pytest.approx(1.0)


def test_everyone_met_expectations_exactly() -> None:
    r = paired_gap([4] * 30, [4] * 30, low=1, high=5)
    assert r.met.share == 1.0 and r.exceeded.share == 0.0
    assert r.test is not None and r.test.t_p_value == 1.0
    assert r.verdict.msgid == NO_CLEAR_GAP


def test_incomplete_pairs_are_left_out_and_counted() -> None:
    r = paired_gap([3, None, 4, float("nan")], [4, 5, None, 2], low=1, high=5, min_n=1)
    assert r.n == 1 and r.incomplete == 3
    assert r.verdict.msgid == TOO_FEW_VERDICT  # one pair cannot be tested


def test_too_few_and_no_data() -> None:
    few = paired_gap([3] * 10, [4] * 10, low=1, high=5)
    assert few.status is Sufficiency.TOO_FEW and few.gap.mean is None and few.test is None
    assert str(few.verdict) == "Too few answers to say (10; at least 30 are needed)."
    none = paired_gap([], [], low=1, high=5)
    assert none.status is Sufficiency.NO_DATA and str(none.verdict) == "No data."


def test_paired_gap_refuses_mismatched_or_out_of_scale_answers() -> None:
    with pytest.raises(ValueError, match="one answer each"):
        paired_gap([3, 4], [3], low=1, high=5)
    with pytest.raises(ValueError, match="experience must be whole numbers from 1 to 5"):
        paired_gap([3], [6], low=1, high=5)
    with pytest.raises(ValueError, match="significance level"):
        paired_gap([3], [3], low=1, high=5, alpha=5)


def test_single_scale_gap_against_one_sample_t_test() -> None:
    answers = [3] * 15 + [4] * 20 + [5] * 5 + [2] * 8 + [1] * 2
    r = single_scale_gap(answers, low=1, high=5)
    ref = sps.ttest_1samp(answers, 3)
    assert r.gap.mean == pytest.approx(np.mean(answers) - 3)
    assert (r.exceeded.successes, r.met.successes, r.fell_short.successes) == (25, 15, 10)
    assert r.test is not None and r.test.t_p_value == pytest.approx(ref.pvalue)
    ci = ref.confidence_interval(0.95)
    assert r.gap.interval is not None
    assert r.gap.interval.low == pytest.approx(ci.low - 3)


def test_single_scale_midpoint_must_be_on_the_scale() -> None:
    with pytest.raises(ValueError, match=r"midpoint 7\.0 is outside"):
        single_scale_gap([3], low=1, high=5, midpoint=7)
