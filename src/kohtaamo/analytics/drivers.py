"""Critical touchpoints: which touchpoints' experiences (or expectation gaps) explain an
outcome, from the analytics store.

The respondent × driver matrix is built with ibis on a :class:`Source` (every table
filtered to one organisation) and handed to :mod:`kohtaamo.metrics.drivers` (exact LMG,
relative weights, bootstrap, importance–performance quadrants).

Rows (``unit``):

- ``response``: one row per finished response that answered the outcome; the drivers
  are the same response's answers (a relationship survey rating touchpoints beside the
  NPS);
- ``customer``: one row per known customer; a driver is the mean of the customer's
  answers about that touchpoint in the period, the outcome the mean of their outcome
  answers, or a CRM attribute of their profile (``attribute:churned`` → 0/1).

Drivers, by touchpoint key:

- ``experience``: the ``experience`` and ``csat`` answers about the touchpoint, each as
  a percentage of its scale (0 = the scale's bottom, 100 = its top) so that 1–5 and
  1–7 scales mix; performance = their mean;
- ``gap``: experience − expectation (the store's ``gap`` role), in scale points;
  performance = the exceeded share (% of answers above expectation).

Missing data: a driver answered in fewer than ``MIN_DRIVER_ANSWERS`` rows, or in fewer
than half of the rows with the outcome, is left out with a note (keeping it would cost
most rows). Then rows missing the outcome or any kept driver are left out (listwise
deletion); the result states n used and n left out. Without a chosen driver list, the
``EXACT_MAX`` most-answered touchpoints are used.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

import ibis
import numpy as np
import pandas as pd

from kohtaamo.analytics.source import Source
from kohtaamo.errors import InvalidInput
from kohtaamo.i18n import N_
from kohtaamo.metrics import drivers as stats
from kohtaamo.metrics._checks import MetricInputError, Verdict

Kind = Literal["experience", "gap"]
Unit = Literal["response", "customer"]
SURVEY_OUTCOMES = ("nps", "repurchase_intent", "overall_satisfaction")
ATTRIBUTE_PREFIX = "attribute:"
EXPERIENCE_ROLES = ("experience", "csat")
MIN_DRIVER_ANSWERS = 30
MIN_DRIVER_COVERAGE = 0.5
DEFAULT_BOOTSTRAP = 200
YES = {"true", "yes", "y", "1", "kyllä", "ja"}
NO = {"false", "no", "n", "0", "ei", "nej"}

NOTE_DROPPED_DRIVER = N_(
    "%(name)s was left out: answered in %(answered)s of %(rows)s rows "
    "(at least %(min)s and half are needed)."
)
NOTE_LISTWISE = N_(
    "%(dropped)s rows missing a driver were left out (listwise deletion); %(n)s were used."
)
NOTE_TOP = N_("The %(max)s most-answered touchpoints were used as drivers.")
NOTE_SAMPLED = N_(
    "LMG was averaged over %(orders)s random orders of the drivers (more than %(max)s "
    "drivers: the exact average over every order would take too long)."
)


@dataclass(frozen=True)
class DriverQuery:
    outcome: str = "nps"  # a survey role of SURVEY_OUTCOMES or "attribute:<name>"
    kind: Kind = "experience"
    unit: Unit = "response"
    drivers: tuple[str, ...] = ()  # touchpoint keys; () = every touchpoint answered enough
    start: datetime | None = None  # answered_at >= start (naive UTC)
    end: datetime | None = None  # answered_at < end
    segment: str | None = None
    method: stats.Method = "lmg"
    bootstrap: int = DEFAULT_BOOTSTRAP
    confidence: float = 0.95
    seed: int = 0


@dataclass(frozen=True)
class Matrix:
    """The respondent × driver matrix: columns by touchpoint key (NaN = not answered)."""

    unit: Unit
    outcome: np.ndarray
    columns: dict[str, np.ndarray]
    answered: dict[str, int]  # rows that answered each driver (before any deletion)
    performance: dict[str, float]  # mean experience (0–100) or exceeded share (%)
    left_out: dict[str, int]  # drivers left out for too few answers: their answered count
    notes: tuple[Verdict, ...] = ()
    touchpoints: pd.DataFrame | None = None  # the organisation's, as touchpoint_names gives

    @property
    def rows(self) -> int:
        return len(self.outcome)


@dataclass(frozen=True)
class DriverRow:
    key: str  # touchpoint key
    touchpoint_id: str
    names: dict[str, str]  # fi/en/sv
    weight: float  # share of R² by the chosen method (sums to R²)
    share: float  # weight / R²
    lmg: float
    relative_weight: float
    rank: int
    interval: tuple[float, float] | None
    answered: int
    performance: float
    quadrant: stats.Quadrant

    def name(self, locale: str) -> str:
        return self.names.get(locale) or self.names.get("en") or self.key


@dataclass(frozen=True)
class DriverReport:
    query: DriverQuery
    r2: float
    n: int  # rows used
    dropped: int  # rows left out for a missing driver
    rows: int  # rows with the outcome
    exact: bool
    drivers: tuple[DriverRow, ...]
    left_out: dict[str, int]
    notes: tuple[Verdict, ...] = field(default_factory=tuple)


def _measures(source: Source, org: str, q: DriverQuery) -> ibis.Table:
    m = source.measures
    m = m.filter(m.organisation_id == org)
    if q.start is not None:
        m = m.filter(m.answered_at >= q.start)
    if q.end is not None:
        m = m.filter(m.answered_at < q.end)
    if q.segment:
        m = m.filter(m.segment == q.segment)
    return m


def _unit_column(m: ibis.Table, unit: Unit) -> ibis.Value:
    return m.response_id if unit == "response" else m.customer_id


def _driver_values(source: Source, org: str, q: DriverQuery) -> pd.DataFrame:
    """(unit, touchpoint_id, x): one value per unit and touchpoint, aggregated in the engine."""
    m = _measures(source, org, q)
    m = m.mutate(unit=_unit_column(m, q.unit)).filter(
        lambda t: t.unit.notnull() & t.touchpoint_id.notnull()
    )
    if q.kind == "gap":
        m = m.filter(m.role == "gap").mutate(x=m.value, exceeded=(m.value > 0).cast("float64"))
    else:
        span = (m.scale_max - m.scale_min).nullif(0).cast("float64")
        m = m.filter(m.role.isin(EXPERIENCE_ROLES))
        m = m.mutate(x=(m.value - m.scale_min) / span * 100.0, exceeded=ibis.literal(0.0))
    grouped = m.group_by(["unit", "touchpoint_id"]).agg(
        x=m.x.mean(), exceeded=m.exceeded.mean(), answers=m.x.count()
    )
    return source.execute(grouped)


def _outcome_values(source: Source, org: str, q: DriverQuery) -> pd.DataFrame:
    """(unit, y): the outcome of each row."""
    if q.outcome.startswith(ATTRIBUTE_PREFIX):
        return _attribute_outcome(source, org, q.outcome.removeprefix(ATTRIBUTE_PREFIX))
    if q.outcome not in SURVEY_OUTCOMES:
        raise InvalidInput("Unknown outcome %(name)s.", field="outcome", name=q.outcome)
    m = _measures(source, org, q)
    m = m.mutate(unit=_unit_column(m, q.unit)).filter(
        lambda t: t.unit.notnull() & (t.role == q.outcome)
    )
    return source.execute(m.group_by("unit").agg(y=m.value.mean()))


def _flag(value: Any) -> float | None:
    """A CRM attribute as a number: yes/no as 1/0, numbers as they are, else None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    text = str(value).strip().lower()
    if text in YES:
        return 1.0
    if text in NO:
        return 0.0
    try:
        return float(text)
    except ValueError:
        return math.nan  # present but not a number: refused by the caller


def _attribute_outcome(source: Source, org: str, name: str) -> pd.DataFrame:
    if not name:
        raise InvalidInput("Name the customer attribute.", field="outcome")
    c = source.customers
    c = c.filter(c.organisation_id == org, c.attributes.notnull())
    found = source.execute(c.select(unit=c.customer_id, attributes=c.attributes))
    units: list[str] = []
    values: list[float] = []
    for unit, raw in zip(found["unit"], found["attributes"], strict=True):
        try:
            doc = json.loads(raw) if isinstance(raw, str) else (raw or {})
        except ValueError:
            continue
        y = _flag(doc.get(name)) if isinstance(doc, dict) else None
        if y is None:
            continue
        if math.isnan(y):
            raise MetricInputError(
                "The customer attribute %(name)s is not a number or yes/no.",
                field="outcome",
                name=name,
            )
        units.append(str(unit))
        values.append(y)
    return pd.DataFrame({"unit": units, "y": values})


def touchpoint_names(source: Source, org: str) -> pd.DataFrame:
    """The organisation's touchpoints: id, key and names."""
    t = source.touchpoints
    t = t.filter(t.organisation_id == org)
    cols = t.select("touchpoint_id", "key", "name_fi", "name_en", "name_sv")
    return source.execute(cols)


def build_matrix(source: Source, org_id: object, q: DriverQuery) -> Matrix:
    """The matrix for ``q`` with the missing-data rule of the module docstring applied to
    drivers (rows with a missing driver are left for ``driver_analysis`` to delete)."""
    if q.unit == "response" and q.outcome.startswith(ATTRIBUTE_PREFIX):
        q = replace(q, unit="customer")  # a profile attribute belongs to a customer
    org = str(org_id)
    tps = touchpoint_names(source, org)
    key_of = dict(zip(tps["touchpoint_id"], tps["key"], strict=True))
    if q.outcome in q.drivers:
        raise MetricInputError(
            "The outcome %(name)s is also listed as a driver.", field="drivers", name=q.outcome
        )
    unknown = [k for k in q.drivers if k not in set(key_of.values())]
    if unknown:
        raise InvalidInput(
            "No touchpoint with the key %(key)s.", field="drivers", key=", ".join(unknown)
        )
    y = _outcome_values(source, org, q)
    y = y[y["y"].notna()]
    x = _driver_values(source, org, q)
    x = x[x["unit"].isin(set(y["unit"]))]
    x = x.assign(key=x["touchpoint_id"].map(key_of)).dropna(subset=["key"])
    rows = pd.Index(sorted(y["unit"].astype(str)))
    wide = x.pivot_table(index="unit", columns="key", values="x", aggfunc="mean")
    wide = wide.reindex(index=rows)
    answered = {str(k): int(v) for k, v in wide.notna().sum().items()}
    candidates = list(q.drivers) or sorted(answered, key=lambda k: (-answered[k], k))
    need = max(MIN_DRIVER_ANSWERS, math.ceil(MIN_DRIVER_COVERAGE * len(rows)))
    kept = [k for k in candidates if answered.get(k, 0) >= need]
    left_out = {k: answered.get(k, 0) for k in candidates if k not in kept}
    notes = [
        Verdict(NOTE_DROPPED_DRIVER, {"name": k, "answered": a, "rows": len(rows), "min": need})
        for k, a in left_out.items()
    ]
    if not q.drivers and len(kept) > stats.EXACT_MAX:
        kept = kept[: stats.EXACT_MAX]
        notes.append(Verdict(NOTE_TOP, {"max": stats.EXACT_MAX}))
    performance = _performance(x, kept, q.kind)
    outcome = y.set_index(y["unit"].astype(str))["y"].reindex(rows).to_numpy(dtype=float)
    return Matrix(
        unit=q.unit,
        outcome=outcome,
        columns={k: wide[k].to_numpy(dtype=float) for k in kept},
        answered={k: answered.get(k, 0) for k in kept},
        performance=performance,
        left_out=left_out,
        notes=tuple(notes),
        touchpoints=tps,
    )


def _performance(x: pd.DataFrame, keys: Sequence[str], kind: Kind) -> dict[str, float]:
    """Mean experience (0–100) or the exceeded share (%) over every answer in the rows."""
    out: dict[str, float] = {}
    for key in keys:
        part = x[x["key"] == key]
        weights = part["answers"].astype(float)
        column = part["exceeded"] * 100.0 if kind == "gap" else part["x"]
        out[key] = float(np.average(column.astype(float), weights=weights))
    return out


def analyse(source: Source, org_id: object, q: DriverQuery) -> DriverReport:
    """Key drivers of ``q.outcome``: both methods' shares, bootstrap intervals for the
    chosen one, and the importance–performance quadrants.

    Raises ``MetricInputError`` (a 422) for too few answers, constant or collinear
    drivers, more than 30 drivers, an outcome among the drivers."""
    matrix = build_matrix(source, org_id, q)
    if not matrix.columns:
        raise MetricInputError(
            "No touchpoint was answered often enough beside the outcome for a driver "
            "analysis (at least %(min)s answers each).",
            field="drivers",
            min=MIN_DRIVER_ANSWERS,
        )
    data: dict[str, Any] = {**matrix.columns, "__outcome__": matrix.outcome}
    keys = list(matrix.columns)
    chosen = stats.driver_analysis(
        data,
        "__outcome__",
        keys,
        method=q.method,
        bootstrap=q.bootstrap,
        confidence=q.confidence,
        seed=q.seed,
    )
    other_method: stats.Method = "relative_weights" if q.method == "lmg" else "lmg"
    other = stats.driver_analysis(data, "__outcome__", keys, method=other_method, seed=q.seed)
    by_method = {q.method: chosen, other_method: other}
    lmg = {d.name: d.weight for d in by_method["lmg"].drivers}
    rw = {d.name: d.weight for d in by_method["relative_weights"].drivers}
    quadrant = stats.importance_performance(
        {d.name: d.share for d in chosen.drivers}, matrix.performance
    )
    found = matrix.touchpoints
    tps = (found if found is not None else touchpoint_names(source, str(org_id))).set_index("key")
    notes = list(matrix.notes)
    if chosen.dropped:
        notes.append(Verdict(NOTE_LISTWISE, {"dropped": chosen.dropped, "n": chosen.n}))
    if not chosen.exact:
        notes.append(
            Verdict(NOTE_SAMPLED, {"orders": stats.SAMPLED_ORDERS, "max": stats.EXACT_MAX})
        )
    rows = [
        DriverRow(
            key=d.name,
            touchpoint_id=str(tps.loc[d.name, "touchpoint_id"]),
            names={lang: str(tps.loc[d.name, f"name_{lang}"] or "") for lang in ("fi", "en", "sv")},
            weight=d.weight,
            share=d.share,
            lmg=lmg[d.name],
            relative_weight=rw[d.name],
            rank=d.rank,
            interval=d.interval,
            answered=matrix.answered[d.name],
            performance=matrix.performance[d.name],
            quadrant=quadrant[d.name],
        )
        for d in sorted(chosen.drivers, key=lambda d: d.rank)
    ]
    return DriverReport(
        query=q,
        r2=chosen.r2,
        n=chosen.n,
        dropped=chosen.dropped,
        rows=matrix.rows,
        exact=chosen.exact,
        drivers=tuple(rows),
        left_out=matrix.left_out,
        notes=tuple(notes),
    )


def critical_touchpoints(
    source: Source,
    org_id: object,
    *,
    outcome: str = "nps",
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 3,
) -> list[DriverRow]:
    """The touchpoints that matter most for ``outcome`` (LMG, no bootstrap), most
    important first; ``[]`` when the data cannot carry a driver analysis (the overview
    then shows no list rather than an error)."""
    q = DriverQuery(outcome=outcome, start=start, end=end, bootstrap=0)
    try:
        report = analyse(source, org_id, q)
    except MetricInputError:
        return []
    return list(report.drivers[:limit])
