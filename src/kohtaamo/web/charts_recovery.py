"""Vega-Lite specs of the recovery report: working hours to acknowledge and resolve
(histograms with the deadline marked), SLA compliance, follow-up outcomes, the recovery
paradox (NPS and repurchase intent of the two groups with their intervals) and root
causes. Plain dicts like ``web/charts.py``; every label is in the reader's language."""

from __future__ import annotations

import math
from typing import Any

from kohtaamo.i18n import N_, gettext
from kohtaamo.web.charts import ACCENT, BRAND, LABEL_LIMIT, MUTED, _base, percent

Spec = dict[str, Any]

OUTCOME_LABELS = {
    "put_right": N_("Put right"),
    "partly": N_("Partly"),
    "not_put_right": N_("Not put right"),
}
OUTCOME_COLOURS = {"put_right": "#2e7d32", "partly": "#c9a227", "not_put_right": "#b3261e"}


def _hist_bins(hours: tuple[float, ...]) -> float:
    """A bin width that gives about ten bars: 1, 2, 4, 8 h, a day (8 h)…"""
    top = max(hours, default=1.0)
    for step in (0.5, 1, 2, 4, 8, 16, 40, 80):
        if top / step <= 12:
            return float(step)
    return float(math.ceil(top / 12))


def durations_spec(locale: str, title: str, hours: tuple[float, ...], deadline: float) -> Spec:
    """How many cases took how many working hours, with the deadline as a rule."""
    _ = _tr(locale)
    step = _hist_bins(hours)
    spec = _base(title, 180)
    spec["layer"] = [
        {
            "data": {"values": [{"hours": h} for h in hours]},
            "mark": {"type": "bar", "color": BRAND, "cornerRadiusEnd": 2},
            "encoding": {
                "x": {
                    "field": "hours",
                    "bin": {"step": step},
                    "type": "quantitative",
                    "title": _("Working hours"),
                },
                "y": {
                    "aggregate": "count",
                    "type": "quantitative",
                    "title": _("Cases"),
                    "axis": {"tickMinStep": 1, "format": "d"},
                },
                "tooltip": [
                    {"field": "hours", "bin": {"step": step}, "title": _("Working hours")},
                    {"aggregate": "count", "title": _("Cases")},
                ],
            },
        },
        {
            "data": {"values": [{"deadline": deadline, "label": _("Deadline")}]},
            "mark": {"type": "rule", "color": ACCENT, "strokeWidth": 2, "strokeDash": [4, 3]},
            "encoding": {
                "x": {"field": "deadline", "type": "quantitative"},
                "tooltip": [{"field": "label", "title": _("Deadline")}],
            },
        },
    ]
    return spec


def compliance_spec(locale: str, rows_in: list[dict[str, Any]]) -> Spec:
    """Share of deadlines kept per clock. ``rows_in``: ``clock`` (a label), ``share``
    (None when there are too few), ``low``, ``high``."""
    _ = _tr(locale)
    rows = [
        {
            "clock": r["clock"],
            "share": r["share"],
            "low": r["low"],
            "high": r["high"],
            "text": percent(locale, r["share"]),
        }
        for r in rows_in
        if r["share"] is not None
    ]
    spec = _base(_("Deadlines kept"), max(60, 40 * len(rows)))
    spec["data"] = {"values": rows}
    y = {"field": "clock", "type": "nominal", "title": None, "axis": {"labelLimit": 200}}
    x = {
        "field": "share",
        "type": "quantitative",
        "title": _("Share of deadlines kept"),
        "scale": {"domain": [0, 1]},
        "axis": {"format": ".0%", "tickCount": 5},
    }
    spec["encoding"] = {"y": y}
    spec["layer"] = [
        {
            "mark": {"type": "bar", "color": BRAND, "cornerRadiusEnd": 3},
            "encoding": {"x": x, "tooltip": [{"field": "text", "title": _("Kept")}]},
        },
        {
            "mark": {"type": "rule", "color": "#1d2731"},
            "encoding": {"x": {"field": "low", "type": "quantitative"}, "x2": {"field": "high"}},
        },
    ]
    return spec


def outcomes_spec(locale: str, outcomes: dict[str, int]) -> Spec:
    """Answered follow-ups by outcome."""
    _ = _tr(locale)
    labels = {k: gettext(locale, v) for k, v in OUTCOME_LABELS.items()}
    rows = [{"outcome": labels[k], "count": outcomes.get(k, 0)} for k in OUTCOME_LABELS]
    spec = _base(_("Follow-up answers"), 120)
    spec["data"] = {"values": rows}
    spec["mark"] = {"type": "bar", "cornerRadiusEnd": 3}
    spec["encoding"] = {
        "y": {"field": "outcome", "type": "nominal", "title": None, "sort": list(labels.values())},
        "x": {
            "field": "count",
            "type": "quantitative",
            "title": _("Customers"),
            "axis": {"tickMinStep": 1, "format": "d"},
        },
        "color": {
            "field": "outcome",
            "type": "nominal",
            "legend": None,
            "scale": {
                "domain": list(labels.values()),
                "range": [OUTCOME_COLOURS[k] for k in OUTCOME_LABELS],
            },
        },
        "tooltip": [
            {"field": "outcome", "title": _("Outcome")},
            {"field": "count", "title": _("Customers")},
        ],
    }
    return spec


def groups_spec(locale: str, title: str, unit: str, rows_in: list[dict[str, Any]]) -> Spec:
    """The two groups' values with intervals (points and error bars). ``rows_in``:
    ``group`` (a label), ``value``, ``low``, ``high``, ``text``; groups with too few
    answers are left out by the caller."""
    spec = _base(title, max(60, 44 * len(rows_in)))
    spec["data"] = {"values": rows_in}
    y = {
        "field": "group",
        "type": "nominal",
        "title": None,
        "axis": {"labelLimit": {"expr": LABEL_LIMIT}},
    }
    spec["encoding"] = {"y": y}
    spec["layer"] = [
        {
            "mark": {"type": "rule", "color": MUTED, "strokeWidth": 3},
            "encoding": {
                "x": {"field": "low", "type": "quantitative", "title": unit},
                "x2": {"field": "high"},
            },
        },
        {
            "mark": {"type": "point", "filled": True, "size": 90, "color": BRAND},
            "encoding": {
                "x": {"field": "value", "type": "quantitative"},
                "tooltip": [{"field": "group", "title": title}, {"field": "text", "title": unit}],
            },
        },
    ]
    return spec


def causes_spec(locale: str, title: str, rows_in: list[dict[str, Any]]) -> Spec:
    """Resolved cases per root cause, recurring causes in the accent colour.
    ``rows_in``: ``name``, ``count``, ``recurring``."""
    _ = _tr(locale)
    recurring, other = _("Recurring"), _("Other")
    rows = [
        {"name": r["name"], "count": r["count"], "kind": recurring if r["recurring"] else other}
        for r in rows_in
    ]
    spec = _base(title, max(60, 26 * len(rows)))
    spec["data"] = {"values": rows}
    spec["mark"] = {"type": "bar", "cornerRadiusEnd": 3}
    spec["encoding"] = {
        "y": {
            "field": "name",
            "type": "nominal",
            "sort": "-x",
            "title": None,
            "axis": {"labelLimit": {"expr": LABEL_LIMIT}},
        },
        "x": {
            "field": "count",
            "type": "quantitative",
            "title": _("Cases"),
            "axis": {"tickMinStep": 1, "format": "d"},
        },
        "color": {
            "field": "kind",
            "type": "nominal",
            "scale": {"domain": [recurring, other], "range": [ACCENT, BRAND]},
            "legend": {"title": None, "orient": "bottom"},
        },
        "tooltip": [{"field": "name", "title": title}, {"field": "count", "title": _("Cases")}],
    }
    return spec


def _tr(locale: str) -> Any:
    def translate(message: str, **params: Any) -> str:
        return gettext(locale, message, **params)

    return translate
