"""Vega-Lite specs of the assumption pages: the two groups (or drivers, or the gap) of a
check with their intervals, so the reader sees how far apart they are and how sure."""

from __future__ import annotations

from typing import Any

from kohtaamo.analytics.assumption_words import ALL_OTHERS, metric_value, num, pct
from kohtaamo.i18n import gettext
from kohtaamo.web.charts import ACCENT, BRAND, Spec, _base

_ZERO_RULE = {"mark": {"type": "rule", "color": "#1d2731", "strokeDash": [4, 3]}}


def _label(locale: str, names: dict[str, str] | None) -> str:
    if names is None:
        return gettext(locale, ALL_OTHERS)
    return names.get("fi" if locale == "fi" else "en") or names.get("en") or ""


def check_spec(locale: str, result: dict[str, Any]) -> Spec | None:
    """The chart of one check result; None when there is nothing to draw (too few
    answers, or a distribution test, whose table says it better)."""
    if result.get("verdict") == "too_few" or result.get("effect_size_kind") == "cramers_v":
        return None
    kind = result.get("kind")
    if kind == "compare_groups":
        return _groups(locale, result)
    if kind == "driver_order":
        return _drivers(locale, result)
    if kind == "gap":
        return _gap(locale, result)
    return None


def _interval_chart(locale: str, title: str, rows: list[dict[str, Any]], axis_title: str) -> Spec:
    spec = _base(title, max(80, 52 * len(rows)))
    spec["data"] = {"values": rows}
    y = {"field": "name", "type": "nominal", "title": None, "sort": {"field": "order"}}
    x_scale = {"zero": False, "nice": True}
    spec["layer"] = [
        {
            "mark": {"type": "rule", "color": BRAND, "strokeWidth": 3},
            "encoding": {
                "y": y,
                "x": {
                    "field": "low",
                    "type": "quantitative",
                    "title": axis_title,
                    "scale": x_scale,
                },
                "x2": {"field": "high"},
            },
        },
        {
            "mark": {"type": "point", "filled": True, "size": 110, "color": ACCENT},
            "encoding": {
                "y": y,
                "x": {"field": "value", "type": "quantitative"},
                "tooltip": [
                    {"field": "name", "title": gettext(locale, "Group")},
                    {"field": "text", "title": axis_title},
                ],
            },
        },
        {
            "mark": {"type": "text", "dy": -14, "color": "#1d2731"},
            "encoding": {
                "y": y,
                "x": {"field": "value", "type": "quantitative"},
                "text": {"field": "text"},
            },
        },
    ]
    return spec


def _groups(locale: str, r: dict[str, Any]) -> Spec:
    labels = r.get("labels", {})
    unit = r.get("unit", "points")
    rows = []
    for order, side in enumerate(("a", "b")):
        g = r[side]
        if g.get("value") is None:
            continue
        rows.append(
            {
                "order": order,
                "name": f"{_label(locale, labels.get(side))} (n = {g['n']})",
                "value": g["value"],
                "low": g["low"] if g.get("low") is not None else g["value"],
                "high": g["high"] if g.get("high") is not None else g["value"],
                "text": metric_value(locale, unit, g["value"]),
            }
        )
    level = round(float(r.get("confidence", 0.95)) * 100)
    title = gettext(locale, "Each group with its %(level)s%% interval", level=level)
    return _interval_chart(locale, title, rows, gettext(locale, "Value"))


def _drivers(locale: str, r: dict[str, Any]) -> Spec:
    labels = r.get("labels", {})
    rows = [
        {
            "order": i,
            "name": _label(locale, labels.get(side)),
            "share": r[side]["value"],
            "text": pct(locale, r[side]["value"] * 100),
        }
        for i, side in enumerate(("a", "b"))
    ]
    spec = _base(gettext(locale, "Share of the variance each touchpoint explains"), 110)
    spec["data"] = {"values": rows}
    y = {"field": "name", "type": "nominal", "title": None, "sort": {"field": "order"}}
    spec["encoding"] = {
        "y": y,
        "x": {
            "field": "share",
            "type": "quantitative",
            "title": gettext(locale, "Share of the variance explained"),
            "axis": {"format": ".0%", "tickCount": 4},
        },
    }
    spec["layer"] = [
        {"mark": {"type": "bar", "color": BRAND, "cornerRadiusEnd": 3}},
        {
            "mark": {"type": "text", "align": "left", "dx": 4, "color": "#1d2731"},
            "encoding": {"text": {"field": "text"}},
        },
    ]
    return spec


def _gap(locale: str, r: dict[str, Any]) -> Spec:
    g = r["a"]
    row = {
        "order": 0,
        "name": f"{_label(locale, r.get('labels', {}).get('a'))} (n = {g['n']})",
        "value": g["value"],
        "low": g.get("low", g["value"]),
        "high": g.get("high", g["value"]),
        "text": num(locale, g["value"], 2),
    }
    spec = _interval_chart(
        locale,
        gettext(locale, "Average gap between experience and expectation"),
        [row],
        gettext(locale, "Experience − expectation (points)"),
    )
    spec["layer"].insert(0, {**_ZERO_RULE, "encoding": {"x": {"datum": 0}}})
    return spec
