"""The monthly PDF report: its numbers (from a hand-made store whose answers are known),
the PDF in Finnish and English read back with pypdf, nothing fetched while rendering,
a page that is not blank, and the pages behind the analytics permission."""

from __future__ import annotations

import io
import shutil
import subprocess
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader

from kohtaamo.accounts.permissions import Role
from kohtaamo.analytics import catalogue
from kohtaamo.analytics.report import monthly_report, parse_month
from kohtaamo.analytics.source import Source, memory_source
from kohtaamo.analytics.store import get_store
from kohtaamo.errors import InvalidInput
from kohtaamo.i18n import gettext
from kohtaamo.metrics._checks import Sufficiency
from kohtaamo.metrics.stats import nps
from kohtaamo.web.routes.analytics_report import OfflineFetcher, render_pdf
from tests.factories import Factory, sign_in

ORG = str(uuid.uuid4())
OTHER = str(uuid.uuid4())
TP_QUEUE, TP_SHOW = str(uuid.uuid4()), str(uuid.uuid4())
MONTH = date(2026, 10, 1)
# October: 80 NPS answers (36 promoters, 24 passives, 20 detractors → NPS 20);
# September: 30 answers (NPS 10); the other organisation: 50 tens in October.
OCTOBER_NPS = ([10] * 10 + [9] * 8 + [8] * 12 + [3] * 6 + [6] * 4) * 2
SEPTEMBER_NPS = [10] * 9 + [7] * 15 + [5] * 6


class Rows:
    """Measures of the contract shape, one response per call."""

    def __init__(self) -> None:
        self.measures: list[dict[str, Any]] = []
        self._id = 0

    def response(self, org: str, at: datetime, tp: str | None, **values: float) -> None:
        response_id = str(uuid.uuid4())
        for role, value in values.items():
            self._id += 1
            low, high = {"nps": (0, 10), "ces": (1, 7)}.get(role, (1, 5))
            self.measures.append(
                {
                    "organisation_id": org,
                    "measure_id": self._id,
                    "response_id": response_id,
                    "survey_id": "s",
                    "question_key": role,
                    "role": role,
                    "value": float(value),
                    "scale_min": low,
                    "scale_max": high,
                    "touchpoint_id": tp,
                    "customer_id": None,
                    "answered_at": at,
                    "language": "fi",
                    "response_channel": "link",
                    "segment": "consumer",
                }
            )


def touchpoint(org: str, tp: str, fi: str, en: str) -> dict[str, Any]:
    return {
        "organisation_id": org,
        "touchpoint_id": tp,
        "key": en.lower(),
        "name_fi": fi,
        "name_en": en,
        "name_sv": None,
        "channel": "venue",
        "factor_group": "functional",
        "team_id": None,
        "team_name": None,
        "critical": False,
    }


def world(org: str = ORG) -> dict[str, list[dict[str, Any]]]:
    rows = Rows()
    for i, score in enumerate(OCTOBER_NPS):
        # The queue falls short by one point, the show exceeds by one: gap rows per half.
        tp, gap = (TP_QUEUE, -1) if i % 2 else (TP_SHOW, 1)
        rows.response(
            org, datetime(2026, 10, 1 + i % 28, 12), tp, nps=score, csat=4 + i % 2, gap=gap
        )
    for i, score in enumerate(SEPTEMBER_NPS):
        rows.response(org, datetime(2026, 9, 1 + i % 28, 12), TP_SHOW, nps=score, csat=3)
    for _ in range(50):  # another organisation: must never count
        rows.response(OTHER, datetime(2026, 10, 2, 12), TP_QUEUE, nps=10, csat=1, gap=-4)
    return {
        "measures": rows.measures,
        "touchpoints": [
            touchpoint(org, TP_QUEUE, "Sisäänpääsyjono", "Entry queue"),
            touchpoint(org, TP_SHOW, "Esitys", "The show"),
            touchpoint(OTHER, TP_QUEUE, "Vieras", "Foreign"),
        ],
    }


@pytest.fixture(scope="module")
def source() -> Source:
    return memory_source(world())


def test_report_numbers_match_independent_computation(source: Source) -> None:
    report = monthly_report(source, ORG, MONTH, "en")
    by = {h.slug: h for h in report.headlines}
    expected = nps(OCTOBER_NPS)
    assert by["nps"].current.value == pytest.approx(expected.nps)
    assert by["nps"].current.value == pytest.approx(20.0)
    assert expected.interval is not None
    assert by["nps"].current.low == pytest.approx(expected.interval.low)
    assert by["nps"].previous.value == pytest.approx(nps(SEPTEMBER_NPS).nps)
    assert by["nps"].change == pytest.approx(20.0 - 10.0)
    assert by["nps"].current.n == len(OCTOBER_NPS)  # the other organisation is left out
    assert by["csat"].current.value == pytest.approx(100.0)  # every answer 4 or 5
    assert by["csat"].previous.value == pytest.approx(0.0)
    assert by["expectation_gap"].current.value == pytest.approx(0.0)
    assert by["exceeded_share"].current.value == pytest.approx(50.0)
    assert by["expectation_gap"].previous.status is Sufficiency.NO_DATA
    assert report.responses == len(OCTOBER_NPS)
    assert report.previous_responses == len(SEPTEMBER_NPS)
    # Twelve months of trend, the earlier ones without data (not 0).
    assert [m for m, _ in by["nps"].trend][-1] == MONTH
    assert len(by["nps"].trend) == 12
    assert by["nps"].trend[0][1].status is Sufficiency.NO_DATA
    assert by["nps"].trend[0][1].value is None
    # Biggest gaps: the queue first, named in the report's language.
    assert [g.name for g in report.gaps] == ["Entry queue", "The show"]
    assert report.gaps[0].gap.value == pytest.approx(-1.0)
    assert monthly_report(source, ORG, MONTH, "fi").gaps[0].name == "Sisäänpääsyjono"


def test_a_month_without_answers_is_no_data(source: Source) -> None:
    report = monthly_report(source, ORG, date(2025, 3, 1), "fi")
    assert all(h.current.status is Sufficiency.NO_DATA for h in report.headlines)
    assert all(h.current.value is None for h in report.headlines)
    assert report.responses == 0 and report.gaps == []


def test_too_few_answers_give_no_number() -> None:
    rows = Rows()
    for score in (10, 9, 2):
        rows.response(ORG, datetime(2026, 10, 5), TP_SHOW, nps=score, gap=1)
    report = monthly_report(memory_source({"measures": rows.measures}), ORG, MONTH, "en")
    first = report.headlines[0]
    assert first.current.status is Sufficiency.TOO_FEW and first.current.value is None
    assert report.gaps == []  # too few to rank


@pytest.mark.parametrize("text", ["2026-13", "10/2026", "", "1999-01"])
def test_bad_month_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_month(text)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.slow  # WeasyPrint and the chart renderer: a few seconds per PDF
@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("fi", ["lokakuu 2026", "+20,0", "Sisäänpääsyjono"]),
        ("en", ["October 2026", "Monthly report", "Net Promoter Score", "+20.0", "Entry queue"]),
    ],
)
def test_pdf_in_both_languages(source: Source, locale: str, words: list[str]) -> None:
    # Headings and metric names as the catalogue and the translations give them.
    words = [*words, gettext(locale, "Monthly report"), catalogue.label("nps", locale)]
    words += [
        catalogue.label("expectation_gap", locale),
        gettext(locale, "Biggest expectation gaps"),
    ]
    fetcher = OfflineFetcher()
    pdf = render_pdf(monthly_report(source, ORG, MONTH, locale), "Elämys Oy", fetcher)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for word in words:
        assert word in text, (word, text[:500])
    assert fetcher.refused == []  # nothing outside data: URIs was even asked for
    assert text.count("Elämys Oy") >= 1


def test_fetcher_refuses_the_network() -> None:
    fetcher = OfflineFetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.com/logo.png")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    assert fetcher.refused == ["https://example.com/logo.png", "file:///etc/passwd"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_first_page_is_not_blank(source: Source, tmp_path: Path) -> None:
    from PIL import Image

    pdf = render_pdf(monthly_report(source, ORG, MONTH, "en"), "Elämys Oy")
    (tmp_path / "report.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "report.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    histogram = image.histogram()
    dark = sum(histogram[:128]) / (image.width * image.height)
    coloured = len(set(image.getdata()))
    assert 0.005 < dark < 0.5  # text and charts, not an empty or a black page
    assert coloured > 20  # anti-aliased text and chart shades


# --- the pages -------------------------------------------------------------------------


@pytest.mark.slow
def test_pages_in_the_app(app: FastAPI, factory: Factory) -> None:
    org = factory.organisation("Raporttitalo Oy")
    member = factory.member(org, Role.VIEWER, locale="en")
    store = get_store(app.state.settings)
    data = world(str(org.id))
    with store.write_lock, store.cursor() as cur:
        for table in ("measures", "touchpoints"):
            frame = pd.DataFrame(data[table])
            cur.register("incoming", frame)
            cur.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM incoming')
            cur.unregister("incoming")
        # Written past the sync: the store's daily rollups must be recomputed too.
        store.refresh_rollup(cur, full=True)
    try:
        client = TestClient(app, base_url="http://127.0.0.1:8000")
        client.headers["accept-language"] = "en"
        sign_in(client, member.user.email)
        form = client.get("/analytics/report")
        assert form.status_code == 200
        assert 'action="/analytics/report.pdf"' in form.text
        answer = client.get("/analytics/report.pdf", params={"month": "2026-10", "lang": "fi"})
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/pdf"
        text = pdf_text(answer.content)
        assert "lokakuu 2026" in text and "+20,0" in text and "Raporttitalo Oy" in text
        assert gettext("fi", "Monthly report") in text
        bad = client.get("/analytics/report.pdf", params={"month": "2026-13"})
        assert bad.status_code == 422
        bad_lang = client.get("/analytics/report.pdf", params={"month": "2026-10", "lang": "de"})
        assert bad_lang.status_code == 422
        anonymous = TestClient(app, base_url="http://127.0.0.1:8000")
        assert anonymous.get("/analytics/report.pdf", follow_redirects=False).status_code == 303
    finally:
        with store.write_lock, store.cursor() as cur:
            for table in ("measures", "touchpoints"):
                cur.execute(f'DELETE FROM "{table}" WHERE organisation_id = ?', [str(org.id)])
