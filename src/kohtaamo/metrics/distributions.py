"""Do answers spread differently across groups? The chi-square test of a contingency
table with Cramér's V, exact and simulated p-values where the approximation fails, the
Holm correction for many comparisons, and effect sizes in words.

Beside ``compare`` (two groups, one number each) these answer questions about whole
distributions: "do corporate and consumer customers answer the billing CSAT item
differently?", where the table is groups × answer options.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats as sps

from kohtaamo.metrics._checks import (
    DEFAULT_MIN_N,
    MetricInputError,
    Sufficiency,
    sufficiency,
)
from kohtaamo.metrics.compare import Correction, checked_p_values

#: Cochran's (1954) rule: the chi-square approximation needs every expected count ≥ 5.
MIN_EXPECTED = 5.0
#: Resamples behind a simulated p-value (as R's ``chisq.test(simulate.p.value = TRUE)``).
SIMULATIONS = 9999

ChiTest = Literal["chi_square", "fisher_exact", "chi_square_simulated"]
Magnitude = Literal["negligible", "small", "medium", "large"]
EffectKind = Literal["cohens_d", "cohens_h", "cramers_v", "rank_biserial", "cohens_dz"]


@dataclass(frozen=True)
class Distribution:
    """The chi-square test of independence of groups (rows) and categories (columns)."""

    n: int
    status: Sufficiency
    groups: tuple[str, ...]
    categories: tuple[str, ...]
    #: observed counts, groups × categories (categories nobody chose left out)
    observed: tuple[tuple[int, ...], ...]
    statistic: float | None
    dof: int | None
    p_value: float | None
    test: ChiTest | None
    cramers_v: float | None
    #: the smallest expected count under independence
    min_expected: float | None
    #: True when some expected count is below 5: the plain approximation was not used
    low_expected: bool


def contingency(
    groups: Mapping[str, Iterable[Hashable]], categories: Sequence[Hashable] | None = None
) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
    """Count each group's answers per category: (group names, category labels, counts).

    ``categories`` fixes the column order (e.g. 1..5 of a scale); answers outside it are
    refused. Without it the categories are the answers seen, sorted.
    """
    answers = {name: list(values) for name, values in groups.items()}
    seen = sorted({a for values in answers.values() for a in values}, key=_sort_key)
    cats = list(categories) if categories is not None else seen
    index = {c: i for i, c in enumerate(cats)}
    stray = [a for a in seen if a not in index]
    if stray:
        raise MetricInputError(
            "The answer %(value)s is not one of the categories.",
            field="groups",
            value=str(stray[0]),
        )
    table = np.zeros((len(answers), len(cats)), dtype=np.int64)
    for row, values in enumerate(answers.values()):
        for a in values:
            table[row, index[a]] += 1
    return tuple(answers), tuple(str(c) for c in cats), table


def _sort_key(value: Hashable) -> tuple[int, float | str]:
    return (0, float(value)) if isinstance(value, int | float) else (1, str(value))


def chi_square(
    observed: Sequence[Sequence[int]] | np.ndarray,
    *,
    groups: Sequence[str] | None = None,
    categories: Sequence[str] | None = None,
    min_n: int = DEFAULT_MIN_N,
    seed: int = 0,
) -> Distribution:
    """Pearson's chi-square test of independence (``scipy.stats.chi2_contingency``,
    without Yates' continuity correction, so that on a 2×2 table X² equals the square of
    the pooled two-proportion z) and Cramér's V = √(X² / (n · (min(r, c) − 1))).

    When an expected count is below 5 the approximation is not trusted: a 2×2 table gets
    Fisher's exact test (Fisher 1935), a larger one a Monte Carlo p-value from
    ``SIMULATIONS`` tables with the same margins (Hope 1968; R's
    ``simulate.p.value``), reproducible through ``seed``. Categories nobody chose and
    groups without answers are left out first (they carry no information and make the
    expected counts zero). Every group must have at least ``min_n`` answers.
    """
    table = np.asarray(observed)
    if table.ndim != 2 or table.size == 0:
        raise MetricInputError("The table must have rows (groups) and columns (answers).")
    if (
        not np.issubdtype(table.dtype, np.number)
        or np.any(table < 0)
        or np.any(table != np.round(table))
    ):
        raise MetricInputError("The table must hold counts (whole numbers of 0 or more).")
    table = table.astype(np.int64)
    names = list(groups) if groups is not None else [str(i + 1) for i in range(table.shape[0])]
    cats = (
        list(categories) if categories is not None else [str(j + 1) for j in range(table.shape[1])]
    )
    if len(names) != table.shape[0] or len(cats) != table.shape[1]:
        raise MetricInputError("The group and category names must match the table's shape.")
    rows, cols = table.sum(axis=1) > 0, table.sum(axis=0) > 0
    table = table[rows][:, cols]
    names = [n for n, keep in zip(names, rows, strict=True) if keep]
    cats = [c for c, keep in zip(cats, cols, strict=True) if keep]
    n = int(table.sum())
    if n == 0:
        status = Sufficiency.NO_DATA
    elif any(sufficiency(int(size), min_n) is not Sufficiency.OK for size in table.sum(axis=1)):
        status = Sufficiency.TOO_FEW
    else:
        status = Sufficiency.OK
    observed_rows = tuple(tuple(int(x) for x in row) for row in table)
    if status is not Sufficiency.OK or table.shape[0] < 2 or table.shape[1] < 2:
        # One group or one answer only: nothing to compare, not "no difference".
        status = status if status is not Sufficiency.OK else Sufficiency.TOO_FEW
        return Distribution(
            n, status, tuple(names), tuple(cats), observed_rows,
            None, None, None, None, None, None, False,
        )  # fmt: skip
    result = sps.chi2_contingency(table, correction=False)
    statistic, dof = float(result.statistic), int(result.dof)
    min_expected = float(np.min(result.expected_freq))
    low = min_expected < MIN_EXPECTED
    p, test = float(result.pvalue), "chi_square"
    if low and table.shape == (2, 2):
        p, test = float(sps.fisher_exact(table).pvalue), "fisher_exact"
    elif low:
        method = sps.MonteCarloMethod(n_resamples=SIMULATIONS, rng=np.random.default_rng(seed))
        p = float(sps.chi2_contingency(table, correction=False, method=method).pvalue)
        test = "chi_square_simulated"
    v = math.sqrt(statistic / (n * (min(table.shape) - 1)))
    return Distribution(
        n=n,
        status=status,
        groups=tuple(names),
        categories=tuple(cats),
        observed=observed_rows,
        statistic=statistic,
        dof=dof,
        p_value=min(1.0, p),
        test=test,  # type: ignore[arg-type]
        cramers_v=v,
        min_expected=min_expected,
        low_expected=low,
    )


def holm(p_values: Sequence[float], *, alpha: float = 0.05) -> Correction:
    """Holm's (1979) step-down correction, controlling the family-wise error rate.

    Sorted ascending, the i-th smallest p (i from 1) is multiplied by m − i + 1; the
    adjusted values are made non-decreasing in that order and capped at 1. Stricter than
    Benjamini–Hochberg (``compare.benjamini_hochberg``): use it when any false positive
    is costly, BH when many cells are screened. Same numbers as R's
    ``p.adjust(method = "holm")``.
    """
    if not 0.0 < alpha < 1.0:
        raise MetricInputError(
            "The significance level must be between 0 and 1 (e.g. 0.05), not %(value)s.",
            field="alpha",
            value=alpha,
        )
    p = checked_p_values(p_values)
    m = p.size
    if m == 0:
        return Correction((), (), alpha)
    order = np.argsort(p, kind="stable")
    stepped = np.minimum(np.maximum.accumulate(p[order] * (m - np.arange(m))), 1.0)
    adjusted = np.empty(m)
    adjusted[order] = stepped
    return Correction(
        tuple(float(x) for x in adjusted), tuple(bool(x <= alpha) for x in adjusted), alpha
    )


def rank_biserial(probability_of_superiority: float) -> float:
    """The rank-biserial correlation r = 2·PS − 1 (Kerby 2014) from Mann–Whitney's
    probability of superiority (``compare.MeanComparison``): −1..1, 0 = no shift."""
    return 2.0 * probability_of_superiority - 1.0


# Cohen (1988) conventions. For Cramér's V the thresholds of w (0.1, 0.3, 0.5) are
# divided by √(min(r, c) − 1), so a 2×5 table and a 4×5 table are judged alike.
_THRESHOLDS: dict[str, tuple[float, float, float]] = {
    "cohens_d": (0.2, 0.5, 0.8),
    "cohens_dz": (0.2, 0.5, 0.8),
    "cohens_h": (0.2, 0.5, 0.8),
    "cramers_v": (0.1, 0.3, 0.5),
    "rank_biserial": (0.1, 0.3, 0.5),
}


def magnitude(kind: EffectKind, value: float, *, table_dof: int = 1) -> Magnitude:
    """An effect size in words by Cohen's (1988) conventions: negligible, small, medium
    or large. ``table_dof`` is min(r, c) − 1 of the table behind a Cramér's V."""
    try:
        small, medium, large = _THRESHOLDS[kind]
    except KeyError:
        raise MetricInputError("Unknown effect size %(value)s.", field="kind", value=kind) from None
    size = abs(value)
    if kind == "cramers_v":
        scale = math.sqrt(max(1, table_dof))
        small, medium, large = small / scale, medium / scale, large / scale
    if size >= large:
        return "large"
    if size >= medium:
        return "medium"
    return "small" if size >= small else "negligible"
