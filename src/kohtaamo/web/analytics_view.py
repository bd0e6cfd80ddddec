"""What the analytics pages share: the period picker, metric values in words and numbers
in the reader's language, and the plain table that a page shows and its CSV/XLSX export
writes (one model, so an export holds exactly what the page showed).

A value with too few answers or none is never written as a number: its cell says so,
and charts leave it out (see ``web/charts_analytics.py``).
"""

from __future__ import annotations

import calendar
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import FileResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from kohtaamo.analytics import catalogue, query
from kohtaamo.analytics.catalogue import Unit
from kohtaamo.analytics.source import Source
from kohtaamo.analytics.tasks import current_source
from kohtaamo.errors import InvalidInput
from kohtaamo.http.context import database, settings_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.kit.clock import utcnow
from kohtaamo.metrics._checks import Sufficiency
from kohtaamo.surveys import exports

HEADLINE = ("nps", "csat", "expectation_gap", "exceeded_share")
GAP_SHARES = ("exceeded_share", "met_share", "short_share")
MINUS = "\u2212"
# Metrics around 0 (above: expectation exceeded), written with their sign.
SIGNED = frozenset({"expectation_gap", "mean:gap", "mean:expectation_gap"})

TOO_FEW = N_("Too few answers")
#: A slice without a value: no touchpoint (a question about the whole relationship), an
#: anonymous respondent's segment…
NOT_SET = N_("Not set")
NO_DATA = N_("No data")


def analytics_source(request: Request) -> Source:
    """The process-wide analytics store as a source for this thread (synced first where
    no background sync keeps it fresh)."""
    return current_source(settings_of(request), database(request))


# Response channels in words (the store keeps their codes).
RESPONSE_CHANNELS = {
    "link": N_("Public link"),
    "email": N_("E-mail invitation"),
    "widget": N_("Website widget"),
    "qr": N_("QR code"),
    "api": N_("API"),
    "kiosk": N_("Kiosk"),
}


def dimension_options(
    source: Source, org: str, dimension: str, locale: str
) -> list[tuple[str, str]]:
    """``(value id, name)`` of a dimension's values, sorted by name, for a filter: the
    named values where the dimension has names, else the values found in the answers."""
    labels = query.dimension_labels(source, org, dimension, locale)
    if not labels:
        found = query.cells(source, org, query.Spec(metrics=("responses",), by=(dimension,)))
        ids = {str(v) for c in found if (v := c.key.get(dimension))}
        names = RESPONSE_CHANNELS if dimension == "response_channel" else {}
        labels = {v: gettext(locale, names[v]) if v in names else v for v in ids}
    return sorted(labels.items(), key=lambda kv: kv[1].lower())


# --- the period picker -----------------------------------------------------------------

ROLLING = {"30d": 30, "90d": 90, "365d": 365}
PERIOD_LABELS = {
    "30d": N_("Last 30 days"),
    "90d": N_("Last 90 days"),
    "365d": N_("Last 365 days"),
}
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
DEFAULT_PERIOD = "90d"


@dataclass(frozen=True)
class Period:
    """A half-open span [start, end) of naive UTC times, as the analytics store keeps them."""

    key: str
    start: datetime
    end: datetime
    #: where the monthly trend begins: twelve months before the period's end
    trend_start: datetime

    def label(self, locale: str) -> str:
        if self.key in PERIOD_LABELS:
            return gettext(locale, PERIOD_LABELS[self.key])
        return format_date(self.start.date(), "LLLL yyyy", locale=locale)


def _month_start(when: datetime, back: int = 0) -> datetime:
    index = when.year * 12 + when.month - 1 - back
    return datetime(index // 12, index % 12 + 1, 1)


def parse_period(value: str | None, field_name: str = "period") -> Period:
    """``30d``/``90d``/``365d`` (ending today, today included) or a month ``YYYY-MM``."""
    key = value or DEFAULT_PERIOD
    now = utcnow().replace(tzinfo=None)
    if key in ROLLING:
        end = datetime(now.year, now.month, now.day) + timedelta(days=1)
        start = end - timedelta(days=ROLLING[key])
    else:
        match = MONTH_RE.match(key)
        if match is None:
            raise InvalidInput(
                "Choose a period from the list or a month as YYYY-MM.", field=field_name
            )
        year, month = int(match.group(1)), int(match.group(2))
        start = datetime(year, month, 1)
        end = start + timedelta(days=calendar.monthrange(year, month)[1])
    return Period(key, start, end, _month_start(end - timedelta(seconds=1), back=11))


def period_options(locale: str, months: int = 12) -> list[tuple[str, str]]:
    """The picker's choices: the rolling spans, then the last ``months`` calendar months."""
    now = utcnow().replace(tzinfo=None)
    options = [(key, gettext(locale, label)) for key, label in PERIOD_LABELS.items()]
    for back in range(months):
        first = _month_start(now, back)
        options.append((f"{first:%Y-%m}", format_date(first.date(), "LLLL yyyy", locale=locale)))
    return options


def month_label(locale: str, period_start: str) -> str:
    """A trend point's label: "2026-03-01" → "maalis 2026" / "Mar 2026"."""
    day = datetime.strptime(period_start[:10], "%Y-%m-%d").date()
    return format_date(day, "LLL yyyy", locale=locale)


def period_label(locale: str, grain: str, period_start: str) -> str:
    day = datetime.strptime(period_start[:10], "%Y-%m-%d").date()
    if grain == "month":
        return format_date(day, "LLL yyyy", locale=locale)
    if grain == "quarter":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    return format_date(day, "short", locale=locale)


# --- numbers in words --------------------------------------------------------------------


def unit_of(slug: str) -> Unit:
    return catalogue.metric(slug).unit


def number_text(locale: str, slug: str, value: float, *, signed: bool = False) -> str:
    """A metric's value as shown: NPS and gaps with a sign, shares with %, counts whole."""
    unit = unit_of(slug)
    if unit is Unit.COUNT:
        text = format_decimal(round(value), locale=locale)
    elif unit is Unit.PERCENT:
        text = format_decimal(round(value, 1), format="#,##0.0", locale=locale)
        text += "\u00a0%" if locale == "fi" else "%"
    elif unit is Unit.SCORE:
        text = format_decimal(round(value, 1), format="#,##0.0", locale=locale)
        signed = True  # NPS reads as +23 / −5
    else:
        text = format_decimal(round(value, 2), format="#,##0.00", locale=locale)
        signed = signed or slug in SIGNED
    text = text.replace("-", MINUS)
    if signed and value > 0 and round(value, 2) != 0:
        text = "+" + text
    return text


def rounded(slug: str, value: float | None) -> float | None:
    """The value rounded as the page shows it (what an export holds)."""
    if value is None:
        return None
    unit = unit_of(slug)
    digits = 0 if unit is Unit.COUNT else 1 if unit in (Unit.PERCENT, Unit.SCORE) else 2
    out = round(float(value), digits)
    return out + 0.0  # no "-0.0"


def status_text(locale: str, status: str) -> str:
    if status == Sufficiency.NO_DATA:
        return gettext(locale, NO_DATA)
    return gettext(locale, TOO_FEW)


@dataclass(frozen=True)
class ValueView:
    """One metric value as a card or a table cell shows it."""

    slug: str
    label: str
    status: str  # ok | too_few | no_data
    text: str  # the number, or "Too few answers" / "No data"
    interval: str  # "95 % CI 12.0–30.5", "" when none
    n: int
    n_text: str
    raw: float | None
    change: ChangeView | None = None

    @property
    def ok(self) -> bool:
        return self.status == Sufficiency.OK


@dataclass(frozen=True)
class ChangeView:
    text: str  # "+4.2" or "" when not comparable
    previous: str  # the previous period's value (or its status) in words
    previous_raw: float | str | None  # as exported: the rounded value, else the words
    significant: bool
    direction: str  # up | down | flat | none
    better: bool | None  # whether the move is for the better; None when not comparable
    p_text: str
    raw: float | None


def value_view(locale: str, mv: Any) -> ValueView:
    """A ``query.MetricValue`` in the reader's language."""
    slug = str(mv.metric)
    label = catalogue.label(slug, locale)
    n = int(mv.n)
    n_text = format_decimal(n, locale=locale)
    status = str(mv.status)
    if status != Sufficiency.OK or mv.value is None:
        status = status if status != Sufficiency.OK else Sufficiency.NO_DATA
        text = status_text(locale, status)
        return ValueView(slug, label, status, text, "", n, n_text, None, change_view(locale, mv))
    interval = ""
    if mv.low is not None and mv.high is not None:
        interval = gettext(
            locale,
            "95%% CI %(low)s to %(high)s",
            low=number_text(locale, slug, mv.low),
            high=number_text(locale, slug, mv.high),
        )
    return ValueView(
        slug,
        label,
        status,
        number_text(locale, slug, mv.value),
        interval,
        n,
        n_text,
        rounded(slug, mv.value),
        change_view(locale, mv),
    )


def change_view(locale: str, mv: Any) -> ChangeView | None:
    change = getattr(mv, "change", None)
    if change is None:
        return None
    slug = str(mv.metric)
    prev = change.previous
    known = str(prev.status) == Sufficiency.OK and prev.value is not None
    previous = (
        number_text(locale, slug, prev.value) if known else status_text(locale, str(prev.status))
    )
    previous_raw = rounded(slug, prev.value) if known else previous
    if change.delta is None:
        return ChangeView("", previous, previous_raw, False, "none", None, "", None)
    delta = float(change.delta)
    direction = "up" if delta > 0 else "down" if delta < 0 else "flat"
    higher_better = catalogue.metric(slug).higher_is_better
    better = None if direction == "flat" else (delta > 0) == higher_better
    p = change.adjusted_p_value if change.adjusted_p_value is not None else change.p_value
    p_text = "" if p is None else ("p < 0.001" if p < 0.001 else f"p = {p:.3f}")
    return ChangeView(
        number_text(locale, slug, delta, signed=True),
        previous,
        previous_raw,
        bool(change.significant),
        direction,
        better,
        p_text.replace(".", ",") if locale == "fi" else p_text,
        rounded(slug, delta),
    )


# --- the table a page shows and exports ------------------------------------------------


@dataclass
class TableCell:
    text: str
    raw: str | int | float | None
    status: str = "ok"
    marker: str = ""  # "significant" marks a significant difference


@dataclass
class Table:
    header: list[str]
    rows: list[list[TableCell]] = field(default_factory=list)

    def export_rows(self) -> Iterator[list[exports.Cell]]:
        for row in self.rows:
            yield [c.raw for c in row]


def _disposition(name: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"}


def csv_response(table: Table, name: str) -> Response:
    """The table as UTF-8 CSV with a BOM; text cells cannot start a formula."""
    safe = exports.ResponseTable(
        [exports.safe_text(h) for h in table.header],
        (
            [exports.safe_text(c) if isinstance(c, str) else c for c in row]
            for row in table.export_rows()
        ),
    )
    return StreamingResponse(
        exports.csv_chunks(safe), media_type="text/csv; charset=utf-8", headers=_disposition(name)
    )


def xlsx_response(table: Table, name: str, sheet: str) -> Response:
    """The table as an XLSX workbook (numbers as numbers, text never a formula)."""
    fd, path = tempfile.mkstemp(prefix="kohtaamo-analytics-", suffix=".xlsx")
    os.close(fd)
    try:
        exports.write_xlsx(exports.ResponseTable(table.header, table.export_rows()), path, sheet)
    except BaseException:
        os.unlink(path)
        raise
    return FileResponse(
        path,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=_disposition(name),
        background=BackgroundTask(os.unlink, path),
    )
