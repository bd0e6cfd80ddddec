"""Importing a survey from a file, and downloading one as Kohtaamo JSON.

The import has two steps. The upload is parsed (Kohtaamo, Qualtrics .qsf or SurveyJS)
without storing anything, and the page shows what would be created: the questions with
their Kohtaamo types, and what could not be imported. The preview carries the parsed
survey, in Kohtaamo's own format, to the confirm step, which validates it again (it
came back from the browser) and creates the draft survey.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.errors import InvalidInput, KohtaamoError
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.surveys import portability
from kohtaamo.surveys.catalogue import MEASURE_ROLES, QUESTION_TYPES, QuestionType, SurveyKind
from kohtaamo.surveys.definition import Question, SurveyDefinition, text_in
from kohtaamo.surveys.importing import MAX_IMPORT_BYTES, ImportResult, Unmapped
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.render import field_errors, render

IMPORT_PATH = "/feedback/import"
# A file of MAX_IMPORT_BYTES and the multipart form around it (see app.py large_paths).
UPLOAD_MAX_BYTES = MAX_IMPORT_BYTES + 64 * 1024
CONFIRM_PATH = "/feedback/import/confirm"
EXPORT_PATH = "/feedback/surveys/{survey_id}/export.json"
MB = 1024 * 1024

router = APIRouter()

Editor = Annotated[WebContext, Depends(page_permission("feedback.edit"))]
Viewer = Annotated[WebContext, Depends(page_permission("feedback.view"))]

FORMAT_LABELS = (
    ("auto", N_("Detect from the content")),
    ("qsf", N_("Qualtrics (.qsf)")),
    ("surveyjs", N_("SurveyJS (JSON)")),
    ("kohtaamo", N_("Kohtaamo (JSON)")),
)
KIND_LABELS = (
    (SurveyKind.TOUCHPOINT.value, N_("Touchpoint survey")),
    (SurveyKind.RELATIONSHIP.value, N_("Relationship survey")),
)
FORM_FIELDS = ("file", "format", "key", "name", "kind")
OPS = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥", "in": "∈"}


@dataclass(frozen=True)
class QuestionRow:
    page: str
    key: str
    type: str
    text: str
    details: list[str] = field(default_factory=list)
    choices: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class UnmappedRow:
    source_id: str
    source_type: str
    reason: str


def _details(q: Question, locale: str, lang: str) -> list[str]:
    out = []
    role = q.measure_role()
    if role is not None:
        out.append(gettext(locale, "Measures: %(role)s", role=MEASURE_ROLES[role].text(locale)))
    scale = q.effective_scale()
    if scale is not None and q.type is not QuestionType.HIDDEN:
        low, high = text_in(scale.min_label, lang), text_in(scale.max_label, lang)
        ends = f" ({low} … {high})" if low or high else ""
        out.append(gettext(locale, "Scale %(min)s–%(max)s", min=scale.min, max=scale.max) + ends)
    if q.required:
        out.append(gettext(locale, "Required"))
    cond = q.show_if
    if cond is not None:
        if cond.op in ("answered", "not_answered"):
            msg = (
                N_("Shown if %(question)s is answered")
                if cond.op == "answered"
                else N_("Shown if %(question)s is not answered")
            )
            out.append(gettext(locale, msg, question=cond.question))
        else:
            value = json.dumps(cond.value, ensure_ascii=False)
            out.append(
                gettext(
                    locale,
                    "Shown if %(question)s %(op)s %(value)s",
                    question=cond.question,
                    op=OPS.get(cond.op, cond.op),
                    value=value,
                )
            )
    return out


def question_rows(definition: SurveyDefinition, locale: str) -> list[QuestionRow]:
    """The questions as the preview lists them, in the reader's language where given."""
    lang = locale if locale in definition.languages else definition.default_language
    return [
        QuestionRow(
            page=page.key,
            key=q.key,
            type=QUESTION_TYPES[q.type].text(locale),
            text=text_in(q.text, lang, definition.default_language),
            details=_details(q, locale, lang),
            choices=[
                (c.key, text_in(c.label, lang, definition.default_language)) for c in q.choices
            ],
        )
        for page in definition.pages
        for q in page.questions
    ]


def _page(
    request: Request,
    *,
    status_code: int = 200,
    result: ImportResult | None = None,
    unmapped: list[Unmapped] | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    locale = locale_of(request)
    limit = MAX_IMPORT_BYTES
    document = ""
    rows: list[QuestionRow] = []
    if result is not None:
        document = json.dumps(portability.document_of_result(result), ensure_ascii=False)
        rows = question_rows(result.definition, locale)
    form = form or {}
    shown = FORM_FIELDS if result is not None else FORM_FIELDS[:2]
    if result is not None:
        form = {"key": result.key, "name": result.name, "kind": result.kind.value} | form
    return render(
        request,
        "surveys/import.html",
        status_code=status_code,
        active="feedback",
        result=result,
        rows=rows,
        pages=len(result.definition.pages) if result else 0,
        unmapped=[
            UnmappedRow(u.source_id, u.source_type, u.message(locale)) for u in unmapped or []
        ],
        document=document,
        formats=[(value, gettext(locale, label)) for value, label in FORMAT_LABELS],
        kinds=[(value, gettext(locale, label)) for value, label in KIND_LABELS],
        max_size=max(1, limit // MB),
        form=form,
        errors=errors or {},
        # Errors of fields the page does not show (the confirm form's when there is no
        # preview, the document's own) are listed at the top.
        other_errors=[(k, v) for k, v in (errors or {}).items() if k not in shown],
    )


@router.get(IMPORT_PATH, response_class=HTMLResponse)
def import_form(request: Request, ctx: Editor) -> Response:
    return _page(request)


@router.post(IMPORT_PATH, dependencies=[Depends(verify_csrf)])
def import_preview(
    request: Request,
    ctx: Editor,
    file: Annotated[UploadFile | None, File()] = None,
    fmt: Annotated[str, Form(alias="format", max_length=20)] = "auto",
) -> Response:
    """Parse the upload and show what would be created; nothing is stored yet."""
    try:
        if file is None or not file.filename:
            raise InvalidInput("Choose a survey file to import.", field="file")
        # One byte over the limit is enough to refuse the file.
        raw = file.file.read(MAX_IMPORT_BYTES + 1)
        result = portability.read_survey(raw, fmt)
    except KohtaamoError as exc:
        return _page(
            request,
            status_code=exc.status,
            form={"format": fmt},
            errors=field_errors(locale_of(request), exc),
        )
    return _page(request, result=result, unmapped=list(result.unmapped), form={"format": fmt})


@router.post(CONFIRM_PATH, dependencies=[Depends(verify_csrf)])
def import_confirm(
    request: Request,
    ctx: Editor,
    document: Annotated[str, Form()] = "",
    key: Annotated[str, Form(max_length=200)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
    kind: Annotated[str, Form(max_length=40)] = "touchpoint",
) -> Response:
    """Create the draft survey from the previewed document and open it."""
    locale = locale_of(request)
    form = {"key": key, "name": name, "kind": kind}
    try:
        result = portability.parse_kohtaamo(json.loads(document))
    except (ValueError, RecursionError):
        lost = InvalidInput("The previewed survey was lost. Upload the file again.", field="file")
        return _page(request, status_code=422, errors=field_errors(locale, lost))
    except KohtaamoError as exc:
        return _page(request, status_code=exc.status, errors=field_errors(locale, exc))
    try:
        if kind not in {value for value, _ in KIND_LABELS}:
            raise InvalidInput("Choose one of the options.", field="kind")
        with ctx.transaction() as session:
            survey, _notes = portability.do_import(
                session,
                ctx.org_actor,
                result,
                key=key.strip(),
                name=name.strip(),
                kind=SurveyKind(kind),
            )
            survey_id = survey.id
    except KohtaamoError as exc:
        return _page(
            request,
            status_code=exc.status,
            result=result,
            form=form,
            errors=field_errors(locale, exc),
        )
    return RedirectResponse(f"/feedback/surveys/{survey_id}", status_code=303)


@router.get(EXPORT_PATH)
def export_survey(
    survey_id: uuid.UUID,
    ctx: Viewer,
    version: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> Response:
    """One version of the survey (default: the latest) as a Kohtaamo JSON download."""
    with ctx.transaction(readonly=True) as session:
        document = portability.get_export(session, ctx.org_actor, survey_id, version)
    filename = f"{document['key']}.kohtaamo.json"
    return Response(
        content=portability.dumps(document),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
