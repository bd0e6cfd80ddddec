"""Importing interaction events from a CSV file uploaded in the browser.

The file goes to a temporary file and through the same import as ``kohtaamo events
import``: batches of 1,000 rows, each stored completely or not at all; bad rows are
reported by line and the valid rows are kept. The upload may be larger than other
requests: the app gives this address its own body-size limit (``IMPORT_MAX_BYTES``).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from kohtaamo.errors import InvalidInput, KohtaamoError
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import gettext
from kohtaamo.journeys.imports import BATCH_ROWS, ImportReport, import_events_csv
from kohtaamo.web import charts
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.render import field_errors, render

IMPORT_PATH = "/journeys/import"
IMPORT_MAX_BYTES = 50 * 1024 * 1024
MAX_PROBLEMS_SHOWN = 200

router = APIRouter()

Importer = Annotated[WebContext, Depends(page_permission("events.ingest"))]

DELIMITERS = (("auto", ""), (",", ","), (";", ";"), ("tab", "\t"))
ENCODINGS = ("auto", "utf-8", "latin-1")


@dataclass(frozen=True)
class ProblemRow:
    line: int
    field: str
    message: str


def _page(
    request: Request,
    *,
    status_code: int = 200,
    report: ImportReport | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    locale = locale_of(request)
    problems: list[ProblemRow] = []
    counts: list[tuple[str, str]] = []
    if report is not None:
        for p in report.problems[:MAX_PROBLEMS_SHOWN]:
            try:
                message = gettext(locale, p.message, **p.params)
            except (KeyError, ValueError):
                message = gettext(locale, p.message)
            problems.append(ProblemRow(p.line, p.field, message))
        counts = [
            (gettext(locale, "Rows read"), charts.number(locale, report.rows)),
            (gettext(locale, "Stored"), charts.number(locale, report.stored)),
            (
                gettext(locale, "Already stored (duplicates)"),
                charts.number(locale, report.duplicates),
            ),
            (gettext(locale, "Rejected"), charts.number(locale, report.rejected)),
            (gettext(locale, "Batches committed"), charts.number(locale, report.batches)),
        ]
    return render(
        request,
        "journeys/import.html",
        status_code=status_code,
        active="journeys",
        tab="import",
        report=report,
        counts=counts,
        problems=problems,
        more_problems=max(0, len(report.problems) - MAX_PROBLEMS_SHOWN) if report else 0,
        batch_rows=charts.number(locale, BATCH_ROWS),
        max_size=charts.number(locale, IMPORT_MAX_BYTES // (1024 * 1024)),
        delimiters=[d for d, _ in DELIMITERS],
        encodings=ENCODINGS,
        form=form or {},
        errors=errors or {},
    )


@router.get(IMPORT_PATH, response_class=HTMLResponse)
def import_form(request: Request, ctx: Importer) -> Response:
    return _page(request)


@router.post(IMPORT_PATH, dependencies=[Depends(verify_csrf)])
def import_events(
    request: Request,
    ctx: Importer,
    file: Annotated[UploadFile | None, File()] = None,
    delimiter: Annotated[str, Form(max_length=8)] = "auto",
    encoding: Annotated[str, Form(max_length=20)] = "auto",
) -> Response:
    form = {"delimiter": delimiter, "encoding": encoding}
    try:
        if file is None or not file.filename:
            raise InvalidInput("Choose a CSV file to import.", field="file")
        sep = dict(DELIMITERS).get(delimiter)
        if sep is None:
            raise InvalidInput("Choose one of the options.", field="delimiter")
        if encoding not in ENCODINGS:
            raise InvalidInput("Choose one of the options.", field="encoding")
        with tempfile.TemporaryDirectory(prefix="kohtaamo-import-") as folder:
            path = Path(folder) / "events.csv"
            with path.open("wb") as out:
                shutil.copyfileobj(file.file, out)
            report = import_events_csv(
                ctx.db, ctx.org_actor, path, delimiter=sep or "auto", encoding=encoding
            )
    except KohtaamoError as exc:
        return _page(
            request,
            status_code=exc.status,
            form=form,
            errors=field_errors(locale_of(request), exc),
        )
    return _page(request, report=report, form=form)
