"""Key drivers: how much each touchpoint's experience explains an outcome.

Two measures of relative importance in a linear regression of the outcome on the drivers:

- **LMG** (Lindeman, Merenda & Gold 1980), the Shapley decomposition of R²: each
  driver's R² gain averaged over every order in which drivers can enter the model. Exact
  over all 2^p subsets for up to ``EXACT_MAX`` drivers; above that (up to ``MAX_DRIVERS``)
  the average over ``SAMPLED_ORDERS`` random orders, said in the result.
- **Relative weights** (Johnson 2000): the drivers' variance shares through their
  orthogonal counterparts; close to LMG and far cheaper.

Both are computed from correlations, so each driver's share sums to R². The subset R²
values are computed level by level with a Schur-complement update of the inverse
correlation matrix, in batches of NumPy arrays: a subset's R² costs O(k²), not a new
regression. Missing values: rows missing the outcome or any driver are left out
(listwise deletion), and the result says how many.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from kohtaamo.metrics._checks import FloatArray, MetricInputError

Method = Literal["lmg", "relative_weights"]
EXACT_MAX = 20
MAX_DRIVERS = 30
SAMPLED_ORDERS = 4096
COLLINEAR_TOLERANCE = 1e-10


@dataclass(frozen=True)
class DriverWeight:
    name: str
    weight: float  # the driver's share of R² (the shares sum to R²)
    share: float  # weight / R²: its part of what the model explains
    rank: int  # 1 = most important
    interval: tuple[float, float] | None = None  # bootstrap percentile interval of weight


@dataclass(frozen=True)
class DriverResult:
    method: Method
    outcome: str
    r2: float
    n: int  # rows used
    dropped: int  # rows left out for a missing value
    drivers: tuple[DriverWeight, ...]
    exact: bool  # False: LMG averaged over sampled orders
    bootstrap: int  # resamples behind the intervals (0: none)


def _matrix(
    data: Mapping[str, Sequence[float | None]], outcome: str, drivers: Sequence[str]
) -> tuple[FloatArray, int]:
    if not drivers:
        raise MetricInputError("Name at least one driver.")
    if outcome in drivers:
        raise MetricInputError(
            "The outcome %(name)s is also listed as a driver.", field="drivers", name=outcome
        )
    if len(set(drivers)) != len(drivers):
        raise MetricInputError("A driver is listed twice.", field="drivers")
    if len(drivers) > MAX_DRIVERS:
        raise MetricInputError(
            "At most %(max)s drivers can be compared (%(n)s given).",
            field="drivers",
            max=MAX_DRIVERS,
            n=len(drivers),
        )
    for name in (outcome, *drivers):
        if name not in data:
            raise MetricInputError("No column named %(name)s.", name=name)
    try:
        columns = [np.asarray(data[c], dtype=np.float64) for c in (*drivers, outcome)]
    except (TypeError, ValueError) as exc:  # None becomes NaN; text is refused
        raise MetricInputError("Every column must hold numbers.") from exc
    if len({c.shape for c in columns}) != 1 or columns[0].ndim != 1:
        raise MetricInputError("Every column must have the same number of values.")
    # Column-major, drivers then the outcome: each column is one contiguous copy.
    table = np.empty((len(columns[0]), len(columns)), order="F")
    for i, column in enumerate(columns):
        table[:, i] = column
    complete = ~np.isnan(table).any(axis=1)
    rows = table if complete.all() else np.asfortranarray(table[complete])
    return rows, int(table.shape[0] - rows.shape[0])


def _correlations(table: FloatArray, names: Sequence[str]) -> tuple[FloatArray, FloatArray]:
    """Correlations among the drivers and with the outcome (the last column).

    Centres ``table`` in place (callers pass their own copy)."""
    n, p = table.shape[0], table.shape[1] - 1
    if n < max(10, p + 2):
        raise MetricInputError(
            "Too few complete answers for a driver analysis (%(n)s; at least %(min)s).",
            n=n,
            min=max(10, p + 2),
        )
    table -= table.mean(axis=0)
    cov = table.T @ table  # one matrix product over all rows (BLAS)
    sd = np.sqrt(np.diag(cov))
    flat = np.flatnonzero(sd <= 1e-9 * math.sqrt(n))
    if len(flat):
        raise MetricInputError(
            "These columns do not vary, so they explain nothing: %(names)s.",
            names=", ".join(names[int(i)] if i < p else "outcome" for i in flat),
        )
    corr = cov / np.outer(sd, sd)
    rxx, rxy = corr[:p, :p], corr[:p, p]
    eig = np.linalg.eigvalsh(rxx)
    if eig.min() <= COLLINEAR_TOLERANCE * max(1.0, eig.max()):
        raise MetricInputError(
            "Some drivers are perfectly collinear (one is a combination of others): "
            "leave one of them out."
        )
    return rxx, rxy


def _extend(
    inv: FloatArray,
    w: FloatArray,
    members: np.ndarray,
    j: np.ndarray,
    rxx: FloatArray,
    rxy: FloatArray,
    keep: np.ndarray | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Add driver j[b] to set b: the R² gain for every row b, and the new inverse and
    R⁻¹r for the rows in ``keep`` (all if None): only sets that will grow need them.

    ``inv`` (B×k×k) is the inverse correlation of each set, ``w`` (B×k) = inv @ r_set,
    ``members`` (B×k) the drivers in each set. Block inversion with the Schur complement.
    """
    b, k = members.shape
    if k == 0:
        gain = rxy[j] ** 2
        kept = j if keep is None else j[keep]
        return np.ones((len(kept), 1, 1)), rxy[kept][:, None].copy(), gain
    a = rxx[members, j[:, None]]  # correlation of each member with the newcomer (B×k)
    u = np.matmul(inv, a[:, :, None])[:, :, 0]
    s = 1.0 - (a * u).sum(axis=1)  # Schur complement (> 0 unless collinear)
    t = rxy[j] - (a * w).sum(axis=1)
    gain = t * t / s
    if keep is not None:
        inv, w, u, s, t = inv[keep], w[keep], u[keep], s[keep], t[keep]
        b = len(s)
    new_inv = np.empty((b, k + 1, k + 1))
    us = u / s[:, None]
    new_inv[:, :k, :k] = inv
    new_inv[:, :k, :k] += us[:, :, None] * u[:, None, :]
    new_inv[:, :k, k] = -us
    new_inv[:, k, :k] = -us
    new_inv[:, k, k] = 1.0 / s
    new_w = np.empty((b, k + 1))
    new_w[:, :k] = w - us * t[:, None]
    new_w[:, k] = t / s
    return new_inv, new_w, gain


def subset_r2(rxx: FloatArray, rxy: FloatArray) -> FloatArray:
    """R² of every subset of drivers, indexed by bitmask (bit i: driver i is in).

    Level by level: a subset is its parent (without its highest driver) plus that
    driver. Subsets holding the last driver have no children, so only the others keep
    their inverse for the next level (half the work and memory)."""
    p = len(rxy)
    masks = np.arange(1 << p, dtype=np.int64)
    size = np.zeros(1 << p, dtype=np.int64)
    for i in range(p):
        size += (masks >> i) & 1
    r2 = np.zeros(1 << p)
    row_of = np.zeros(1 << p, dtype=np.int64)  # a parent's row within its level's arrays
    inv: FloatArray = np.ones((1, 0, 0))
    w: FloatArray = np.zeros((1, 0))
    members = np.zeros((1, 0), dtype=np.int64)
    for k in range(1, p + 1):
        level = masks[size == k]
        top = np.floor(np.log2(level)).astype(np.int64)  # the newcomer: the highest driver
        parent = level ^ (1 << top)
        rows = row_of[parent] if k > 1 else np.zeros(len(level), dtype=np.int64)
        keep = top < p - 1
        inv, w, gain = _extend(inv[rows], w[rows], members[rows], top, rxx, rxy, keep)
        r2[level] = r2[parent] + gain
        members = np.column_stack([members[rows][keep], top[keep]])
        row_of[level[keep]] = np.arange(int(keep.sum()))
    return r2


def _lmg_exact(rxx: FloatArray, rxy: FloatArray) -> FloatArray:
    p = len(rxy)
    r2 = subset_r2(rxx, rxy)
    masks = np.arange(1 << p, dtype=np.int64)
    size = np.zeros(1 << p, dtype=np.int64)
    for i in range(p):
        size += (masks >> i) & 1
    # Weight of a subset S (without j) of size s: s! (p - s - 1)! / p!
    weight_of = np.array(
        [math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p) for s in range(p)]
    )
    out = np.empty(p)
    for j in range(p):
        without = masks[((masks >> j) & 1) == 0]
        out[j] = float(((r2[without | (1 << j)] - r2[without]) * weight_of[size[without]]).sum())
    return out


def _lmg_sampled(rxx: FloatArray, rxy: FloatArray, seed: int) -> FloatArray:
    p = len(rxy)
    rng = np.random.default_rng(seed)
    orders = np.argsort(rng.random((SAMPLED_ORDERS, p)), axis=1)
    totals = np.zeros(p)
    inv: FloatArray = np.ones((SAMPLED_ORDERS, 0, 0))
    w: FloatArray = np.zeros((SAMPLED_ORDERS, 0))
    for k in range(p):
        inv, w, gain = _extend(inv, w, orders[:, :k], orders[:, k], rxx, rxy)
        np.add.at(totals, orders[:, k], gain)
    return totals / SAMPLED_ORDERS


def _relative_weights(rxx: FloatArray, rxy: FloatArray) -> FloatArray:
    values, vectors = np.linalg.eigh(rxx)
    root = vectors @ np.diag(np.sqrt(values)) @ vectors.T  # Rxx^(1/2): X on orthogonal Z
    beta = np.linalg.solve(root, rxy)  # the outcome regressed on Z
    return (root**2) @ (beta**2)


def _weights(
    method: Method, rxx: FloatArray, rxy: FloatArray, seed: int
) -> tuple[FloatArray, bool]:
    if method == "relative_weights":
        return _relative_weights(rxx, rxy), True
    if len(rxy) <= EXACT_MAX:
        return _lmg_exact(rxx, rxy), True
    return _lmg_sampled(rxx, rxy, seed), False


def driver_analysis(
    data: Mapping[str, Sequence[float | None]],
    outcome: str,
    drivers: Sequence[str],
    *,
    method: Method = "lmg",
    bootstrap: int = 0,
    confidence: float = 0.95,
    seed: int = 0,
) -> DriverResult:
    """Relative importance of ``drivers`` for ``outcome`` (columns of ``data``)."""
    if bootstrap < 0 or bootstrap > 10_000:
        raise MetricInputError("Bootstrap resamples must be between 0 and 10000.")
    table, dropped = _matrix(data, outcome, drivers)
    n = table.shape[0]
    original = table.copy(order="F") if bootstrap else table
    rxx, rxy = _correlations(table, drivers)
    weights, exact = _weights(method, rxx, rxy, seed)
    r2 = float(weights.sum())
    intervals: list[tuple[float, float] | None] = [None] * len(drivers)
    if bootstrap:
        rng = np.random.default_rng(seed)
        draws = np.empty((bootstrap, len(drivers)))
        for b in range(bootstrap):
            pick = rng.integers(0, n, n)
            try:
                bx, by = _correlations(np.asfortranarray(original[pick]), drivers)
            except MetricInputError:
                draws[b] = np.nan  # a resample without variation: left out
                continue
            draws[b] = _weights(method, bx, by, seed + b + 1)[0]
        tail = (1 - confidence) / 2 * 100
        low = np.nanpercentile(draws, tail, axis=0)
        high = np.nanpercentile(draws, 100 - tail, axis=0)
        intervals = [(float(lo), float(hi)) for lo, hi in zip(low, high, strict=True)]
    order = np.argsort(-weights, kind="stable")
    rank = np.empty(len(drivers), dtype=np.int64)
    rank[order] = np.arange(1, len(drivers) + 1)
    return DriverResult(
        method=method,
        outcome=outcome,
        r2=r2,
        n=n,
        dropped=dropped,
        drivers=tuple(
            DriverWeight(
                name=name,
                weight=float(weights[i]),
                share=float(weights[i] / r2) if r2 > 0 else 0.0,
                rank=int(rank[i]),
                interval=intervals[i],
            )
            for i, name in enumerate(drivers)
        ),
        exact=exact,
        bootstrap=bootstrap,
    )


Quadrant = Literal["fix_first", "keep_up", "dont_overinvest", "watch"]


def importance_performance(
    importance: Mapping[str, float], performance: Mapping[str, float]
) -> dict[str, Quadrant]:
    """Place each driver in a quadrant split at the mean importance and mean performance.

    Important and weak: fix first; important and strong: keep up; unimportant and strong:
    don't overinvest; unimportant and weak: watch.
    """
    names = [n for n in importance if n in performance]
    if not names:
        return {}
    imp_cut = float(np.mean([importance[n] for n in names]))
    perf_cut = float(np.mean([performance[n] for n in names]))
    out: dict[str, Quadrant] = {}
    for n in names:
        important = importance[n] >= imp_cut
        strong = performance[n] >= perf_cut
        out[n] = (
            ("keep_up" if strong else "fix_first")
            if important
            else ("dont_overinvest" if strong else "watch")
        )
    return out
