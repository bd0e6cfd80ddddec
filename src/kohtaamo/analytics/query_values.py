"""Metric values from the sufficient statistics of ``query_frame``, vectorised over cells
with the formulas of ``metrics.stats`` (the same numbers as from the raw answers), and
the comparison of two cells with the tests of ``metrics.compare``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kohtaamo.analytics.catalogue import Kind, Metric
from kohtaamo.metrics._checks import Sufficiency
from kohtaamo.metrics.compare import (
    Difference,
    compare_means_from_stats,
    compare_nps_counts,
    compare_proportions,
)
from kohtaamo.metrics.stats import nps_intervals, t_intervals, wilson_intervals

_SHARE_COLUMN = {
    Kind.TOP_TWO_BOX: "top2",
    Kind.GAP_ABOVE: "pos",
    Kind.GAP_EQUAL: "zero",
    Kind.GAP_BELOW: "neg",
    Kind.RESPONSE_RATE: "done",
    Kind.SHARE: "pos",
}


@dataclass(frozen=True)
class Change:
    """The cell against the previous period: ``delta`` = value − previous value (in the
    metric's unit); ``adjusted_p_value`` is Benjamini–Hochberg over every test of the
    query, and ``significant`` compares it with 1 − confidence."""

    previous: MetricValue
    delta: float | None
    p_value: float | None
    adjusted_p_value: float | None
    significant: bool
    test: str


@dataclass(frozen=True)
class MetricValue:
    metric: str
    status: Sufficiency
    #: in the metric's unit; None unless ``status`` is ok
    value: float | None
    n: int
    low: float | None = None
    high: float | None = None
    change: Change | None = None


def no_data(slug: str) -> MetricValue:
    return MetricValue(slug, Sufficiency.NO_DATA, None, 0)


def metric_frame(
    metric: Metric,
    slug: str,
    by_role: pd.DataFrame | None,
    responses: pd.DataFrame | None,
    invitations: pd.DataFrame | None,
    keys: Sequence[str],
    confidence: float,
) -> pd.DataFrame:
    """One row per cell with data: the keys, ``n``, ``value``, ``low``, ``high``,
    ``status`` and what a comparison needs (``a``, ``b``: successes / promoters and
    detractors / mean and variance)."""
    keys = list(keys)
    if metric.kind is Kind.RESPONSES:
        assert responses is not None
        df = responses[[*keys, "responses"]].rename(columns={"responses": "n"})
        df = df[df["n"] > 0].reset_index(drop=True)
        df["value"] = df["n"].astype(np.float64)
        df["low"] = np.nan
        df["high"] = np.nan
        return _with_status(df, metric.min_n, slug)
    if metric.kind is Kind.RESPONSE_RATE:
        assert invitations is not None
        df = invitations.rename(columns={"sent": "n"})
    else:
        assert by_role is not None
        df = by_role[by_role["role"] == metric.roles[0]].drop(columns="role")
    df = df[df["n"] > 0].reset_index(drop=True)
    n = df["n"].to_numpy(np.float64)
    if metric.kind is Kind.NPS:
        prom, det = df["prom"].to_numpy(np.float64), df["det"].to_numpy(np.float64)
        df["value"] = (prom - det) / n * 100
        df["low"], df["high"] = nps_intervals(prom, det, n, confidence)
        df["a"], df["b"] = prom, det
    elif metric.kind is Kind.MEAN:
        s1, s2 = df["s1"].to_numpy(np.float64), df["s2"].to_numpy(np.float64)
        mean = s1 / n
        with np.errstate(divide="ignore", invalid="ignore"):
            var = np.where(n >= 2, np.maximum(0.0, (s2 - s1 * s1 / n) / (n - 1)), 0.0)
        df["value"] = mean
        df["low"], df["high"] = t_intervals(mean, var, n, confidence)
        df["a"], df["b"] = mean, var
    else:
        successes = df[_SHARE_COLUMN[metric.kind]].to_numpy(np.float64)
        low, high = wilson_intervals(successes, n, confidence)
        df["value"] = successes / n * 100
        df["low"], df["high"] = low * 100, high * 100
        df["a"] = successes
    return _with_status(df, metric.min_n, slug)


def _with_status(df: pd.DataFrame, min_n: int, slug: str) -> pd.DataFrame:
    df["status"] = np.where(df["n"] >= min_n, Sufficiency.OK.value, Sufficiency.TOO_FEW.value)
    df["metric"] = slug
    return df


def values_of(df: pd.DataFrame, keys: Sequence[str]) -> dict[tuple[str | None, ...], MetricValue]:
    """The frame's rows as MetricValues by cell key (numbers only where status is ok)."""
    key_cols = [_keys(df[k]) for k in keys]
    cell_keys = list(zip(*key_cols, strict=True)) if keys else [()] * len(df)
    ok = Sufficiency.OK
    statuses = [_STATUS[s] for s in df["status"].tolist()]
    out: dict[tuple[str | None, ...], MetricValue] = {}
    for key, slug, status, value, n, low, high in zip(
        cell_keys,
        df["metric"].tolist(),
        statuses,
        df["value"].tolist(),
        df["n"].tolist(),
        _nullable(df["low"]),
        _nullable(df["high"]),
        strict=True,
    ):
        if status is ok:
            out[key] = MetricValue(slug, ok, value, n, low, high)
        else:
            out[key] = MetricValue(slug, status, None, n)
    return out


_STATUS = {s.value: s for s in Sufficiency}


def _keys(col: pd.Series) -> list[str | None]:
    # pandas may hand a missing key back as NaN (its string dtype) instead of None.
    if col.dtype == object and not col.isna().any():
        return [str(x) for x in col.tolist()]
    present = col.notna().to_numpy()
    out = np.full(len(col), None, dtype=object)
    out[present] = col[present].astype(str).to_numpy(dtype=object)
    return list(out.tolist())


def _nullable(col: pd.Series) -> list[float | None]:
    """Floats as a list, NaN as None (a statistic without an interval)."""
    arr = col.to_numpy(np.float64)
    out: list[float | None] = list(arr.tolist())
    for i in np.flatnonzero(np.isnan(arr)).tolist():
        out[i] = None
    return out


def difference(
    metric: Metric, current: pd.Series | None, previous: pd.Series | None, confidence: float
) -> Difference | None:
    """The test of the current cell against the previous one, in the metric's unit;
    None for counts (no test) or when a side has no data."""
    if current is None or previous is None or metric.kind is Kind.RESPONSES:
        return None
    n_a, n_b = int(current["n"]), int(previous["n"])
    if metric.kind is Kind.NPS:
        return compare_nps_counts(
            int(current["a"]),
            int(current["b"]),
            n_a,
            int(previous["a"]),
            int(previous["b"]),
            n_b,
            confidence=confidence,
            min_n=metric.min_n,
        )
    if metric.kind is Kind.MEAN:
        return compare_means_from_stats(
            n_a,
            float(current["a"]),
            float(current["b"]),
            n_b,
            float(previous["a"]),
            float(previous["b"]),
            confidence=confidence,
            min_n=metric.min_n,
        )
    found = compare_proportions(
        int(current["a"]), n_a, int(previous["a"]), n_b, confidence=confidence, min_n=metric.min_n
    )
    return found
