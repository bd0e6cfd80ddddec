"""A survey's responses as one table: CSV (UTF-8 with a BOM, for Excel) and XLSX.

One row per response, oldest first; metadata columns, then one column per question of
any version the survey has had (a double expectation–experience pair gives two:
``<key>.expected`` and ``<key>.experienced``). Headers are the question keys, so a
spreadsheet or a script can join exports of different versions.

Every text cell that a spreadsheet would read as a formula (it starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is prefixed with ``'``: an answer is data,
never a formula. Rows are read in batches of plain columns (no ORM objects, so the
session's identity map does not grow) and written as they come: memory stays bounded
however many responses there are. Open comments are left out unless the reader may see
them (``include_text``).
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.journeys.models import Customer, Touchpoint
from kohtaamo.surveys.catalogue import PairForm, QuestionType
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.models import SurveyResponse, SurveyVersion

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 500
META_COLUMNS = (
    "response_id",
    "version",
    "status",
    "channel",
    "language",
    "started_at_utc",
    "finished_at_utc",
    "duration_seconds",
    "flagged",
    "flag_reason",
    "customer",
    "touchpoint",
)
Cell = str | int | float | datetime | None


@dataclass(frozen=True)
class Column:
    """A question's column: ``part`` names the half of a double pair."""

    header: str
    question: str
    part: str | None = None


def safe_text(value: str) -> str:
    """A text cell no spreadsheet evaluates: formula starters get a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def question_columns(
    definitions: Iterable[SurveyDefinition], *, include_text: bool = True
) -> list[Column]:
    """Columns of every question in ``definitions`` (newest first: its order and shape win)."""
    seen: set[str] = set()
    out: list[Column] = []
    for definition in definitions:
        for q in definition.questions():
            if q.key in seen:
                continue
            seen.add(q.key)
            if q.type is QuestionType.TEXT and not include_text:
                continue
            if q.type is QuestionType.EXPECTATION_EXPERIENCE and q.pair_form is PairForm.DOUBLE:
                out.append(Column(f"{q.key}.expected", q.key, "expected"))
                out.append(Column(f"{q.key}.experienced", q.key, "experienced"))
            else:
                out.append(Column(q.key, q.key))
    return out


def answer_cell(column: Column, answer: Any) -> Cell:
    """One answer as a cell: numbers stay numbers, choices are keys joined with ';'."""
    if answer is None:
        return None
    if column.part is not None:
        return answer.get(column.part) if isinstance(answer, dict) else None
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    if isinstance(answer, int | float):
        return answer
    if isinstance(answer, list):
        return safe_text(";".join(str(v) for v in answer))
    if isinstance(answer, dict):  # a pair answered on a version where it was asked twice
        return safe_text(json.dumps(answer, ensure_ascii=False, sort_keys=True))
    return safe_text(str(answer))


@dataclass
class ResponseTable:
    """The header and the rows (lazy: read from the session while they are written)."""

    header: list[str]
    rows: Iterator[list[Cell]]


def response_table(
    session: Session, survey_id: uuid.UUID, *, include_text: bool, batch: int = BATCH
) -> ResponseTable:
    """The table of ``survey_id``'s responses; iterate ``rows`` inside the transaction."""
    versions = list(
        session.execute(
            select(SurveyVersion.number, SurveyVersion.definition)
            .where(SurveyVersion.survey_id == survey_id)
            .order_by(SurveyVersion.number.desc())
        )
    )
    columns = question_columns(
        (SurveyDefinition.model_validate(doc) for _n, doc in versions), include_text=include_text
    )
    header = [*META_COLUMNS, *(c.header for c in columns)]
    return ResponseTable(header, _rows(session, survey_id, columns, batch))


def _rows(
    session: Session, survey_id: uuid.UUID, columns: list[Column], batch: int
) -> Iterator[list[Cell]]:
    r = SurveyResponse
    stmt = (
        select(
            r.id,
            SurveyVersion.number,
            r.finished_at,
            r.channel,
            r.language,
            r.started_at,
            r.duration_ms,
            r.flagged,
            r.flag_reason,
            Customer.external_id,
            Touchpoint.key,
            r.answers,
        )
        .join(SurveyVersion, SurveyVersion.id == r.version_id)
        .outerjoin(Customer, Customer.id == r.customer_id)
        .outerjoin(Touchpoint, Touchpoint.id == r.touchpoint_id)
        .where(r.survey_id == survey_id)
        .order_by(r.started_at, r.id)
        .execution_options(yield_per=batch)
    )
    for row in session.execute(stmt):
        (rid, number, finished, channel, lang, started, ms, flagged, reason, cust, tp, answers) = (
            row
        )
        answers = answers or {}
        yield [
            str(rid),
            number,
            "finished" if finished else "partial",
            channel,
            lang,
            _utc(started),
            _utc(finished),
            round(ms / 1000, 1) if ms is not None else None,
            "yes" if flagged else "no",
            reason,
            safe_text(cust) if cust else None,
            tp,
            *(answer_cell(c, answers.get(c.question)) for c in columns),
        ]


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


# --- writers -------------------------------------------------------------------------------


def _csv_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.isoformat(timespec="seconds").replace("+00:00", "Z")
    return str(cell)


def csv_chunks(table: ResponseTable, rows_per_chunk: int = 200) -> Iterator[bytes]:
    """The table as UTF-8 CSV with a BOM (Excel then reads ä, ö and å right), in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(table.header)
    for n, row in enumerate(table.rows, start=1):
        writer.writerow([_csv_text(cell) for cell in row])
        if n % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(table: ResponseTable, target: str | BinaryIO, sheet: str = "Responses") -> None:
    """The table as an XLSX workbook written to ``target`` (a path or a binary file).

    xlsxwriter in constant-memory mode flushes each row to a temporary file as soon as
    the next begins, and every text goes through ``write_string``: nothing is ever read
    as a formula or a link, whatever it starts with.
    """
    import xlsxwriter  # type: ignore[import-untyped]

    book = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    try:
        ws = book.add_worksheet(sheet[:31])
        bold = book.add_format({"bold": True})
        when = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for col, name in enumerate(table.header):
            ws.write_string(0, col, name, bold)
        ws.freeze_panes(1, 0)
        for row_no, row in enumerate(table.rows, start=1):
            for col, cell in enumerate(row):
                if cell is None:
                    continue
                if isinstance(cell, datetime):
                    # Spreadsheets have no time zones: UTC, as the header says.
                    ws.write_datetime(row_no, col, cell.replace(tzinfo=None), when)
                elif isinstance(cell, int | float):
                    ws.write_number(row_no, col, cell)
                else:
                    ws.write_string(row_no, col, safe_text(cell))
    finally:
        book.close()
