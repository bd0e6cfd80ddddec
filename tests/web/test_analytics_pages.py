"""Analytics pages: the overview, a touchpoint's page and the explorer with its CSV and
XLSX exports, in Finnish and English, read from the analytics store.

Measures are written straight into the process-wide store (after a first sync, so the
page's own sync keeps them): the numbers are chosen so that one touchpoint has enough
answers in both periods, another too few, and another organisation has very different
values that must never show. Expected values are computed here with ``metrics.stats``.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from random import Random

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook  # type: ignore[import-untyped]

from kohtaamo.accounts.permissions import Role
from kohtaamo.analytics.schema import MEASURES
from kohtaamo.analytics.store import AnalyticsStore, get_store
from kohtaamo.analytics.sync import sync
from kohtaamo.config import Settings
from kohtaamo.kit.clock import frozen_at
from kohtaamo.metrics import stats
from kohtaamo.storage.db import Database
from tests.factories import Factory
from tests.journeys.helpers import Catalogue, seed
from tests.web.conftest import Browser

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
THIS = NOW.replace(tzinfo=None) - timedelta(days=20)  # inside the last 90 days
BEFORE = NOW.replace(tzinfo=None) - timedelta(days=120)  # inside the 90 days before
_ids = itertools.count(10**12)

# checkout, this period: NPS 25 from 40 answers; before: −25 (a significant rise).
NPS_NOW = [10] * 20 + [8] * 10 + [3] * 10
NPS_BEFORE = [10] * 10 + [8] * 10 + [3] * 20
GAPS_NOW = [1.0] * 10 + [0.0] * 10 + [-2.0] * 20
TOO_FEW = [9, 10, 2, 7, 8]  # website: five answers only
OTHER_ORG = [10] * 45  # another organisation: NPS 100, never to be seen


@dataclass
class World:
    cat: Catalogue
    other: Catalogue


def _rows(
    org: uuid.UUID,
    tp: uuid.UUID | None,
    role: str,
    values: Sequence[float],
    when: datetime,
    segment: str = "consumer",
) -> list[tuple[object, ...]]:
    out = []
    for i, value in enumerate(values):
        row = {
            "organisation_id": str(org),
            "measure_id": next(_ids),
            "response_id": str(uuid.uuid4()),
            "survey_id": str(uuid.uuid4()),
            "question_key": role,
            "role": role,
            "value": value,
            "scale_min": 0,
            "scale_max": 10,
            "touchpoint_id": str(tp) if tp else None,
            "customer_id": None,
            "answered_at": when + timedelta(minutes=i),
            "language": "fi",
            "response_channel": "email",
            "segment": segment,
        }
        out.append(tuple(row[name] for name, _kind in MEASURES))
    return out


def _insert(store: AnalyticsStore, rows: list[tuple[object, ...]]) -> None:
    marks = ", ".join("?" for _ in MEASURES)
    with store.write_lock, store.cursor() as cur:
        cur.executemany(f"INSERT INTO measures VALUES ({marks})", rows)
        # Written past the sync: the store's daily rollups must be recomputed too.
        store.refresh_rollup(cur, full=True)


@pytest.fixture
def world(
    db: Database, factory: Factory, settings: Settings, client: TestClient
) -> Iterator[World]:
    cat = seed(db, factory.organisation("Tapahtumatalo Oy"))
    other = seed(db, factory.organisation("Toinen Oy"))
    store = get_store(settings)
    sync(store, db)  # the store now knows this database: later syncs keep these rows
    checkout, website = cat.touchpoints["checkout"], cat.touchpoints["website"]
    rows = (
        _rows(cat.org.id, checkout, "nps", NPS_NOW, THIS)
        + _rows(cat.org.id, checkout, "nps", NPS_BEFORE, BEFORE)
        + _rows(cat.org.id, checkout, "gap", GAPS_NOW, THIS)
        + _rows(cat.org.id, website, "nps", TOO_FEW, THIS)
        + _rows(other.org.id, other.touchpoints["checkout"], "nps", OTHER_ORG, THIS)
        + _rows(other.org.id, other.touchpoints["checkout"], "gap", [3.0] * 40, THIS)
    )
    _insert(store, rows)
    with frozen_at(NOW):
        yield World(cat, other)


def _viewer(browser: Browser, factory: Factory, w: World, language: str) -> TestClient:
    return browser(factory.member(w.cat.org, Role.VIEWER), accept_language=language)


class _Tables(HTMLParser):
    """Every table of a page as rows of cell texts (th and td)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._id: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table":
            self._id = attributes.get("id") or f"table-{len(self.tables)}"
            self.tables[self._id] = []
        elif tag == "tr" and self._id:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif (
            tag == "span"
            and self._cell is not None
            and (
                "visually-hidden" in (attributes.get("class") or "")
                or attributes.get("aria-hidden") == "true"
            )
        ):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._id:
            self.tables[self._id].append(self._row)
            self._row = None
        elif tag == "table":
            self._id = None
        elif tag == "span" and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._hidden:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def nps_text(scores: list[int], locale: str = "en") -> str:
    value = stats.nps(scores).nps
    assert value is not None
    text = f"{value:+.1f}".replace("-", "\u2212")
    return text.replace(".", ",") if locale == "fi" else text


# --- overview ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fi"])
def test_overview_shows_headline_values_changes_and_missing_data(
    browser: Browser, factory: Factory, world: World, language: str
) -> None:
    page = _viewer(browser, factory, world, language).get("/analytics")

    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    html = page.text
    nps_now = nps_text(NPS_NOW + TOO_FEW, language)  # the card counts every touchpoint
    assert nps_now in html
    assert nps_text(OTHER_ORG, language) not in html  # another organisation's NPS
    # CSAT was never asked: "no data", never a 0.
    assert re.search(r"CSAT\)?</dt>\s*<dd><span class=\"value-missing status-no_data\">", html)
    # The rise from the previous period is significant and marked.
    assert 'class="significant"' in html
    for chart in ("trend-nps", "gaps", "movements"):
        assert f'id="chart-{chart}-spec"' in html
    # The driver analysis is fetched after the page, so it never holds it back.
    assert 'hx-get="/analytics/critical?period=90d"' in html


def test_overview_ranks_gaps_and_says_too_few(
    browser: Browser, factory: Factory, world: World
) -> None:
    html = _viewer(browser, factory, world, "en").get("/analytics").text
    gaps = tables(html)["gaps-table"]
    header, rows = gaps[0], gaps[1:]
    assert header[0] == "Touchpoint"
    checkout = next(r for r in rows if r[0] == "checkout en")
    gap = stats.mean(GAPS_NOW).mean
    assert gap is not None
    assert checkout[1].startswith(f"{gap:.2f}".replace("-", "\u2212"))
    assert checkout[2:5] == ["25.0%", "25.0%", "50.0%"]  # exceeded, met, fell short
    moves = tables(html)["movements-table"]
    assert [r[0] for r in moves[1:]] == ["checkout en"]  # website: too few to compare


def test_most_critical_touchpoints_come_from_the_driver_analysis(
    browser: Browser, factory: Factory, world: World, settings: Settings
) -> None:
    client = _viewer(browser, factory, world, "en")
    empty = client.get("/analytics/critical?period=90d")
    assert empty.status_code == 200
    assert "Not enough answers for a key-driver analysis" in empty.text

    # Sixty responses rating two touchpoints beside their NPS; NPS follows "advert".
    random = Random(5)
    rows: list[tuple[object, ...]] = []
    tps = world.cat.touchpoints
    for i in range(60):
        advert, ticket = random.randint(1, 5), random.randint(1, 5)
        nps = min(10, max(0, round(2 * advert + 0.3 * ticket + random.gauss(0, 1) - 1)))
        answers = [
            (tps["advert"], "experience", advert),
            (tps["ticket"], "experience", ticket),
            (None, "nps", nps),
        ]
        response = str(uuid.uuid4())
        for tp, role, value in answers:
            row = _rows(world.cat.org.id, tp, role, [value], THIS + timedelta(hours=i))[0]
            named = dict(zip((n for n, _k in MEASURES), row, strict=True))
            named.update(
                response_id=response,
                scale_min=1 if role != "nps" else 0,
                scale_max=5 if role != "nps" else 10,
                touchpoint_id=str(tp) if tp else None,
            )
            rows.append(tuple(named.values()))
    _insert(get_store(settings), rows)

    box = client.get("/analytics/critical?period=90d")
    assert box.status_code == 200
    names = re.findall(r'<a href="/analytics/touchpoints/[^"]+">([^<]+)</a>', box.text)
    assert names[:2] == ["advert en", "ticket en"]
    assert "Fix first" in box.text or "Keep up" in box.text


def test_overview_refuses_a_bad_period(browser: Browser, factory: Factory, world: World) -> None:
    page = _viewer(browser, factory, world, "en").get("/analytics?period=2026-13")
    assert page.status_code == 422
    assert "YYYY-MM" in page.text


def test_overview_of_an_empty_organisation_says_no_data(
    browser: Browser, factory: Factory, world: World
) -> None:
    empty = factory.organisation("Tyhjä Oy")
    page = browser(factory.member(empty, Role.VIEWER), accept_language="en").get("/analytics")
    assert page.status_code == 200
    assert page.text.count("status-no_data") >= 4
    assert 'value">0' not in page.text


# --- touchpoint page ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fi"])
def test_touchpoint_page(browser: Browser, factory: Factory, world: World, language: str) -> None:
    tp = world.cat.touchpoints["checkout"]
    page = _viewer(browser, factory, world, language).get(f"/analytics/touchpoints/{tp}")
    assert page.status_code == 200
    assert "checkout" in page.text and "Asiakaspalvelu" in page.text  # name and owner team
    assert nps_text(NPS_NOW, language) in page.text
    assert 'id="chart-tp-shares-spec"' in page.text


def test_touchpoint_page_with_too_few_answers(
    browser: Browser, factory: Factory, world: World
) -> None:
    tp = world.cat.touchpoints["website"]
    page = _viewer(browser, factory, world, "en").get(f"/analytics/touchpoints/{tp}")
    assert page.status_code == 200
    assert "Too few answers" in page.text
    assert "(n = 5)" in page.text


def test_touchpoint_of_another_organisation_is_not_found(
    browser: Browser, factory: Factory, world: World
) -> None:
    foreign = world.other.touchpoints["checkout"]
    page = _viewer(browser, factory, world, "en").get(f"/analytics/touchpoints/{foreign}")
    assert page.status_code == 404
    assert nps_text(OTHER_ORG) not in page.text


# --- explorer and exports ------------------------------------------------------------------

QUERY = "metric=nps&by=touchpoint&period=90d&compare=1"


def _as_number(text: str) -> float | None:
    cleaned = text.replace("\u2212", "-").replace("%", "").replace("\u00a0", "").replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def test_explorer_table_and_exports_hold_the_same_rows(
    browser: Browser, factory: Factory, world: World
) -> None:
    client = _viewer(browser, factory, world, "en")
    page = client.get(f"/analytics/explore?{QUERY}")
    assert page.status_code == 200
    shown = tables(page.text)["explore-table"]
    assert f'href="/analytics/explore.csv?{QUERY.replace("&", "&amp;")}"' in page.text

    exported = client.get(f"/analytics/explore.csv?{QUERY}")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))

    book = load_workbook(io.BytesIO(client.get(f"/analytics/explore.xlsx?{QUERY}").content))
    sheet = [
        ["" if c is None else c for c in row] for row in book.active.iter_rows(values_only=True)
    ]

    assert rows[0] == shown[0] == [str(h) for h in sheet[0]]
    assert len(rows) == len(shown) == len(sheet) == 3  # header, checkout, website
    for html_row, csv_row, xlsx_row in zip(shown[1:], rows[1:], sheet[1:], strict=True):
        for text, cell, value in zip(html_row, csv_row, xlsx_row, strict=True):
            number = _as_number(text)
            if number is not None and text not in ("yes", "no"):
                assert float(cell) == pytest.approx(number) == pytest.approx(float(value))
            else:
                assert text == cell == str(value)
    checkout = next(r for r in rows if r[0] == "checkout en")
    assert float(checkout[1]) == pytest.approx(stats.nps(NPS_NOW).nps, abs=0.05)
    assert checkout[-1] == "yes"  # significant rise from −25
    website = next(r for r in rows if r[0] == "website en")
    assert website[1] == "Too few answers" and website[2] == "" and website[4] == "5"
    assert "100" not in exported.text  # another organisation's NPS 100


def test_explorer_marks_too_few_and_draws_a_chart_in_finnish(
    browser: Browser, factory: Factory, world: World
) -> None:
    page = _viewer(browser, factory, world, "fi").get(f"/analytics/explore?{QUERY}&grain=month")
    assert page.status_code == 200
    assert 'id="chart-explore-spec"' in page.text
    assert "cell-too_few" in page.text
    assert nps_text(NPS_NOW, "fi") in page.text


def test_explorer_refuses_what_the_picker_cannot_produce(
    browser: Browser, factory: Factory, world: World
) -> None:
    client = _viewer(browser, factory, world, "en")
    for bad in ("metric=bogus", "by=nope", "by=segment&by2=segment", "grain=year"):
        assert client.get(f"/analytics/explore?{bad}").status_code == 422, bad
        assert client.get(f"/analytics/explore.csv?{bad}").status_code == 422, bad


def test_export_cannot_carry_a_formula(
    browser: Browser, factory: Factory, world: World, settings: Settings
) -> None:
    store = get_store(settings)
    tp = world.cat.touchpoints["ticket"]
    _insert(store, _rows(world.cat.org.id, tp, "nps", [9] * 3, THIS, segment="=HYPERLINK(1)"))
    exported = _viewer(browser, factory, world, "en").get(
        "/analytics/explore.csv?metric=nps&by=segment&period=90d"
    )
    assert exported.status_code == 200
    assert "'=HYPERLINK(1)" in exported.text
    assert "\n=HYPERLINK" not in exported.text and ",=HYPERLINK" not in exported.text
