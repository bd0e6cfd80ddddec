"""Chart specifications (Vega-Lite) for the analytics pages: trends with their confidence
bands, values by slice with error bars, expectation-gap shares as stacked bars, and
changes against the previous period.

Like ``web/charts.py`` the specs are plain dicts, embedded as JSON data blocks and drawn
by the vendored Vega (``static/journeys-charts.js``). Every label is formatted here in
the reader's language; the rows these functions take already hold only values that may
be shown (too few answers and no data are left out of charts and said in the table
beside them, never drawn as 0).
"""

from __future__ import annotations

from typing import Any

from kohtaamo.web.charts import ACCENT, BRAND, LABEL_LIMIT, MUTED, Spec, _base, _gettext, _shorten

SHORT = "#b4432c"
EXCEEDED = "#2f7d4f"
SERIES_COLOURS = [BRAND, ACCENT, "#6b4c9a", "#2f7d4f", "#8a6d1f", "#3b6ea5", "#a33b5c", "#55606b"]


def _axis_format(unit: str) -> dict[str, Any]:
    # Shares arrive in percent (0..100), as the catalogue's unit says; the title names it.
    return {"title": None} if unit == "count" else {}


def trend_spec(locale: str, title: str, unit: str, points: list[dict[str, Any]]) -> Spec:
    """A metric's value by period, with its confidence interval as a band.

    ``points``: dicts with ``period`` (a label), ``order``, ``value``, ``low``, ``high``
    and ``text`` (the value as written in the table); only periods with enough answers.
    """
    _ = _gettext(locale)
    spec = _base(title, 180)
    spec["data"] = {"values": points}
    x = {
        "field": "period",
        "type": "ordinal",
        "sort": {"field": "order", "op": "min"},
        "title": None,
        "axis": {"labelAngle": 0, "labelOverlap": True},
    }
    y_axis = {"tickCount": 4, **_axis_format(unit)}
    spec["encoding"] = {"x": x}
    band: dict[str, Any] = {
        "mark": {"type": "area", "color": BRAND, "opacity": 0.15},
        "encoding": {
            "y": {
                "field": "low",
                "type": "quantitative",
                "title": title,
                "axis": y_axis,
                "scale": {"zero": False},
            },
            "y2": {"field": "high"},
        },
    }
    line: dict[str, Any] = {
        "mark": {"type": "line", "color": BRAND, "point": {"color": BRAND, "size": 50}},
        "encoding": {
            "y": {"field": "value", "type": "quantitative", "title": title},
            "tooltip": [
                {"field": "period", "title": _("Period")},
                {"field": "text", "title": title},
            ],
        },
    }
    has_band = any(p.get("low") is not None for p in points)
    spec["layer"] = [band, line] if has_band else [line]
    if not has_band:
        line["encoding"]["y"].update({"axis": y_axis, "scale": {"zero": False}})
    return spec


def slice_bars_spec(
    locale: str, title: str, unit: str, rows: list[dict[str, Any]], *, series_title: str = ""
) -> Spec:
    """A value per slice as horizontal bars with their confidence intervals as rules.

    ``rows``: dicts with ``slice``, ``order``, ``value``, ``low``, ``high``, ``text`` and,
    when bars are grouped (a second dimension or the previous period), ``series``.
    """
    _ = _gettext(locale)
    grouped = any(r.get("series") for r in rows)
    for r in rows:
        r["slice"] = _shorten(str(r["slice"]), 40)
    series = list(dict.fromkeys(str(r.get("series") or "") for r in rows))
    height_rows = len({r["slice"] for r in rows}) * (max(1, len(series)) if grouped else 1)
    spec = _base(title, max(60, 22 * height_rows + 20))
    spec["data"] = {"values": rows}
    y: dict[str, Any] = {
        "field": "slice",
        "type": "nominal",
        "sort": {"field": "order", "op": "min"},
        "title": None,
        "axis": {"labelLimit": {"expr": LABEL_LIMIT}},
    }
    x: dict[str, Any] = {
        "field": "value",
        "type": "quantitative",
        "title": title,
        "axis": {"tickCount": 4, **_axis_format(unit)},
    }
    spec["encoding"] = {"y": y}
    tooltip = [{"field": "slice", "title": _("Slice")}, {"field": "text", "title": title}]
    bar: dict[str, Any] = {
        "mark": {"type": "bar", "color": BRAND, "cornerRadiusEnd": 3},
        "encoding": {"x": x, "tooltip": tooltip},
    }
    rule: dict[str, Any] = {
        "mark": {"type": "rule", "color": "#1d2731", "strokeWidth": 1.5},
        "encoding": {"x": {"field": "low", "type": "quantitative"}, "x2": {"field": "high"}},
    }
    if grouped:
        colour = {
            "field": "series",
            "type": "nominal",
            "scale": {"domain": series, "range": SERIES_COLOURS[: len(series)] or [BRAND]},
            "legend": {"title": series_title or None, "orient": "bottom"},
        }
        spec["encoding"]["yOffset"] = {"field": "series", "sort": series}
        bar["encoding"]["color"] = colour
        tooltip.insert(1, {"field": "series", "title": series_title or _("Series")})
    spec["layer"] = [bar, rule] if any(r.get("low") is not None for r in rows) else [bar]
    return spec


def series_trend_spec(
    locale: str, title: str, unit: str, rows: list[dict[str, Any]], *, series_title: str
) -> Spec:
    """Values by period as one line per slice (the explorer with a period grain).

    ``rows``: dicts with ``period``, ``order``, ``series``, ``value`` and ``text``.
    """
    _ = _gettext(locale)
    series = list(dict.fromkeys(str(r["series"]) for r in rows))
    spec = _base(title, 220)
    spec["data"] = {"values": rows}
    spec["mark"] = {"type": "line", "point": True}
    spec["encoding"] = {
        "x": {
            "field": "period",
            "type": "ordinal",
            "sort": {"field": "order", "op": "min"},
            "title": None,
            "axis": {"labelAngle": 0, "labelOverlap": True},
        },
        "y": {
            "field": "value",
            "type": "quantitative",
            "title": title,
            "scale": {"zero": False},
            "axis": {"tickCount": 4, **_axis_format(unit)},
        },
        "color": {
            "field": "series",
            "type": "nominal",
            "scale": {"domain": series, "range": _colours(len(series))},
            "legend": {"title": series_title, "orient": "bottom"},
        },
        "tooltip": [
            {"field": "period", "title": _("Period")},
            {"field": "series", "title": series_title},
            {"field": "text", "title": title},
        ],
    }
    return spec


def gap_shares_spec(locale: str, rows: list[dict[str, Any]]) -> Spec:
    """Per touchpoint, the shares of answers whose experience exceeded, met or fell short
    of the expectation, stacked to 100 %.

    ``rows``: dicts with ``name``, ``order``, ``exceeded``, ``met``, ``short`` (shares)."""
    _ = _gettext(locale)
    kinds = [
        (_("Exceeded"), "exceeded", EXCEEDED),
        (_("Met"), "met", MUTED),
        (_("Fell short"), "short", SHORT),
    ]
    values = []
    for r in rows:
        for rank, (label, key, _colour) in enumerate(kinds):
            values.append(
                {
                    "name": _shorten(str(r["name"]), 40),
                    "order": r["order"],
                    "kind": label,
                    "rank": rank,
                    "share": r[key],
                    "text": r.get(f"{key}_text", ""),
                }
            )
    spec = _base(_("Exceeded, met and fell short of expectations"), max(60, 26 * len(rows) + 30))
    spec["data"] = {"values": values}
    spec["mark"] = {"type": "bar"}
    spec["encoding"] = {
        "y": {
            "field": "name",
            "type": "nominal",
            "sort": {"field": "order", "op": "min"},
            "title": None,
            "axis": {"labelLimit": {"expr": LABEL_LIMIT}},
        },
        "x": {
            "field": "share",
            "type": "quantitative",
            "stack": "normalize",
            "title": _("Share of answers"),
            "axis": {"format": ".0%", "tickCount": 5},
        },
        "color": {
            "field": "kind",
            "type": "nominal",
            "scale": {"domain": [k[0] for k in kinds], "range": [k[2] for k in kinds]},
            "legend": {"title": None, "orient": "bottom"},
        },
        "order": {"field": "rank"},
        "tooltip": [
            {"field": "name", "title": _("Touchpoint")},
            {"field": "kind", "title": _("Expectation")},
            {"field": "text", "title": _("Share of answers")},
        ],
    }
    return spec


def movements_spec(locale: str, rows: list[dict[str, Any]]) -> Spec:
    """Changes against the previous period as diverging bars; significant changes solid,
    the others pale (they may be noise).

    ``rows``: dicts with ``name``, ``order``, ``change``, ``significant`` and ``text``."""
    _ = _gettext(locale)
    real, maybe = _("Significant change"), _("Not significant")
    values = [
        {**r, "name": _shorten(str(r["name"]), 48), "kind": real if r["significant"] else maybe}
        for r in rows
    ]
    spec = _base(_("Change from the previous period"), max(60, 24 * len(rows) + 30))
    spec["data"] = {"values": values}
    spec["mark"] = {"type": "bar", "cornerRadiusEnd": 3}
    spec["encoding"] = {
        "y": {
            "field": "name",
            "type": "nominal",
            "sort": {"field": "order", "op": "min"},
            "title": None,
            "axis": {"labelLimit": {"expr": LABEL_LIMIT}},
        },
        "x": {
            "field": "change",
            "type": "quantitative",
            "title": _("Change"),
            "axis": {"tickCount": 4},
        },
        "color": {
            "field": "kind",
            "type": "nominal",
            "scale": {"domain": [real, maybe], "range": [BRAND, MUTED]},
            "legend": {"title": None, "orient": "bottom"},
        },
        "tooltip": [
            {"field": "name", "title": _("Metric")},
            {"field": "text", "title": _("Change")},
            {"field": "kind", "title": _("Significance")},
        ],
    }
    return spec


def _colours(count: int) -> list[str]:
    return [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(max(1, count))]
