"""Loyalty and satisfaction metrics with honest intervals: NPS, CSAT, CES, and the
generic proportion (Wilson score interval) and mean (Student t interval) they rest on.

Every result carries ``status``: with no answers it is ``no_data`` and with fewer than
``min_n`` it is ``too_few``; in both cases the numbers are ``None`` and only the counts
remain, so a screen cannot show a 0 or a noisy value by accident.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
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

NpsMethod = Literal["adjusted_wald", "wald"]


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    confidence: float


@dataclass(frozen=True)
class Proportion:
    """A share with its Wilson score interval."""

    successes: int
    n: int
    status: Sufficiency
    share: float | None
    interval: Interval | None


@dataclass(frozen=True)
class Mean:
    """A mean with its Student t interval; ``interval`` is None for a single answer."""

    n: int
    status: Sufficiency
    mean: float | None
    sd: float | None
    standard_error: float | None
    interval: Interval | None


@dataclass(frozen=True)
class Nps:
    promoters: int
    passives: int
    detractors: int
    n: int
    status: Sufficiency
    promoter_share: float | None
    passive_share: float | None
    detractor_share: float | None
    #: −100..100
    nps: float | None
    #: of ``nps``, in NPS points, from the trinomial variance (unadjusted)
    standard_error: float | None
    interval: Interval | None
    method: NpsMethod


@dataclass(frozen=True)
class Csat:
    """CSAT on 1–5: the top-2-box share (4 or 5) and the mean."""

    top_two_box: Proportion
    mean: Mean


@dataclass(frozen=True)
class Ces:
    """CES on 1–7: the mean and the share of "easy" answers (5–7)."""

    mean: Mean
    easy: Proportion


def z_value(confidence: float) -> float:
    return float(sps.norm.ppf(0.5 + confidence / 2))


def wilson_interval(successes: int, n: int, confidence: float = DEFAULT_CONFIDENCE) -> Interval:
    """Wilson (1927) score interval for a binomial proportion.

    Preferred over the textbook Wald interval because it stays inside [0, 1] and keeps
    its coverage near 0 % and 100 % and at small n (Newcombe 1998, Stat. Med. 17:857;
    Brown, Cai & DasGupta 2001).
    """
    z = z_value(confidence)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # At 0 % and 100 % the bound is exactly 0 or 1; rounding would leave 0.9999999999999999.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Interval(low, high, confidence)


def proportion(
    successes: int,
    n: int,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    min_n: int = DEFAULT_MIN_N,
) -> Proportion:
    """The share ``successes / n`` with its Wilson score interval."""
    check_settings(confidence, min_n)
    if n < 0 or not 0 <= successes <= n:
        raise MetricInputError(
            "The count %(successes)s must be between 0 and the number of answers %(n)s.",
            field="successes",
            successes=successes,
            n=n,
        )
    status = sufficiency(n, min_n)
    if status is not Sufficiency.OK:
        return Proportion(successes, n, status, None, None)
    return Proportion(
        successes, n, status, successes / n, wilson_interval(successes, n, confidence)
    )


def mean_of(arr: FloatArray, confidence: float, min_n: int) -> Mean:
    n = int(arr.size)
    status = sufficiency(n, min_n)
    if status is not Sufficiency.OK:
        return Mean(n, status, None, None, None, None)
    mean = float(arr.mean())
    if n < 2:
        return Mean(n, status, mean, None, None, None)
    sd = float(arr.std(ddof=1))
    se = sd / math.sqrt(n)
    half = float(sps.t.ppf(0.5 + confidence / 2, n - 1)) * se
    return Mean(n, status, mean, sd, se, Interval(mean - half, mean + half, confidence))


def mean(
    values: Iterable[float],
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    min_n: int = DEFAULT_MIN_N,
    name: str = "values",
) -> Mean:
    """Mean with the Student t interval ``mean ± t(n−1) · sd / √n``.

    Rating means are bounded and discrete, but the t interval is robust for them at the
    sample sizes the minimum-n rule allows (central limit theorem); when every answer is
    the same the interval collapses to that value, which is what the data say.
    """
    check_settings(confidence, min_n)
    return mean_of(to_array(values, name), confidence, min_n)


def nps_counts(arr: FloatArray) -> tuple[int, int, int]:
    """(promoters 9–10, passives 7–8, detractors 0–6), Reichheld (2003)."""
    promoters = int(np.count_nonzero(arr >= 9))
    detractors = int(np.count_nonzero(arr <= 6))
    return promoters, int(arr.size) - promoters - detractors, detractors


def nps_standard_error(promoters: float, detractors: float, n: float) -> float:
    """SE of the NPS in points: the trinomial variance ``p + d − (p − d)²`` over n."""
    p, d = promoters / n, detractors / n
    return math.sqrt(max(0.0, p + d - (p - d) ** 2) / n) * 100


def nps_interval(
    promoters: int, detractors: int, n: int, confidence: float, method: NpsMethod
) -> Interval:
    """Wald or adjusted-Wald interval for the NPS, clipped to −100..100.

    ``adjusted_wald`` adds 3 pseudo-answers (¾ promoter, ¾ detractor, 1½ passive) before
    computing centre and SE, as Rocks (2016, The American Statistician 70:4, "Interval
    estimation for the Net Promoter Score") and Sauro & Lewis (MeasuringU, 2021)
    recommend: it keeps its coverage at small n and near ±100, where the plain Wald
    interval collapses to a point (e.g. every answer a 10).
    """
    if method == "adjusted_wald":
        p_adj, d_adj, n_adj = promoters + 0.75, detractors + 0.75, n + 3.0
    elif method == "wald":
        p_adj, d_adj, n_adj = float(promoters), float(detractors), float(n)
    else:
        raise MetricInputError(
            "Unknown NPS interval method %(value)s.", field="method", value=method
        )
    centre = (p_adj - d_adj) / n_adj * 100
    half = z_value(confidence) * nps_standard_error(p_adj, d_adj, n_adj)
    return Interval(max(-100.0, centre - half), min(100.0, centre + half), confidence)


def nps(
    scores: Iterable[float],
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    min_n: int = DEFAULT_MIN_N,
    method: NpsMethod = "adjusted_wald",
) -> Nps:
    """Net Promoter Score from 0–10 likelihood-to-recommend answers.

    NPS = 100 · (share of 9–10 − share of 0–6) (Reichheld 2003, HBR "The One Number You
    Need to Grow"). ``standard_error`` is the plain trinomial one,
    ``√((p + d − (p − d)²) / n) · 100``; the interval uses ``method`` (see
    :func:`nps_interval`).
    """
    check_settings(confidence, min_n)
    arr = ratings(scores, 0, 10, "scores")
    promoters, passives, detractors = nps_counts(arr)
    n = int(arr.size)
    status = sufficiency(n, min_n)
    if status is not Sufficiency.OK:
        return Nps(
            promoters, passives, detractors, n, status, None, None, None, None, None, None, method
        )
    return Nps(
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        n=n,
        status=status,
        promoter_share=promoters / n,
        passive_share=passives / n,
        detractor_share=detractors / n,
        nps=(promoters - detractors) / n * 100,
        standard_error=nps_standard_error(promoters, detractors, n),
        interval=nps_interval(promoters, detractors, n, confidence, method),
        method=method,
    )


def csat(
    scores: Iterable[float],
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    min_n: int = DEFAULT_MIN_N,
) -> Csat:
    """CSAT from 1–5 answers: top-2-box share (Wilson interval) and mean (t interval)."""
    check_settings(confidence, min_n)
    arr = ratings(scores, 1, 5, "scores")
    top = int(np.count_nonzero(arr >= 4))
    return Csat(
        top_two_box=proportion(top, int(arr.size), confidence=confidence, min_n=min_n),
        mean=mean_of(arr, confidence, min_n),
    )


def ces(
    scores: Iterable[float],
    *,
    confidence: float = DEFAULT_CONFIDENCE,
    min_n: int = DEFAULT_MIN_N,
) -> Ces:
    """Customer Effort Score from 1–7 answers (CES 2.0, 7 = strongly agree it was easy):
    mean (t interval) and the share of 5–7 answers (Wilson interval)."""
    check_settings(confidence, min_n)
    arr = ratings(scores, 1, 7, "scores")
    easy = int(np.count_nonzero(arr >= 5))
    return Ces(
        mean=mean_of(arr, confidence, min_n),
        easy=proportion(easy, int(arr.size), confidence=confidence, min_n=min_n),
    )


# --- from counts and sufficient statistics -------------------------------------------
# The analytics store aggregates once (n, Σx, Σx², counts) and computes the metrics of
# thousands of cells at a time; these are the formulas above, vectorised over cells and
# fed from those statistics, so the numbers are the same as from the raw answers.


def wilson_intervals(
    successes: npt.ArrayLike, n: npt.ArrayLike, confidence: float = DEFAULT_CONFIDENCE
) -> tuple[FloatArray, FloatArray]:
    """:func:`wilson_interval` for arrays of counts (each n ≥ 1): (low, high)."""
    s = np.asarray(successes, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    z = z_value(confidence)
    p = s / m
    denom = 1 + z * z / m
    centre = (p + z * z / (2 * m)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m))
    low = np.where(s == 0, 0.0, np.maximum(0.0, centre - half))
    high = np.where(s == m, 1.0, np.minimum(1.0, centre + half))
    return low, high


def moments(n: float, total: float, total_sq: float) -> tuple[float, float]:
    """(mean, sample variance) from n, Σx and Σx²; the variance is 0.0 for n < 2."""
    mean = total / n
    if n < 2:
        return mean, 0.0
    return mean, max(0.0, (total_sq - total * total / n) / (n - 1))


def t_intervals(
    means: npt.ArrayLike,
    variances: npt.ArrayLike,
    n: npt.ArrayLike,
    confidence: float = DEFAULT_CONFIDENCE,
) -> tuple[FloatArray, FloatArray]:
    """The Student t interval of :func:`mean` for arrays of (mean, sample variance, n);
    NaN where n < 2 (a single answer has no interval)."""
    mu = np.asarray(means, dtype=np.float64)
    var = np.asarray(variances, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    ok = m >= 2
    df = np.where(ok, m - 1, 1.0)
    se = np.sqrt(np.maximum(var, 0.0)) / np.sqrt(np.where(ok, m, 1.0))
    half = sps.t.ppf(0.5 + confidence / 2, df) * se
    return np.where(ok, mu - half, np.nan), np.where(ok, mu + half, np.nan)


def nps_intervals(
    promoters: npt.ArrayLike,
    detractors: npt.ArrayLike,
    n: npt.ArrayLike,
    confidence: float = DEFAULT_CONFIDENCE,
    method: NpsMethod = "adjusted_wald",
) -> tuple[FloatArray, FloatArray]:
    """:func:`nps_interval` for arrays of counts (each n ≥ 1): (low, high) in points."""
    extra, pseudo = (0.75, 3.0) if method == "adjusted_wald" else (0.0, 0.0)
    if method not in ("adjusted_wald", "wald"):
        raise MetricInputError(
            "Unknown NPS interval method %(value)s.", field="method", value=method
        )
    p_adj = np.asarray(promoters, dtype=np.float64) + extra
    d_adj = np.asarray(detractors, dtype=np.float64) + extra
    n_adj = np.asarray(n, dtype=np.float64) + pseudo
    centre = (p_adj - d_adj) / n_adj * 100
    p, d = p_adj / n_adj, d_adj / n_adj
    se = np.sqrt(np.maximum(0.0, p + d - (p - d) ** 2) / n_adj) * 100
    half = z_value(confidence) * se
    return np.maximum(-100.0, centre - half), np.minimum(100.0, centre + half)
