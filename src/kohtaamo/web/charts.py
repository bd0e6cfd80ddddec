"""Chart specifications (Vega-Lite) and number formatting for the journey pages.

Specs are plain dicts rather than altair objects: they are small, the dict is exactly
what the page embeds (and what a PDF renderer such as vl-convert would take), and it
spares a runtime dependency tree (altair, jsonschema, narwhals) for four bar charts.
Every label a reader sees is formatted here with babel in the page's language, so the
browser only draws; axis numbers use the locale given to vega-embed by the page script.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from babel.dates import format_timedelta
from babel.numbers import format_decimal, format_percent

from kohtaamo.i18n import gettext

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
BRAND = "#1f5f6b"
ACCENT = "#c46a2f"
MUTED = "#b7c0c4"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif'

Spec = dict[str, Any]
# Axis labels take at most 40 % of the chart's width, so bars stay visible on a phone.
LABEL_LIMIT = "clamp(containerSize()[0] * 0.4, 90, 320)"


# --- numbers in the reader's language -------------------------------------------------


def number(locale: str, value: float) -> str:
    """1234567 → "1 234 567" in Finnish (no-break space), "1,234,567" in English."""
    return format_decimal(value, locale=locale)


def percent(locale: str, share: float) -> str:
    """0.456 → "46 %" in Finnish, "46%" in English; one decimal under 10 %."""
    pattern = "#,##0.0 %" if 0 < share < 0.1 else None
    if locale == "fi" and pattern is None:
        pattern = "#,##0 %"
    return format_percent(share, format=pattern, locale=locale)


def duration(locale: str, seconds: float) -> str:
    """A span of time in words, rounded to its largest unit ("3 h", "2 pv")."""
    if seconds <= 0:
        return format_timedelta(timedelta(0), locale=locale, format="short")
    return format_timedelta(
        timedelta(seconds=seconds), threshold=1.1, locale=locale, format="short"
    )


# --- specs ------------------------------------------------------------------------------


def _base(title: str, height: int) -> Spec:
    return {
        "$schema": SCHEMA,
        "description": title,
        "width": "container",
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "background": None,
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": "#1d2731"},
            "text": {"fontSize": 12},
        },
    }


def funnel_spec(locale: str, steps: list[dict[str, Any]]) -> Spec:
    """Customers reaching each stage, with the drop-off from the stage before as a label.

    ``steps``: dicts with ``stage``, ``reached``, ``conversion``, ``drop_off``.
    """
    _ = _gettext(locale)
    rows = [
        {
            "order": i,
            "stage": s["stage"],
            "reached": s["reached"],
            "label": (
                number(locale, s["reached"])
                if i == 0
                else _(
                    "%(reached)s (%(conversion)s, −%(dropped)s)",
                    reached=number(locale, s["reached"]),
                    conversion=percent(locale, s["conversion"]),
                    dropped=number(locale, s["drop_off"]),
                )
            ),
        }
        for i, s in enumerate(steps)
    ]
    spec = _base(_("Customers reaching each stage"), max(60, 44 * len(rows)))
    spec["data"] = {"values": rows}
    y = {
        "field": "stage",
        "type": "nominal",
        "sort": {"field": "order"},
        "title": None,
        "axis": {"labelLimit": 160},
    }
    x = {"field": "reached", "type": "quantitative", "title": _("Customers"), "axis": None}
    spec["encoding"] = {"y": y, "x": x}
    spec["layer"] = [
        {
            "mark": {"type": "bar", "color": BRAND, "cornerRadiusEnd": 3},
            "encoding": {
                "tooltip": [
                    {"field": "stage", "title": _("Stage")},
                    {"field": "label", "title": _("Customers")},
                ]
            },
        },
        {
            "mark": {"type": "text", "align": "left", "dx": 4, "color": "#1d2731"},
            "encoding": {"text": {"field": "label"}},
        },
    ]
    spec["encoding"]["x"]["scale"] = {"domainMax": _headroom(rows, "reached")}
    return spec


def paths_spec(locale: str, variants: list[dict[str, Any]]) -> Spec:
    """The top paths as horizontal bars of their share of customers.

    ``variants``: dicts with ``label`` (the path in words), ``share`` and ``customers``.
    """
    _ = _gettext(locale)
    rows = [
        {
            "rank": i + 1,
            "path": f"{i + 1}. {_shorten(v['label'], 48)}",
            "full": v["label"],
            "share": v["share"],
            "text": f"{percent(locale, v['share'])} · {number(locale, v['customers'])}",
        }
        for i, v in enumerate(variants)
    ]
    spec = _base(_("Share of customers on each path"), max(60, 30 * len(rows)))
    spec["data"] = {"values": rows}
    spec["encoding"] = {
        "y": {
            "field": "path",
            "type": "nominal",
            "sort": {"field": "rank"},
            "title": None,
            "axis": {"labelLimit": {"expr": LABEL_LIMIT}},
        },
        "x": {
            "field": "share",
            "type": "quantitative",
            "title": _("Share of customers"),
            "axis": {"format": ".0%", "tickCount": 4},
            "scale": {"domainMax": _headroom(rows, "share")},
        },
    }
    spec["layer"] = [
        {
            "mark": {"type": "bar", "color": BRAND, "cornerRadiusEnd": 3},
            "encoding": {
                "tooltip": [
                    {"field": "full", "title": _("Path")},
                    {"field": "text", "title": _("Customers")},
                ]
            },
        },
        {
            "mark": {"type": "text", "align": "left", "dx": 4, "color": "#1d2731"},
            "encoding": {"text": {"field": "text"}},
        },
    ]
    return spec


def volumes_spec(locale: str, rows_in: list[dict[str, Any]]) -> Spec:
    """Customers per touchpoint (critical touchpoints in the accent colour).

    ``rows_in``: dicts with ``name``, ``customers``, ``events`` and ``critical``.
    """
    _ = _gettext(locale)
    critical, normal = _("Critical"), _("Other")
    rows = [
        {
            "name": _shorten(r["name"], 40),
            "customers": r["customers"],
            "kind": critical if r["critical"] else normal,
            "text": _(
                "%(customers)s customers, %(events)s events",
                customers=number(locale, r["customers"]),
                events=number(locale, r["events"]),
            ),
            "label": number(locale, r["customers"]),
        }
        for r in rows_in
    ]
    spec = _base(_("Customers per touchpoint"), max(60, 26 * len(rows)))
    spec["data"] = {"values": rows}
    spec["encoding"] = {
        "y": {
            "field": "name",
            "type": "nominal",
            "sort": "-x",
            "title": None,
            "axis": {"labelLimit": {"expr": LABEL_LIMIT}},
        },
        "x": {
            "field": "customers",
            "type": "quantitative",
            "title": _("Customers"),
            "axis": {"tickCount": 4},
            "scale": {"domainMax": _headroom(rows, "customers")},
        },
    }
    spec["layer"] = [
        {
            "mark": {"type": "bar", "cornerRadiusEnd": 3},
            "encoding": {
                "color": {
                    "field": "kind",
                    "type": "nominal",
                    "scale": {"domain": [critical, normal], "range": [ACCENT, BRAND]},
                    "legend": {"title": None, "orient": "bottom"},
                },
                "tooltip": [
                    {"field": "name", "title": _("Touchpoint")},
                    {"field": "text", "title": _("Volume")},
                ],
            },
        },
        {
            "mark": {"type": "text", "align": "left", "dx": 4, "color": "#1d2731"},
            "encoding": {"text": {"field": "label"}},
        },
    ]
    return spec


def _headroom(rows: list[dict[str, Any]], field: str) -> float:
    """Leave room right of the longest bar for its label."""
    top = max((float(r[field]) for r in rows), default=0.0)
    return top * 1.5 if top > 0 else 1.0


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _gettext(locale: str) -> Any:
    def translate(message: str, **params: Any) -> str:
        return gettext(locale, message, **params)

    return translate
