"""The expectation–experience gap: the relation between what the customer expected
(odotusarvo) and what was realised (toteuma), at one touchpoint or item.

Two question forms exist. Paired: the same respondent rates expectation and experience
on one scale; the gap is experience − expectation. Single-scale: one question "compared
with what you expected" (e.g. 1–5 with 3 = as expected); the gap is the answer minus the
midpoint.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from kohtaamo.i18n import N_
from kohtaamo.metrics._checks import (
    DEFAULT_CONFIDENCE,
    DEFAULT_MIN_N,
    FloatArray,
    MetricInputError,
    Sufficiency,
    Verdict,
    check_settings,
    insufficient_verdict,
    ratings,
    sufficiency,
)
from kohtaamo.metrics.stats import Interval, Mean, Proportion, mean_of, proportion

DEFAULT_ALPHA = 0.05

EXCEEDED = N_(
    "Experience exceeded expectations: on average %(gap).2f points above"
    " (%(level)s%% interval %(low).2f to %(high).2f; p = %(p).3g)."
)
FELL_SHORT = N_(
    "Experience fell short of expectations: on average %(gap).2f points below"
    " (%(level)s%% interval %(low).2f to %(high).2f; p = %(p).3g)."
)
NO_CLEAR_GAP = N_(
    "No clear difference between experience and expectations"
    " (average gap %(gap).2f points; p = %(p).3g)."
)
TESTS_DISAGREE = N_(
    "The tests disagree about the gap between experience and expectations, so treat it as"
    " uncertain (average gap %(gap).2f points; t-test p = %(p).3g, signed-rank p = %(p_rank).3g)."
)


@dataclass(frozen=True)
class GapTest:
    """The t-test (on the mean) and the signed-rank test (on ranks) for a gap of zero."""

    t_statistic: float | None
    t_p_value: float
    wilcoxon_statistic: float | None
    wilcoxon_p_value: float
    #: Cohen's d_z: mean gap / SD of the gaps
    effect_size: float | None


@dataclass(frozen=True)
class Gap:
    """A gap summary. For the paired form the shares are of respondents whose experience
    was above / equal to / below their expectation; for the single-scale form, of answers
    above / at / below the midpoint."""

    n: int
    #: pairs left out because one of the two answers was missing (paired form only)
    incomplete: int
    status: Sufficiency
    gap: Mean
    exceeded: Proportion
    met: Proportion
    fell_short: Proportion
    test: GapTest | None
    verdict: Verdict


def paired_gap(
    expectation: Sequence[float | None],
    experience: Sequence[float | None],
    *,
    low: int,
    high: int,
    confidence: float = DEFAULT_CONFIDENCE,
    alpha: float = DEFAULT_ALPHA,
    min_n: int = DEFAULT_MIN_N,
) -> Gap:
    """Experience − expectation for respondents who answered both, on a ``low..high`` scale.

    The gap's interval is the paired t interval; the tests are the paired t-test
    (``scipy.stats.ttest_rel``) and the Wilcoxon signed-rank test (``scipy.stats.wilcoxon``,
    zero gaps dropped as in Wilcoxon 1945). The verdict follows the t-test, so it never
    contradicts the interval shown beside it; when the rank test, which does not treat
    rating steps as equal, reaches the other conclusion the verdict says so instead.
    A pair with either answer missing (None or NaN) is left out and counted in
    ``incomplete``: a gap needs both sides.
    """
    if len(expectation) != len(experience):
        raise MetricInputError(
            "Expectation and experience must have one answer each per respondent"
            " (%(a)s and %(b)s given).",
            field="experience",
            a=len(expectation),
            b=len(experience),
        )
    _check_alpha(alpha)
    check_settings(confidence, min_n)
    complete: list[tuple[float, float]] = [
        (e, x)
        for e, x in zip(expectation, experience, strict=True)
        if e is not None and x is not None and not (math.isnan(e) or math.isnan(x))
    ]
    exp = ratings([e for e, _ in complete], low, high, "expectation")
    got = ratings([x for _, x in complete], low, high, "experience")
    return _summarise(got - exp, len(expectation) - len(complete), confidence, alpha, min_n)


def single_scale_gap(
    answers: Sequence[float],
    *,
    low: int,
    high: int,
    midpoint: float | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    alpha: float = DEFAULT_ALPHA,
    min_n: int = DEFAULT_MIN_N,
) -> Gap:
    """Answers to "compared with what you expected" relative to the scale's midpoint
    ("as expected"; by default the middle of ``low..high``).

    The mean relative to the midpoint gets a t interval and a one-sample t-test
    (``scipy.stats.ttest_1samp``), with the one-sample signed-rank test beside it; the
    verdict rule is the one of :func:`paired_gap`.
    """
    _check_alpha(alpha)
    check_settings(confidence, min_n)
    mid = (low + high) / 2 if midpoint is None else float(midpoint)
    if not low <= mid <= high:
        raise MetricInputError(
            "The midpoint %(value)s is outside the scale %(low)s to %(high)s.",
            field="midpoint",
            value=mid,
            low=low,
            high=high,
        )
    arr = ratings(answers, low, high, "answers")
    return _summarise(arr - mid, 0, confidence, alpha, min_n)


def _summarise(
    gaps: FloatArray, incomplete: int, confidence: float, alpha: float, min_n: int
) -> Gap:
    n = int(gaps.size)
    status = sufficiency(n, min_n)

    def share(count: int) -> Proportion:
        return proportion(count, n, confidence=confidence, min_n=min_n)

    gap = mean_of(gaps, confidence, min_n)
    exceeded = share(int(np.count_nonzero(gaps > 0)))
    met = share(int(np.count_nonzero(gaps == 0)))
    short = share(int(np.count_nonzero(gaps < 0)))
    if status is not Sufficiency.OK or gap.mean is None or gap.interval is None:
        verdict = insufficient_verdict(
            status if status is not Sufficiency.OK else Sufficiency.TOO_FEW, n, max(min_n, 2)
        )
        return Gap(n, incomplete, status, gap, exceeded, met, short, None, verdict)
    test = _test_zero(gaps)
    return Gap(n, incomplete, status, gap, exceeded, met, short, test, _verdict(gap, test, alpha))


def _test_zero(gaps: FloatArray) -> GapTest:
    mean, sd = float(gaps.mean()), float(gaps.std(ddof=1))
    if sd == 0.0:
        # Every respondent has the same gap: scipy answers NaN here, but the data leave
        # no doubt — a constant non-zero gap is certain, a constant zero gap is no gap.
        p = 1.0 if mean == 0.0 else 0.0
        return GapTest(None, p, None, p, None)
    t = sps.ttest_1samp(gaps, 0.0)
    if np.all(gaps == 0):
        w_stat, w_p = None, 1.0
    else:
        with warnings.catch_warnings():
            # scipy warns that exact p-values are unavailable with ties and switches to
            # the normal approximation; with rating scales that is the normal case.
            warnings.simplefilter("ignore", UserWarning)
            w = sps.wilcoxon(gaps)
        w_stat, w_p = float(w.statistic), float(w.pvalue)
    return GapTest(float(t.statistic), float(t.pvalue), w_stat, w_p, mean / sd)


def _verdict(gap: Mean, test: GapTest, alpha: float) -> Verdict:
    assert gap.mean is not None and gap.interval is not None
    interval: Interval = gap.interval
    params = {
        "gap": abs(gap.mean),
        "p": test.t_p_value,
        "p_rank": test.wilcoxon_p_value,
        "level": round(interval.confidence * 100),
        "low": interval.low,
        "high": interval.high,
    }
    t_says = test.t_p_value < alpha
    if t_says != (test.wilcoxon_p_value < alpha):
        return Verdict(TESTS_DISAGREE, {**params, "gap": gap.mean})
    if not t_says:
        return Verdict(NO_CLEAR_GAP, {**params, "gap": gap.mean})
    if gap.mean > 0:
        return Verdict(EXCEEDED, params)
    # Below expectation the interval is shown as distances below, nearest first.
    return Verdict(FELL_SHORT, {**params, "low": -interval.high, "high": -interval.low})


def _check_alpha(alpha: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise MetricInputError(
            "The significance level must be between 0 and 1 (e.g. 0.05), not %(value)s.",
            field="alpha",
            value=alpha,
        )
