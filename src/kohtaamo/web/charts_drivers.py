"""Chart specifications (Vega-Lite) for the key-driver and benchmark pages: the
importance–performance matrix (a scatter with its quadrant lines and labels) and units
side by side as bars with their targets and external benchmarks as rule marks.

Plain dicts like ``web/charts.py``, embedded as JSON data blocks and drawn by the
vendored Vega; every label is in the reader's language already.
"""

from __future__ import annotations

from typing import Any

from kohtaamo.i18n import N_
from kohtaamo.web.charts import ACCENT, BRAND, MUTED, Spec, _base, _gettext

QUADRANT_LABELS = {
    "fix_first": N_("Fix first"),
    "keep_up": N_("Keep up"),
    "dont_overinvest": N_("Don't overinvest"),
    "watch": N_("Watch"),
}
QUADRANT_COLOURS = {
    "fix_first": "#b4432c",
    "keep_up": "#2f7d4f",
    "dont_overinvest": "#8a6d1f",
    "watch": "#55606b",
}
TARGET_COLOUR = ACCENT
EXTERNAL_COLOUR = "#6b4c9a"


def ipa_spec(
    locale: str,
    points: list[dict[str, Any]],
    *,
    importance_cut: float,
    performance_cut: float,
    performance_title: str,
) -> Spec:
    """Importance (share of R², %) against performance, one point per driver.

    ``points``: dicts with ``name``, ``importance`` (%), ``performance``, ``quadrant``
    (a key of ``QUADRANT_LABELS``) and ``text`` (the tooltip). The lines cross at the
    means the quadrants are split at; each quadrant is named in its corner.
    """
    _ = _gettext(locale)
    spec = _base(_("Importance and performance"), 320)
    rows = [{**p, "quadrant_label": _(QUADRANT_LABELS[p["quadrant"]])} for p in points]
    imp_max = max([p["importance"] for p in points] + [importance_cut]) * 1.15 or 1.0
    perf = [p["performance"] for p in points] + [performance_cut]
    spread = max(max(perf) - min(perf), 1.0)
    perf_lo, perf_hi = min(perf) - spread * 0.2, max(perf) + spread * 0.2
    x = {
        "field": "performance",
        "type": "quantitative",
        "title": performance_title,
        "scale": {"domain": [perf_lo, perf_hi], "nice": False},
    }
    y = {
        "field": "importance",
        "type": "quantitative",
        "title": _("Importance (share of R², %)"),
        "scale": {"domain": [0, imp_max], "nice": False},
    }
    corners = [
        ("fix_first", perf_lo, imp_max, "left", "top"),
        ("keep_up", perf_hi, imp_max, "right", "top"),
        ("watch", perf_lo, 0, "left", "bottom"),
        ("dont_overinvest", perf_hi, 0, "right", "bottom"),
    ]
    spec["layer"] = [
        {
            "data": {"values": [{"x": performance_cut}]},
            "mark": {"type": "rule", "color": MUTED, "strokeDash": [4, 4]},
            "encoding": {"x": {"field": "x", "type": "quantitative", "scale": x["scale"]}},
        },
        {
            "data": {"values": [{"y": importance_cut}]},
            "mark": {"type": "rule", "color": MUTED, "strokeDash": [4, 4]},
            "encoding": {"y": {"field": "y", "type": "quantitative", "scale": y["scale"]}},
        },
        *[
            {
                "data": {"values": [{"x": px, "y": py, "label": _(QUADRANT_LABELS[key])}]},
                "mark": {
                    "type": "text",
                    "align": align,
                    "baseline": baseline,
                    "dx": 4 if align == "left" else -4,
                    "color": QUADRANT_COLOURS[key],
                    "fontWeight": "bold",
                },
                "encoding": {
                    "x": {"field": "x", "type": "quantitative", "scale": x["scale"]},
                    "y": {"field": "y", "type": "quantitative", "scale": y["scale"]},
                    "text": {"field": "label"},
                },
            }
            for key, px, py, align, baseline in corners
        ],
        {
            "data": {"values": rows},
            "mark": {"type": "point", "filled": True, "size": 110},
            "encoding": {
                "x": x,
                "y": y,
                "color": {
                    "field": "quadrant_label",
                    "type": "nominal",
                    "title": None,
                    "scale": {
                        "domain": [_(QUADRANT_LABELS[k]) for k in QUADRANT_COLOURS],
                        "range": list(QUADRANT_COLOURS.values()),
                    },
                    "legend": {"orient": "bottom"},
                },
                "tooltip": [{"field": "text", "type": "nominal", "title": None}],
            },
        },
        {
            "data": {"values": rows},
            "mark": {"type": "text", "dy": -12, "color": "#1d2731"},
            "encoding": {"x": x, "y": y, "text": {"field": "name"}},
        },
    ]
    return spec


def benchmark_spec(
    locale: str,
    title: str,
    bars: list[dict[str, Any]],
    rules: list[dict[str, Any]],
) -> Spec:
    """A metric by unit as horizontal bars (with the interval as a whisker), and the
    targets and external benchmark values as rule marks across the chart.

    ``bars``: dicts with ``unit``, ``value``, ``low``, ``high`` (or None) and ``text``;
    only units with a value to show. ``rules``: dicts with ``value``, ``label`` and
    ``kind`` ("target" | "external").
    """
    _ = _gettext(locale)
    spec = _base(title, max(120, 34 * len(bars) + 40))
    y = {"field": "unit", "type": "nominal", "sort": None, "title": None}
    x = {"field": "value", "type": "quantitative", "title": title}
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": bars},
            "mark": {"type": "bar", "color": BRAND, "height": {"band": 0.6}},
            "encoding": {
                "y": y,
                "x": x,
                "tooltip": [{"field": "text", "type": "nominal", "title": None}],
            },
        },
        {
            "data": {"values": [b for b in bars if b.get("low") is not None]},
            "mark": {"type": "rule", "color": "#1d2731"},
            "encoding": {
                "y": y,
                "x": {"field": "low", "type": "quantitative"},
                "x2": {"field": "high"},
            },
        },
    ]
    kinds = {"target": _("Target"), "external": _("External benchmark")}
    if rules:
        rows = [{**r, "kind_label": kinds[r["kind"]]} for r in rules]
        colour = {
            "field": "kind_label",
            "type": "nominal",
            "title": None,
            "scale": {
                "domain": [kinds["target"], kinds["external"]],
                "range": [TARGET_COLOUR, EXTERNAL_COLOUR],
            },
            "legend": {"orient": "bottom"},
        }
        layers += [
            {
                "data": {"values": rows},
                "mark": {"type": "rule", "strokeWidth": 2, "strokeDash": [6, 3]},
                "encoding": {
                    "x": {"field": "value", "type": "quantitative"},
                    "color": colour,
                    "tooltip": [{"field": "label", "type": "nominal", "title": None}],
                },
            },
            {
                "data": {"values": rows},
                "mark": {
                    "type": "text",
                    "angle": 0,
                    "align": "left",
                    "dx": 3,
                    "y": 0,
                    "baseline": "top",
                    "fontSize": 11,
                },
                "encoding": {
                    "x": {"field": "value", "type": "quantitative"},
                    "text": {"field": "label"},
                    "color": colour,
                },
            },
        ]
    spec["layer"] = layers
    return spec
