"""Response exports: CSV and XLSX carry every response and answer back out as they were
given, cannot be read as formulas, and leave out comments for readers without text.view."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest

from kohtaamo.storage.db import Database
from kohtaamo.surveys import exports, responses, service
from kohtaamo.surveys.catalogue import ResponseChannel
from kohtaamo.surveys.responses import Submission
from tests.factories import Factory
from tests.surveys.helpers import SurveyFixture, make_survey

NASTY = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tlyöty", "\rx", "ok ääkköset"]


@pytest.fixture
def fx(db: Database, factory: Factory) -> SurveyFixture:
    return make_survey(db, factory.organisation("Tapahtumatalo Oy"))


def submit(db: Database, fx: SurveyFixture, answers: dict[str, Any], **extra: Any) -> None:
    with db.transaction(fx.org.id) as session:
        survey = service.get_survey(session, fx.actor, fx.survey_id)
        responses.do_submit(
            session,
            survey,
            Submission(
                answers=answers,
                language=extra.pop("language", "fi"),
                finished=extra.pop("finished", True),
                channel=ResponseChannel.LINK,
                **extra,
            ),
        )


def seed(db: Database, fx: SurveyFixture) -> None:
    for i, comment in enumerate(NASTY):
        submit(
            db,
            fx,
            {
                "ease": {"expected": 4, "experienced": 1 + i % 5},
                "nps": i,
                "why_low": comment,
                "feelings": ["joy", "relief"],
                "store": "=cmd|' /C calc'!A0",
            },
            customer_external_id="=asiakas" if i == 0 else f"c{i}",
        )
    partial = {"ease": {"expected": 3, "experienced": 3}, "nps": 10}
    submit(db, fx, partial, finished=False, pages={"p1"}, language="sv")


def table(db: Database, fx: SurveyFixture, include_text: bool = True) -> exports.ResponseTable:
    session_cm = db.transaction(fx.org.id, readonly=True)
    session = session_cm.__enter__()
    found = exports.response_table(session, fx.survey_id, include_text=include_text, batch=3)
    rows = list(found.rows)
    session_cm.__exit__(None, None, None)
    return exports.ResponseTable(found.header, iter(rows))


def test_csv_round_trips_with_a_bom_and_no_formulas(db: Database, fx: SurveyFixture) -> None:
    seed(db, fx)

    data = b"".join(exports.csv_chunks(table(db, fx), rows_per_chunk=2))

    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == len(NASTY) + 1
    assert list(rows[0])[:12] == list(exports.META_COLUMNS)
    assert list(rows[0])[12:] == [
        "ease.expected",
        "ease.experienced",
        "nps",
        "why_low",
        "feelings",
        "store",
    ]
    finished = [r for r in rows if r["status"] == "finished"]
    assert [int(r["nps"]) for r in finished] == list(range(len(NASTY)))  # oldest first
    assert [r["ease.experienced"] for r in finished][:3] == ["1", "2", "3"]
    assert {r["ease.expected"] for r in finished} == {"4"}
    # Stored comments are trimmed (answers.clean_text), so "\tlyöty" arrives as "lyöty".
    assert [r["why_low"] for r in finished][1:6] == ["'+1+1", "'-2", "'@SUM(A1)", "lyöty", "x"]
    assert finished[0]["why_low"] == '\'=HYPERLINK("http://x")'
    assert finished[2]["why_low"] == "'-2"
    assert finished[6]["why_low"] == "ok ääkköset"
    assert {r["store"] for r in finished} == {"'=cmd|' /C calc'!A0"}
    assert finished[0]["customer"] == "'=asiakas"
    assert finished[0]["feelings"] == "joy;relief"
    assert finished[0]["channel"] == "link" and finished[0]["flagged"] == "no"
    partial = rows[-1]
    assert (partial["status"], partial["language"], partial["nps"]) == ("partial", "sv", "10")
    assert partial["finished_at_utc"] == "" and partial["why_low"] == ""


def test_xlsx_round_trips_with_numbers_as_numbers(
    db: Database, fx: SurveyFixture, tmp_path: Any
) -> None:
    seed(db, fx)
    path = tmp_path / "out.xlsx"

    exports.write_xlsx(table(db, fx), str(path))

    sheet = openpyxl.load_workbook(path).active
    values = list(sheet.iter_rows(values_only=True))
    header, body = list(values[0]), values[1:]
    assert header[12:] == [
        "ease.expected",
        "ease.experienced",
        "nps",
        "why_low",
        "feelings",
        "store",
    ]
    col = {name: i for i, name in enumerate(header)}
    assert [row[col["nps"]] for row in body] == [*range(len(NASTY)), 10]
    assert body[0][col["why_low"]] == '\'=HYPERLINK("http://x")'
    assert body[3][col["why_low"]] == "'@SUM(A1)"
    assert body[0][col["customer"]] == "'=asiakas"
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.value  # no cell is a formula
    assert body[0][col["started_at_utc"]] is not None


def test_comments_are_left_out_without_text_view(db: Database, fx: SurveyFixture) -> None:
    seed(db, fx)
    data = b"".join(exports.csv_chunks(table(db, fx, include_text=False))).decode("utf-8-sig")
    assert "why_low" not in data.splitlines()[0]
    assert "HYPERLINK" not in data and "ääkköset" not in data


def test_columns_of_older_versions_are_kept(db: Database, fx: SurveyFixture) -> None:
    seed(db, fx)
    with db.transaction(fx.org.id) as session:
        definition = service.definition_of(service.get_version(session, fx.actor, fx.survey_id))
        data = definition.model_dump(mode="json")
        data["pages"][1]["questions"] = [
            q for q in data["pages"][1]["questions"] if q["key"] != "feelings"
        ]
        service.do_save_definition(session, fx.actor, fx.survey_id, definition.model_validate(data))
        service.do_publish(session, fx.actor, fx.survey_id)

    header = table(db, fx).header

    assert header[12:] == [
        "ease.expected",
        "ease.experienced",
        "nps",
        "why_low",
        "store",
        "feelings",
    ]


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+358", "'+358"),
        ("-", "'-"),
        ("@a", "'@a"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_safe_text(text: str, safe: str) -> None:
    assert exports.safe_text(text) == safe
