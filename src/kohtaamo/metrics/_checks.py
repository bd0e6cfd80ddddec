"""Shared input checks and result vocabulary for the statistics modules."""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from kohtaamo.errors import InvalidInput
from kohtaamo.i18n import N_

#: Below this many answers a metric is shown as "too few answers", not as a number.
DEFAULT_MIN_N = 30
DEFAULT_CONFIDENCE = 0.95

FloatArray = npt.NDArray[np.float64]


class MetricInputError(InvalidInput, ValueError):
    """Input a statistic cannot be computed from.

    A ``ValueError`` for callers that treat it as plain bad data (CLI, notebooks) and an
    ``InvalidInput`` so the web and API render it as a 422 in the user's language.
    """


class Sufficiency(enum.StrEnum):
    """Whether there are enough answers to show a number at all."""

    OK = "ok"
    TOO_FEW = "too_few"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Verdict:
    """A sentence in plain words: an English gettext msgid and its parameters."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.msgid % self.params if self.params else self.msgid


NO_DATA_VERDICT = N_("No data.")
TOO_FEW_VERDICT = N_("Too few answers to say (%(n)s; at least %(min_n)s are needed).")


def sufficiency(n: int, min_n: int) -> Sufficiency:
    if n == 0:
        return Sufficiency.NO_DATA
    return Sufficiency.OK if n >= min_n else Sufficiency.TOO_FEW


def insufficient_verdict(status: Sufficiency, n: int, min_n: int) -> Verdict:
    if status is Sufficiency.NO_DATA:
        return Verdict(NO_DATA_VERDICT)
    return Verdict(TOO_FEW_VERDICT, {"n": n, "min_n": min_n})


def check_settings(confidence: float, min_n: int) -> None:
    if not 0.0 < confidence < 1.0:
        raise MetricInputError(
            "The confidence level must be between 0 and 1 (e.g. 0.95), not %(value)s.",
            field="confidence",
            value=confidence,
        )
    if min_n < 1:
        raise MetricInputError(
            "The minimum number of answers must be at least 1, not %(value)s.",
            field="min_n",
            value=min_n,
        )


def to_array(values: Iterable[float], name: str) -> FloatArray:
    """Numbers as a float array; missing answers (None, NaN) are refused, not skipped.

    Leaving them out silently would change n behind the caller's back; the caller
    decides what an unanswered question means.
    """
    items = list(values)
    if any(v is None for v in items):
        raise MetricInputError(
            "%(name)s contains missing values; leave unanswered questions out first.",
            field=name,
            name=name,
        )
    try:
        arr = np.asarray(items, dtype=np.float64)
    except (TypeError, ValueError):
        raise MetricInputError(
            "%(name)s must contain only numbers.", field=name, name=name
        ) from None
    if arr.ndim != 1:
        raise MetricInputError("%(name)s must be a flat list of numbers.", field=name, name=name)
    if not np.all(np.isfinite(arr)):
        raise MetricInputError(
            "%(name)s contains missing or infinite values; leave unanswered questions out first.",
            field=name,
            name=name,
        )
    return arr


def ratings(values: Iterable[float], low: int, high: int, name: str) -> FloatArray:
    """Answers on a whole-number scale from ``low`` to ``high``, checked."""
    arr = to_array(values, name)
    bad = arr[(arr < low) | (arr > high) | (arr != np.round(arr))]
    if bad.size:
        raise MetricInputError(
            "%(name)s must be whole numbers from %(low)s to %(high)s; found %(value)s.",
            field=name,
            name=name,
            low=low,
            high=high,
            value=_plain(float(bad[0])),
        )
    return arr


def _plain(x: float) -> float | int:
    return int(x) if math.isfinite(x) and x == int(x) else x
