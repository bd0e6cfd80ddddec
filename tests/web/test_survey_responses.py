"""A survey's responses: the list newest first with its filters, readable answers (a pair as
"expected 4 → got 2"), one response, the downloads, and open comments only for roles
with text.view."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kohtaamo.accounts.permissions import Role
from kohtaamo.storage.db import Database
from kohtaamo.surveys import responses, service
from kohtaamo.surveys.catalogue import ResponseChannel
from kohtaamo.surveys.models import SurveyResponse
from kohtaamo.surveys.responses import Submission
from tests.factories import Factory
from tests.surveys.helpers import SurveyFixture, make_survey
from tests.web.conftest import Browser


@pytest.fixture
def fx(db: Database, factory: Factory) -> SurveyFixture:
    fx = make_survey(db, factory.organisation("Tapahtumatalo Oy"), min_seconds=0)
    submit(
        db,
        fx,
        {
            "ease": {"expected": 4, "experienced": 2},
            "nps": 3,
            "why_low": "Jono oli pitkä",
            "feelings": ["anger"],
        },
        customer_external_id="asiakas-1",
        language="fi",
    )
    submit(
        db,
        fx,
        {"ease": {"expected": 3, "experienced": 5}, "nps": 10},
        channel=ResponseChannel.WIDGET,
        language="en",
    )
    submit(
        db,
        fx,
        {"ease": {"expected": 2, "experienced": 2}, "nps": 5},
        finished=False,
        pages={"p1"},
        language="sv",
    )
    with db.transaction(fx.org.id) as session:  # the first one came in implausibly fast
        first = session.query(SurveyResponse).filter(SurveyResponse.customer_id.is_not(None)).one()
        first.flagged, first.flag_reason = True, "too_fast"
        first.started_at = datetime.now(UTC) - timedelta(days=3)
    return fx


def submit(db: Database, fx: SurveyFixture, answers: dict[str, Any], **extra: Any) -> None:
    with db.transaction(fx.org.id) as session:
        survey = service.get_survey(session, fx.actor, fx.survey_id)
        responses.do_submit(
            session,
            survey,
            Submission(
                answers=answers,
                language=extra.pop("language"),
                finished=extra.pop("finished", True),
                channel=extra.pop("channel", ResponseChannel.LINK),
                **extra,
            ),
        )


@pytest.fixture
def analyst(factory: Factory, fx: SurveyFixture, browser: Browser) -> TestClient:
    return browser(factory.member(fx.org, Role.ANALYST), accept_language="en")


@pytest.fixture
def viewer(factory: Factory, fx: SurveyFixture, browser: Browser) -> TestClient:
    return browser(factory.member(fx.org, Role.VIEWER), accept_language="en")


def url(fx: SurveyFixture, tail: str = "") -> str:
    return f"/feedback/surveys/{fx.survey_id}/responses{tail}"


def languages_listed(html: str) -> list[str]:
    return re.findall(r'<span lang="(\w\w)">', html)


def test_newest_first_with_readable_answers(fx: SurveyFixture, analyst: TestClient) -> None:
    page = analyst.get(url(fx))

    assert page.status_code == 200
    assert "3 responses" in page.text
    assert languages_listed(page.text) == ["sv", "en", "fi"]
    assert "expected 4 → got 2" in page.text
    assert "Would you recommend us?" in page.text and "3 (0–10)" in page.text
    assert "Jono oli pitkä" in page.text
    assert "Annoyed" in page.text  # the emotion's label, not its key
    assert "Finished faster than a person could" in page.text
    assert "asiakas-1" in page.text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "partial"}, ["sv"]),
        ({"status": "finished"}, ["en", "fi"]),
        ({"flagged": "yes"}, ["fi"]),
        ({"flagged": "no"}, ["sv", "en"]),
        ({"channel": "widget"}, ["en"]),
        ({"language": "fi"}, ["fi"]),
        ({"touchpoint": "checkout"}, ["sv", "en", "fi"]),
        ({"touchpoint": "support"}, []),
        ({"q": "JONO"}, ["fi"]),
        ({"q": "nothing like it"}, []),
    ],
)
def test_filters(
    fx: SurveyFixture, analyst: TestClient, params: dict[str, str], expected: list[str]
) -> None:
    page = analyst.get(url(fx), params=params)
    assert page.status_code == 200
    assert languages_listed(page.text) == expected


def test_period_filter(fx: SurveyFixture, analyst: TestClient) -> None:
    today = datetime.now(UTC).date()
    recent = analyst.get(url(fx), params={"from": str(today - timedelta(days=1))})
    backwards = analyst.get(
        url(fx), params={"from": str(today), "to": str(today - timedelta(days=5))}
    )
    assert languages_listed(recent.text) == ["sv", "en"]
    assert backwards.status_code == 400


def test_paging(db: Database, fx: SurveyFixture, analyst: TestClient) -> None:
    for n in range(25):
        submit(db, fx, {"ease": {"expected": 1, "experienced": 1}, "nps": n % 11}, language="en")
    first = analyst.get(url(fx), params={"language": "en"})
    second = analyst.get(url(fx), params={"language": "en", "page": 2})
    assert "26 responses" in first.text and "page 1 of 2" in first.text
    assert 'href="?language=en&amp;page=2"' in first.text
    assert len(languages_listed(first.text)) == 25 and len(languages_listed(second.text)) == 1


def test_comments_need_text_view(fx: SurveyFixture, viewer: TestClient) -> None:
    page = viewer.get(url(fx))
    searched = viewer.get(url(fx), params={"q": "jono"})
    export = viewer.get(url(fx, ".csv"))

    assert "Jono oli pitkä" not in page.text
    assert "your role does not show open comments" in page.text
    assert languages_listed(searched.text) == ["sv", "en", "fi"]  # the search is ignored
    assert "Jono" not in export.text and "why_low" not in export.text


def test_one_response(db: Database, fx: SurveyFixture, analyst: TestClient) -> None:
    with db.transaction(fx.org.id, readonly=True) as session:
        first = session.query(SurveyResponse).filter(SurveyResponse.customer_id.is_not(None)).one()
    page = analyst.get(url(fx, f"/{first.id}"))

    assert page.status_code == 200
    assert "expected 4 → got 2" in page.text
    assert "Flagged: Finished faster than a person could." in page.text
    assert "asiakas-1" in page.text


def test_downloads(fx: SurveyFixture, analyst: TestClient) -> None:
    csv_file = analyst.get(url(fx, ".csv"))
    xlsx_file = analyst.get(url(fx, ".xlsx"))

    assert csv_file.status_code == 200
    assert csv_file.headers["content-type"].startswith("text/csv")
    assert 'attachment; filename="checkout-responses-' in csv_file.headers["content-disposition"]
    assert csv_file.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert sorted(r["nps"] for r in rows) == ["10", "3", "5"]
    assert {r["why_low"] for r in rows} == {"Jono oli pitkä", ""}
    assert xlsx_file.status_code == 200
    assert xlsx_file.content.startswith(b"PK")  # a zip: the XLSX container


def test_another_organisations_response_is_not_found(
    db: Database, fx: SurveyFixture, factory: Factory, browser: Browser
) -> None:
    other = make_survey(db, factory.organisation("Muu Oy"))
    client = browser(factory.member(other.org, Role.OWNER))
    with db.transaction(fx.org.id, readonly=True) as session:
        rid = session.query(SurveyResponse.id).first()
    assert rid is not None
    assert client.get(url(fx)).status_code == 404
    assert client.get(url(fx, ".csv")).status_code == 404
    assert client.get(url(fx, ".xlsx")).status_code == 404
    assert client.get(f"/feedback/surveys/{other.survey_id}/responses/{rid[0]}").status_code == 404
