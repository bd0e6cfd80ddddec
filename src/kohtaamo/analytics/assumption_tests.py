"""Which test an assumption gets, and its verdict: pure functions over answers already
read (``assumption_data``), returning the JSON-able result an ``AssumptionCheck`` keeps.

The test follows the metric: two proportions for shares (CSAT top-2-box, exceeded /
met / short shares), the NPS difference of ``compare_nps`` for NPS, Welch's t with
Mann–Whitney beside it for means, chi-square for whole answer distributions, the paired
test of ``metrics.gaps`` for a gap, and bootstrap intervals of the difference of two
drivers' LMG (or relative-weight) shares for a driver order.

Verdicts: ``holds`` (significant in the claimed direction), ``does_not_hold``
(significant the other way), ``inconclusive`` (no significant difference, or the tests
disagree), ``too_few`` (a group below the metric's minimum n).
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from kohtaamo.analytics.catalogue import Kind, Metric
from kohtaamo.metrics._checks import Sufficiency
from kohtaamo.metrics.compare import Difference, compare_means, compare_nps, compare_proportions
from kohtaamo.metrics.distributions import chi_square, contingency, magnitude
from kohtaamo.metrics.drivers import driver_analysis
from kohtaamo.metrics.gaps import Gap, paired_gap, single_scale_gap
from kohtaamo.metrics.stats import mean, nps, proportion

ALPHA = 0.05
CONFIDENCE = 0.95
BOOTSTRAP = 1000
#: A driver comparison needs this many complete responses (two drivers and an outcome).
DRIVER_MIN_N = 50


class Verdict(StrEnum):
    HOLDS = "holds"
    DOES_NOT_HOLD = "does_not_hold"
    INCONCLUSIVE = "inconclusive"
    TOO_FEW = "too_few"


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _decide(difference: float, p: float, direction: str, *, agree: bool = True) -> Verdict:
    """The verdict of a signed difference (claimed side positive for "higher")."""
    if p >= ALPHA or not agree:
        return Verdict.INCONCLUSIVE
    if direction == "different":
        return Verdict.HOLDS
    # "higher" and "exceeds" claim a positive difference, "lower" and "short" a negative.
    claimed = difference < 0 if direction in ("lower", "short") else difference > 0
    return Verdict.HOLDS if claimed else Verdict.DOES_NOT_HOLD


def _successes(kind: Kind, values: pd.Series, scale_max: pd.Series) -> int:
    if kind is Kind.TOP_TWO_BOX:
        return int((values >= scale_max - 1).sum())
    if kind is Kind.GAP_ABOVE:
        return int((values > 0).sum())
    if kind is Kind.GAP_EQUAL:
        return int((values == 0).sum())
    return int((values < 0).sum())


def _whole(values: pd.Series) -> list[float | int]:
    """Answers as categories: 4.0 is the answer "4"."""
    return [int(v) if float(v).is_integer() else float(v) for v in values]


def _group_stat(metric: Metric, frame: pd.DataFrame, min_n: int) -> dict[str, Any]:
    values = frame["value"].astype(float)
    n = int(values.size)
    if metric.kind is Kind.NPS:
        r = nps(values.tolist(), min_n=min_n)
        low, high = (r.interval.low, r.interval.high) if r.interval else (None, None)
        return {"n": n, "value": r.nps, "low": low, "high": high}
    if metric.kind is Kind.MEAN:
        mr = mean(values.tolist(), min_n=min_n)
        low, high = (mr.interval.low, mr.interval.high) if mr.interval else (None, None)
        return {"n": n, "value": mr.mean, "low": low, "high": high}
    pr = proportion(_successes(metric.kind, values, frame["scale_max"]), n, min_n=min_n)
    pct = lambda x: None if x is None else x * 100  # noqa: E731 - a unit change only
    low, high = (pr.interval.low, pr.interval.high) if pr.interval else (None, None)
    return {"n": n, "value": pct(pr.share), "low": pct(low), "high": pct(high)}


def _difference(metric: Metric, a: pd.DataFrame, b: pd.DataFrame, min_n: int) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    va, vb = a["value"].astype(float).tolist(), b["value"].astype(float).tolist()
    diff: Difference
    scale = 1.0
    if metric.kind is Kind.NPS:
        diff = compare_nps(va, vb, min_n=min_n)
    elif metric.kind is Kind.MEAN:
        both = compare_means(va, vb, min_n=min_n)
        diff = both.welch
        extra = {
            "mann_whitney_p": _finite(both.mann_whitney_p_value),
            "probability_of_superiority": _finite(both.probability_of_superiority),
        }
    else:
        scale = 100.0  # shares are compared in percentage points
        diff = compare_proportions(
            _successes(metric.kind, a["value"], a["scale_max"]),
            len(va),
            _successes(metric.kind, b["value"], b["scale_max"]),
            len(vb),
            min_n=min_n,
        )
    out = {
        "status": diff.status.value,
        "test": diff.test,
        "difference": None if diff.difference is None else diff.difference * scale,
        "low": diff.interval.low * scale if diff.interval else None,
        "high": diff.interval.high * scale if diff.interval else None,
        "p_value": _finite(diff.p_value),
        "effect_size": _finite(diff.effect_size),
        "effect_size_kind": diff.effect_size_kind,
        **extra,
    }
    if out["effect_size"] is not None:
        out["magnitude"] = magnitude(diff.effect_size_kind, out["effect_size"])  # type: ignore[arg-type]
    return out


def compare_groups(
    metric: Metric,
    a: pd.DataFrame,
    b: pd.DataFrame,
    direction: str,
    *,
    distribution: bool = False,
) -> dict[str, Any]:
    """A − B on ``metric`` (frames with ``value`` and ``scale_max``), or with
    ``distribution`` the chi-square test of the two groups' answer distributions."""
    min_n = metric.min_n
    result: dict[str, Any] = {
        "metric": metric.slug,
        "unit": metric.unit.value,
        "confidence": CONFIDENCE,
        "alpha": ALPHA,
        "min_n": min_n,
        "a": _group_stat(metric, a, min_n),
        "b": _group_stat(metric, b, min_n),
    }
    if distribution:
        _, cats, table = contingency({"a": _whole(a["value"]), "b": _whole(b["value"])})
        chi = chi_square(table, groups=["a", "b"], categories=list(cats), min_n=min_n)
        result.update(
            test=chi.test or "chi_square",
            categories=list(chi.categories),
            observed=[list(r) for r in chi.observed],
            statistic=chi.statistic,
            dof=chi.dof,
            p_value=chi.p_value,
            effect_size=chi.cramers_v,
            effect_size_kind="cramers_v",
            low_expected=chi.low_expected,
        )
        if chi.status is not Sufficiency.OK or chi.p_value is None:
            return {**result, "verdict": Verdict.TOO_FEW.value}
        result["magnitude"] = magnitude(
            "cramers_v", chi.cramers_v or 0.0, table_dof=min(len(chi.observed), len(cats)) - 1
        )
        verdict = Verdict.HOLDS if chi.p_value < ALPHA else Verdict.INCONCLUSIVE
        return {**result, "verdict": verdict.value}
    result.update(_difference(metric, a, b, min_n))
    if result["status"] != Sufficiency.OK.value or result["p_value"] is None:
        return {**result, "verdict": Verdict.TOO_FEW.value}
    # Means: Welch decides, but when Mann–Whitney reaches the other conclusion on the
    # same answers the honest answer is "inconclusive", never a confident claim.
    mw = result.get("mann_whitney_p")
    agree = mw is None or (mw < ALPHA) == (result["p_value"] < ALPHA)
    result["tests_disagree"] = not agree
    verdict = _decide(result["difference"], result["p_value"], direction, agree=agree)
    return {**result, "verdict": verdict.value}


def driver_order(
    frame: pd.DataFrame,
    driver_a: str,
    driver_b: str,
    *,
    method: str = "lmg",
    bootstrap: int = BOOTSTRAP,
    seed: int = 0,
) -> dict[str, Any]:
    """Does ``driver_a`` explain more of ``outcome`` than ``driver_b``? The two drivers'
    shares of R² (``metrics.drivers``), and the percentile bootstrap interval and
    two-sided bootstrap p-value of their difference (resampling respondents)."""
    complete = frame[["outcome", driver_a, driver_b]].dropna()
    n = len(complete)
    base: dict[str, Any] = {
        "method": method,
        "n": n,
        "dropped": int(len(frame) - n),
        "min_n": DRIVER_MIN_N,
        "confidence": CONFIDENCE,
        "alpha": ALPHA,
        "test": "bootstrap_difference",
    }
    if n < DRIVER_MIN_N:
        return {**base, "verdict": Verdict.TOO_FEW.value}
    columns = {c: complete[c].to_numpy(dtype=float) for c in ("outcome", driver_a, driver_b)}
    res = driver_analysis(columns, "outcome", [driver_a, driver_b], method=method)  # type: ignore[arg-type]
    w = {d.name: d.weight for d in res.drivers}
    rng = np.random.default_rng(seed)
    if method == "lmg":
        arr = _lmg_difference_draws(columns, driver_a, driver_b, bootstrap, rng)
    else:
        draws: list[float] = []
        for _ in range(bootstrap):
            pick = rng.integers(0, n, n)
            sample = {c: v[pick] for c, v in columns.items()}
            try:
                r = driver_analysis(
                    sample, "outcome", [driver_a, driver_b], method="relative_weights"
                )
            except ValueError:
                continue  # a resample without variation says nothing
            ws = {d.name: d.weight for d in r.drivers}
            draws.append(ws[driver_a] - ws[driver_b])
        arr = np.asarray(draws)
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = (float(np.percentile(arr, tail)), float(np.percentile(arr, 100 - tail)))
    p = min(1.0, 2 * min(float(np.mean(arr <= 0)), float(np.mean(arr >= 0))))
    diff = w[driver_a] - w[driver_b]
    result = {
        **base,
        "r2": res.r2,
        "a": {"n": n, "value": w[driver_a], "share": w[driver_a] / res.r2 if res.r2 else None},
        "b": {"n": n, "value": w[driver_b], "share": w[driver_b] / res.r2 if res.r2 else None},
        "difference": diff,
        "low": low,
        "high": high,
        "p_value": p,
        "bootstrap": int(arr.size),
    }
    # The interval decides (the p-value is its mirror): it must exclude 0.
    excludes = low > 0 or high < 0
    verdict = _decide(diff, 0.0 if excludes else 1.0, "higher")
    return {**result, "verdict": verdict.value}


def _lmg_difference_draws(
    columns: dict[str, np.ndarray], a: str, b: str, bootstrap: int, rng: np.random.Generator
) -> np.ndarray:
    """Bootstrap draws of LMG_a − LMG_b, in batches of resamples at once.

    With two drivers the Shapley shares are LMG_a = ½·r_a² + ½·(R² − r_b²) and the
    mirror, so their difference is simply r_a² − r_b² (the squared correlations with
    the outcome): no regression per resample is needed."""
    y, xa, xb = columns["outcome"], columns[a], columns[b]
    n = y.size
    batch = max(1, 4_000_000 // n)
    out: list[np.ndarray] = []
    done = 0
    while done < bootstrap:
        size = min(batch, bootstrap - done)
        pick = rng.integers(0, n, (size, n))
        ys, as_, bs = y[pick], xa[pick], xb[pick]
        out.append(_corr2(ys, as_) - _corr2(ys, bs))
        done += size
    arr = np.concatenate(out)
    return arr[np.isfinite(arr)]  # a resample without variation says nothing


def _corr2(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Squared correlation of each row of u with the same row of v."""
    uc = u - u.mean(axis=1, keepdims=True)
    vc = v - v.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (uc * vc).sum(axis=1) / np.sqrt((uc * uc).sum(axis=1) * (vc * vc).sum(axis=1))
    return np.asarray(r * r)


def _gap_numbers(gap: Gap) -> dict[str, Any]:
    g = gap.gap
    return {
        "n": gap.n,
        "value": g.mean,
        "low": g.interval.low if g.interval else None,
        "high": g.interval.high if g.interval else None,
        "exceeded_share": None if gap.exceeded.share is None else gap.exceeded.share * 100,
        "short_share": None if gap.fell_short.share is None else gap.fell_short.share * 100,
    }


def gap(
    pairs: pd.DataFrame, compared: pd.DataFrame, direction: str, *, min_n: int
) -> dict[str, Any]:
    """Does the touchpoint's experience fall short of (``short``) or exceed (``exceeds``)
    expectations? The paired form (expectation and experience answers of one respondent)
    when there are pairs, else the single "compared with what you expected" form; rows on
    the most common scale only, since gaps on different scales do not add up."""
    if len(pairs):
        scale = pairs.groupby(["scale_min", "scale_max"]).size().idxmax()
        rows = pairs[(pairs.scale_min == scale[0]) & (pairs.scale_max == scale[1])]
        result = paired_gap(
            rows["expectation"].astype(float).tolist(),
            rows["experience"].astype(float).tolist(),
            low=int(scale[0]),
            high=int(scale[1]),
            min_n=min_n,
        )
        form = "paired"
    elif len(compared):
        scale = compared.groupby(["scale_min", "scale_max"]).size().idxmax()
        rows = compared[(compared.scale_min == scale[0]) & (compared.scale_max == scale[1])]
        result = single_scale_gap(
            rows["value"].astype(float).tolist(), low=int(scale[0]), high=int(scale[1]), min_n=min_n
        )
        form = "single_scale"
    else:
        return {"form": None, "test": "", "min_n": min_n, "a": {"n": 0}, "verdict": "too_few"}
    out: dict[str, Any] = {
        "form": form,
        "test": "paired_t" if form == "paired" else "one_sample_t",
        "scale": [int(scale[0]), int(scale[1])],
        "min_n": min_n,
        "confidence": CONFIDENCE,
        "alpha": ALPHA,
        "a": _gap_numbers(result),
        "difference": result.gap.mean,
        "low": result.gap.interval.low if result.gap.interval else None,
        "high": result.gap.interval.high if result.gap.interval else None,
    }
    if result.status is not Sufficiency.OK or result.test is None or result.gap.mean is None:
        return {**out, "verdict": Verdict.TOO_FEW.value}
    t = result.test
    out.update(
        p_value=t.t_p_value,
        wilcoxon_p=t.wilcoxon_p_value,
        effect_size=_finite(t.effect_size),
        effect_size_kind="cohens_dz",
    )
    if out["effect_size"] is not None:
        out["magnitude"] = magnitude("cohens_dz", out["effect_size"])
    agree = (t.t_p_value < ALPHA) == (t.wilcoxon_p_value < ALPHA)
    out["tests_disagree"] = not agree
    verdict = _decide(result.gap.mean, t.t_p_value, direction, agree=agree)
    return {**out, "verdict": verdict.value}
