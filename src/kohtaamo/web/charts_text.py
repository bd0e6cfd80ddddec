"""Vega-Lite specs of the text pages: themes by sentiment, themes by month, comments by
touchpoint, and simple distributions (sentiment, language).

Plain dicts like ``web/charts.py``; every label is already in the reader's language, and
sentiment keeps one colour everywhere (negative red, neutral grey, positive green,
mixed amber) so a reader learns it once.
"""

from __future__ import annotations

from typing import Any

from kohtaamo.i18n import N_, gettext
from kohtaamo.web.charts import FONT, LABEL_LIMIT, SCHEMA

Spec = dict[str, Any]

SENTIMENT_LABELS = {
    "negative": N_("Negative"),
    "neutral": N_("Neutral"),
    "positive": N_("Positive"),
    "mixed": N_("Mixed"),
}
SENTIMENT_COLOURS = {
    "negative": "#b3261e",
    "neutral": "#9aa5ab",
    "positive": "#2e7d32",
    "mixed": "#c9a227",
}
# Bars read from negative to positive, the mixed ones last.
STACK_ORDER = ("negative", "mixed", "neutral", "positive")
COUNT_AXIS = {"tickMinStep": 1, "format": "d"}  # counts of comments: whole numbers


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
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
        },
    }


def _sentiment_scale(locale: str) -> dict[str, Any]:
    return {
        "domain": [gettext(locale, SENTIMENT_LABELS[s]) for s in STACK_ORDER],
        "range": [SENTIMENT_COLOURS[s] for s in STACK_ORDER],
    }


def sentiment_bars_spec(
    locale: str, title: str, category_title: str, rows: list[tuple[str, dict[str, int]]]
) -> Spec:
    """Horizontal bars, one per category (a theme, a touchpoint), stacked by sentiment.

    ``rows``: (category label, {sentiment: count}) in the order to draw, top first.
    """
    values = [
        {
            "category": label,
            "order": position,
            "sentiment": gettext(locale, SENTIMENT_LABELS[s]),
            "stack": STACK_ORDER.index(s),
            "n": counts.get(s, 0),
        }
        for position, (label, counts) in enumerate(rows)
        for s in STACK_ORDER
        if counts.get(s, 0)
    ]
    count_title = gettext(locale, "Comments")
    spec = _base(title, max(80, 26 * len(rows)))
    spec.update(
        {
            "data": {"values": values},
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "y": {
                    "field": "category",
                    "type": "nominal",
                    "sort": {"field": "order", "op": "min"},
                    "title": category_title,
                    "axis": {"labelLimit": {"expr": LABEL_LIMIT}},
                },
                "x": {
                    "field": "n",
                    "type": "quantitative",
                    "title": count_title,
                    "stack": "zero",
                    "axis": COUNT_AXIS,
                },
                "color": {
                    "field": "sentiment",
                    "type": "nominal",
                    "title": gettext(locale, "Sentiment"),
                    "scale": _sentiment_scale(locale),
                },
                "order": {"field": "stack", "type": "quantitative"},
                "tooltip": [
                    {"field": "category", "title": category_title},
                    {"field": "sentiment", "title": gettext(locale, "Sentiment")},
                    {"field": "n", "title": count_title, "format": ",d"},
                ],
            },
        }
    )
    return spec


def trend_spec(locale: str, title: str, points: list[dict[str, Any]]) -> Spec:
    """A line per theme over months. ``points``: dicts with ``month`` (label), ``order``
    (the month's position), ``theme`` (label) and ``n`` (comments)."""
    count_title = gettext(locale, "Comments")
    month_title = gettext(locale, "Month")
    spec = _base(title, 260)
    spec.update(
        {
            "data": {"values": points},
            "mark": {"type": "line", "point": True, "tooltip": True},
            "encoding": {
                "x": {
                    "field": "month",
                    "type": "ordinal",
                    "sort": {"field": "order", "op": "min"},
                    "title": month_title,
                    "axis": {"labelAngle": 0},
                },
                "y": {
                    "field": "n",
                    "type": "quantitative",
                    "title": count_title,
                    "axis": COUNT_AXIS,
                },
                "color": {"field": "theme", "type": "nominal", "title": gettext(locale, "Theme")},
                "tooltip": [
                    {"field": "theme", "title": gettext(locale, "Theme")},
                    {"field": "month", "title": month_title},
                    {"field": "n", "title": count_title, "format": ",d"},
                ],
            },
        }
    )
    return spec


def distribution_spec(
    locale: str, title: str, rows: list[tuple[str, int]], *, sentiment: bool = False
) -> Spec:
    """One bar per value (a sentiment label, a language); ``sentiment`` colours the bars
    with the sentiment colours (the labels must then be the translated sentiment names)."""
    values = [{"label": label, "order": i, "n": n} for i, (label, n) in enumerate(rows)]
    count_title = gettext(locale, "Comments")
    spec = _base(title, max(60, 26 * len(rows)))
    encoding: dict[str, Any] = {
        "y": {
            "field": "label",
            "type": "nominal",
            "sort": {"field": "order", "op": "min"},
            "title": None,
        },
        "x": {"field": "n", "type": "quantitative", "title": count_title, "axis": COUNT_AXIS},
        "tooltip": [{"field": "label", "title": title}, {"field": "n", "title": count_title}],
    }
    if sentiment:
        encoding["color"] = {
            "field": "label",
            "type": "nominal",
            "legend": None,
            "scale": _sentiment_scale(locale),
        }
    spec.update(
        {
            "data": {"values": values},
            "mark": {"type": "bar", "tooltip": True, "color": "#1f5f6b"},
            "encoding": encoding,
        }
    )
    return spec
