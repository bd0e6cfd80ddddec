"""Is the difference between two segments real? Two-group tests with effect sizes, and
the Benjamini–Hochberg correction for when many cells are compared at once."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from kohtaamo.metrics._checks import (
    DEFAULT_CONFIDENCE,
    DEFAULT_MIN_N,
    FloatArray,
    MetricInputError,
    Sufficiency,
    check_settings,
    ratings,
    sufficiency,
    to_array,
)
from kohtaamo.metrics.stats import (
    Interval,
    NpsMethod,
    nps_counts,
    nps_standard_error,
    proportion,
    wilson_interval,
    z_value,
)


@dataclass(frozen=True)
class Difference:
    """A − B with its interval, test and effect size. Numbers are None unless both
    groups have at least ``min_n`` answers (``status``)."""

    n_a: int
    n_b: int
    status: Sufficiency
    difference: float | None
    interval: Interval | None
    p_value: float | None
    test: str
    effect_size: float | None
    effect_size_kind: str


@dataclass(frozen=True)
class MeanComparison:
    """Welch's t-test on the means and, as the robust alternative, Mann–Whitney U."""

    welch: Difference
    mann_whitney_p_value: float | None
    #: P(a random A answer > a random B answer) + ½ P(tie); 0.5 means no shift
    probability_of_superiority: float | None


@dataclass(frozen=True)
class Correction:
    adjusted: tuple[float, ...]
    rejected: tuple[bool, ...]
    alpha: float


def _status(n_a: int, n_b: int, min_n: int) -> Sufficiency:
    a, b = sufficiency(n_a, min_n), sufficiency(n_b, min_n)
    if Sufficiency.NO_DATA in (a, b):
        return Sufficiency.NO_DATA
    return Sufficiency.TOO_FEW if Sufficiency.TOO_FEW in (a, b) else Sufficiency.OK


def compare_proportions(
    successes_a: int,
    n_a: int,
    successes_b: int,
    n_b: int,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    min_n: int = DEFAULT_MIN_N,
) -> Difference:
    """Difference of two shares (e.g. top-2-box in two segments).

    Interval: Newcombe's hybrid score interval from the two Wilson intervals (method 10
    of Newcombe 1998, Stat. Med. 17:873). Test: the pooled two-proportion z-test, or
    Fisher's exact test when any expected cell count is below 5 (Cochran 1954), where the
    normal approximation is unreliable. Effect size: Cohen's h = 2·asin√p_A − 2·asin√p_B.
    """
    check_settings(confidence, min_n)
    proportion(successes_a, n_a, min_n=1)  # validates the counts
    proportion(successes_b, n_b, min_n=1)
    status = _status(n_a, n_b, min_n)
    if status is not Sufficiency.OK:
        return Difference(n_a, n_b, status, None, None, None, "", None, "cohens_h")
    pa, pb = successes_a / n_a, successes_b / n_b
    wa, wb = (
        wilson_interval(successes_a, n_a, confidence),
        wilson_interval(successes_b, n_b, confidence),
    )
    d = pa - pb
    low = d - math.sqrt((pa - wa.low) ** 2 + (wb.high - pb) ** 2)
    high = d + math.sqrt((wa.high - pa) ** 2 + (pb - wb.low) ** 2)
    table = np.array([[successes_a, n_a - successes_a], [successes_b, n_b - successes_b]])
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0) / table.sum()
    if expected.min() < 5:
        p, test = float(sps.fisher_exact(table).pvalue), "fisher_exact"
    else:
        pooled = (successes_a + successes_b) / (n_a + n_b)
        se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
        p, test = float(2 * sps.norm.sf(abs(d) / se)), "two_proportion_z"
    h = 2 * math.asin(math.sqrt(pa)) - 2 * math.asin(math.sqrt(pb))
    return Difference(n_a, n_b, status, d, Interval(low, high, confidence), p, test, h, "cohens_h")


def compare_means(
    a: Iterable[float],
    b: Iterable[float],
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    min_n: int = DEFAULT_MIN_N,
) -> MeanComparison:
    """Difference of two means (A − B).

    Welch's t-test and its Welch–Satterthwaite interval (``scipy.stats.ttest_ind`` with
    ``equal_var=False``; Welch 1947), which does not assume equal variances; effect size
    Cohen's d with the pooled SD. Mann–Whitney U (``scipy.stats.mannwhitneyu``, two-sided)
    is given beside it for skewed or ordinal answers, with the probability of
    superiority U/(n_A·n_B) as its effect size (McGraw & Wong 1992).
    """
    check_settings(confidence, min_n)
    xa, xb = to_array(a, "a"), to_array(b, "b")
    n_a, n_b = int(xa.size), int(xb.size)
    status = _status(n_a, n_b, max(min_n, 2))
    if status is not Sufficiency.OK:
        empty = Difference(n_a, n_b, status, None, None, None, "welch_t", None, "cohens_d")
        return MeanComparison(empty, None, None)
    d = float(xa.mean() - xb.mean())
    va, vb = float(xa.var(ddof=1)), float(xb.var(ddof=1))
    pooled_sd = math.sqrt(((n_a - 1) * va + (n_b - 1) * vb) / (n_a + n_b - 2))
    if va == 0.0 and vb == 0.0:
        # Two constant groups: no sampling noise to test against (scipy gives NaN).
        p = 1.0 if d == 0.0 else 0.0
        interval = Interval(d, d, confidence)
        effect = None
    else:
        res = sps.ttest_ind(xa, xb, equal_var=False)
        ci = res.confidence_interval(confidence_level=confidence)
        p, interval = float(res.pvalue), Interval(float(ci.low), float(ci.high), confidence)
        effect = d / pooled_sd
    u = sps.mannwhitneyu(xa, xb, alternative="two-sided")
    mw_p = float(u.pvalue) if math.isfinite(u.pvalue) else 1.0
    welch = Difference(n_a, n_b, status, d, interval, p, "welch_t", effect, "cohens_d")
    return MeanComparison(welch, mw_p, float(u.statistic) / (n_a * n_b))


def compare_nps(
    scores_a: Iterable[float],
    scores_b: Iterable[float],
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    min_n: int = DEFAULT_MIN_N,
    method: NpsMethod = "adjusted_wald",
) -> Difference:
    """Difference of two NPS values in points (A − B).

    The two groups are independent, so SE = √(SE_A² + SE_B²) from the trinomial
    variances (with the adjusted-Wald pseudo-answers of Rocks 2016 when ``method`` says
    so, which keeps the SE above zero when a group is all promoters); a two-sided z-test
    on the difference. Effect size: Cohen's d of the −1/0/+1 coded answers.
    """
    check_settings(confidence, min_n)
    xa = ratings(scores_a, 0, 10, "scores_a")
    xb = ratings(scores_b, 0, 10, "scores_b")
    n_a, n_b = int(xa.size), int(xb.size)
    status = _status(n_a, n_b, min_n)
    if status is not Sufficiency.OK:
        return Difference(n_a, n_b, status, None, None, None, "z", None, "cohens_d")
    pa, _, da = nps_counts(xa)
    pb, _, db = nps_counts(xb)
    d = (pa - da) / n_a * 100 - (pb - db) / n_b * 100
    extra, pseudo = (0.75, 3.0) if method == "adjusted_wald" else (0.0, 0.0)
    se = math.hypot(
        nps_standard_error(pa + extra, da + extra, n_a + pseudo),
        nps_standard_error(pb + extra, db + extra, n_b + pseudo),
    )
    if se == 0.0:
        p, half = (1.0 if d == 0.0 else 0.0), 0.0
    else:
        p, half = float(2 * sps.norm.sf(abs(d) / se)), z_value(confidence) * se
    ca = np.sign(np.where(xa >= 9, 1, np.where(xa <= 6, -1, 0)))
    cb = np.sign(np.where(xb >= 9, 1, np.where(xb <= 6, -1, 0)))
    pooled_var = ((n_a - 1) * ca.var(ddof=1) + (n_b - 1) * cb.var(ddof=1)) / (n_a + n_b - 2)
    effect = (float(ca.mean() - cb.mean()) / math.sqrt(pooled_var)) if pooled_var > 0 else None
    return Difference(
        n_a,
        n_b,
        status,
        d,
        Interval(max(-200.0, d - half), min(200.0, d + half), confidence),
        p,
        "z",
        effect,
        "cohens_d",
    )


def checked_p_values(p_values: Sequence[float]) -> FloatArray:
    """The p-values of a multiple-comparison correction as an array, each in [0, 1]."""
    p = to_array(p_values, "p_values")
    if np.any((p < 0) | (p > 1)):
        raise MetricInputError("p-values must be between 0 and 1.", field="p_values")
    return p


def benjamini_hochberg(p_values: Sequence[float], *, alpha: float = 0.05) -> Correction:
    """Benjamini & Hochberg (1995) step-up procedure controlling the false discovery rate.

    ``adjusted[i]`` is the BH-adjusted p-value (the smallest FDR at which test i would be
    rejected), in input order; ``rejected[i]`` is ``adjusted[i] <= alpha``. Same numbers
    as ``scipy.stats.false_discovery_control`` and R's ``p.adjust(method = "BH")``.
    """
    if not 0.0 < alpha < 1.0:
        raise MetricInputError(
            "The false discovery rate must be between 0 and 1 (e.g. 0.05), not %(value)s.",
            field="alpha",
            value=alpha,
        )
    p = checked_p_values(p_values)
    m = p.size
    if m == 0:
        return Correction((), (), alpha)
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    # Step-up: each adjusted value is the smallest ranked value at or above its rank.
    stepped = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    adjusted = np.empty(m)
    adjusted[order] = stepped
    return Correction(
        tuple(float(x) for x in adjusted), tuple(bool(x <= alpha) for x in adjusted), alpha
    )


# --- from counts and sufficient statistics -------------------------------------------
# The same tests as above for callers that hold aggregates, not answers (the analytics
# store aggregates once per cell): identical numbers, no raw values needed.


def compare_nps_counts(
    promoters_a: int,
    detractors_a: int,
    n_a: int,
    promoters_b: int,
    detractors_b: int,
    n_b: int,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    min_n: int = DEFAULT_MIN_N,
    method: NpsMethod = "adjusted_wald",
) -> Difference:
    """:func:`compare_nps` from the promoter and detractor counts of the two groups."""
    check_settings(confidence, min_n)
    for pro, det, n, name in (
        (promoters_a, detractors_a, n_a, "a"),
        (promoters_b, detractors_b, n_b, "b"),
    ):
        if n < 0 or pro < 0 or det < 0 or pro + det > n:
            raise MetricInputError(
                "The counts of group %(name)s do not add up.", field="counts", name=name
            )
    status = _status(n_a, n_b, min_n)
    if status is not Sufficiency.OK:
        return Difference(n_a, n_b, status, None, None, None, "z", None, "cohens_d")
    pa, da, pb, db = promoters_a, detractors_a, promoters_b, detractors_b
    d = (pa - da) / n_a * 100 - (pb - db) / n_b * 100
    extra, pseudo = (0.75, 3.0) if method == "adjusted_wald" else (0.0, 0.0)
    se = math.hypot(
        nps_standard_error(pa + extra, da + extra, n_a + pseudo),
        nps_standard_error(pb + extra, db + extra, n_b + pseudo),
    )
    p_value: float
    if se == 0.0:
        p_value, half = (1.0 if d == 0.0 else 0.0), 0.0
    else:
        p_value, half = float(2 * sps.norm.sf(abs(d) / se)), z_value(confidence) * se
    # Cohen's d of the answers coded +1 (promoter), 0, −1 (detractor).
    mean_a, mean_b = (pa - da) / n_a, (pb - db) / n_b
    var_a = (pa + da - n_a * mean_a**2) / (n_a - 1) if n_a > 1 else 0.0
    var_b = (pb + db - n_b * mean_b**2) / (n_b - 1) if n_b > 1 else 0.0
    pooled_var = ((n_a - 1) * var_a + (n_b - 1) * var_b) / (n_a + n_b - 2)
    effect = (mean_a - mean_b) / math.sqrt(pooled_var) if pooled_var > 1e-15 else None
    return Difference(
        n_a,
        n_b,
        status,
        d,
        Interval(max(-200.0, d - half), min(200.0, d + half), confidence),
        p_value,
        "z",
        effect,
        "cohens_d",
    )


def compare_means_from_stats(
    n_a: int,
    mean_a: float,
    var_a: float,
    n_b: int,
    mean_b: float,
    var_b: float,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    min_n: int = DEFAULT_MIN_N,
) -> Difference:
    """The Welch part of :func:`compare_means` from each group's n, mean and sample
    variance (Welch 1947; the Welch–Satterthwaite degrees of freedom, as
    ``scipy.stats.ttest_ind(equal_var=False)``). Mann–Whitney needs the answers, so
    callers holding only aggregates get Welch alone."""
    check_settings(confidence, min_n)
    status = _status(n_a, n_b, max(min_n, 2))
    if status is not Sufficiency.OK:
        return Difference(n_a, n_b, status, None, None, None, "welch_t", None, "cohens_d")
    d = mean_a - mean_b
    va, vb = max(0.0, var_a), max(0.0, var_b)
    pooled_sd = math.sqrt(((n_a - 1) * va + (n_b - 1) * vb) / (n_a + n_b - 2))
    if va == 0.0 and vb == 0.0:
        p = 1.0 if d == 0.0 else 0.0
        return Difference(
            n_a, n_b, status, d, Interval(d, d, confidence), p, "welch_t", None, "cohens_d"
        )
    sa, sb = va / n_a, vb / n_b
    se = math.sqrt(sa + sb)
    df = (sa + sb) ** 2 / (sa**2 / (n_a - 1) + sb**2 / (n_b - 1))
    p = float(2 * sps.t.sf(abs(d) / se, df))
    half = float(sps.t.ppf(0.5 + confidence / 2, df)) * se
    interval = Interval(d - half, d + half, confidence)
    return Difference(n_a, n_b, status, d, interval, p, "welch_t", d / pooled_sd, "cohens_d")
