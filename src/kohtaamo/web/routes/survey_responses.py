"""A survey's responses: the paged, filtered list (newest first), one response, and the
CSV and XLSX exports.

Open comments (answers to free-text questions) are personal and often name people, so
they follow the ``text.view`` permission, like the text analytics: a viewer sees that a
comment exists, not what it says, cannot search in comments, and gets exports without
comment columns. Every other answer is visible with ``feedback.view``.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from kohtaamo.audit.service import record
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.kit.clock import utcnow
from kohtaamo.surveys import browse, exports, service
from kohtaamo.surveys.catalogue import EMOTIONS, LANGUAGES, PairForm, QuestionType, ResponseChannel
from kohtaamo.surveys.definition import Question, SurveyDefinition, text_in
from kohtaamo.web.deps import WebContext, page_permission
from kohtaamo.web.journey_report import parse_filters
from kohtaamo.web.render import render
from kohtaamo.web.routes.journeys import timezone_of
from kohtaamo.web.routes.survey_builder import language_in
from kohtaamo.web.routes.survey_common import head_context, survey_head, touchpoint_options

router = APIRouter(prefix="/feedback/surveys/{survey_id}")

Viewer = Annotated[WebContext, Depends(page_permission("feedback.view"))]

PER_PAGE = 25
CHANNELS = {
    ResponseChannel.LINK: N_("Public link"),
    ResponseChannel.EMAIL: N_("E-mail invitation"),
    ResponseChannel.WIDGET: N_("Website widget"),
    ResponseChannel.QR: N_("QR code"),
    ResponseChannel.API: N_("API"),
    ResponseChannel.KIOSK: N_("Kiosk"),
}
FLAG_REASONS = {
    "honeypot": N_("Filled in the field only bots see"),
    "too_fast": N_("Finished faster than a person could"),
}


@dataclass(frozen=True)
class Answer:
    question: str  # the question's text in the reader's language
    text: str  # the answer in words; "" when it is a comment the reader may not see
    withheld: bool = False
    comment: bool = False


def _scale_text(locale: str, q: Question, value: Any) -> str:
    scale = q.effective_scale()
    if scale is None:
        return str(value)
    return gettext(locale, "%(value)s (%(min)s–%(max)s)", value=value, min=scale.min, max=scale.max)


def answer_text(locale: str, q: Question, value: Any, default: str) -> str:
    """One answer in words, in the reader's language."""
    t = q.type
    if t is QuestionType.EXPECTATION_EXPERIENCE and q.pair_form is PairForm.DOUBLE:
        value = value if isinstance(value, dict) else {}
        return gettext(
            locale,
            "expected %(expected)s → got %(experienced)s",
            expected=value.get("expected", "–"),
            experienced=value.get("experienced", "–"),
        )
    if t in (QuestionType.NPS, QuestionType.CSAT, QuestionType.CES, QuestionType.RATING):
        return _scale_text(locale, q, value)
    if t is QuestionType.EXPECTATION_EXPERIENCE:
        return _scale_text(locale, q, value)
    if t is QuestionType.YES_NO:
        return gettext(locale, "Yes") if value else gettext(locale, "No")
    if t in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.EMOTION):
        keys = value if isinstance(value, list) else [value]
        named = {c.key: text_in(c.label, locale, default) for c in q.choices}
        if t is QuestionType.EMOTION and not q.choices:
            named = {k: f"{label.icon} {label.text(locale)}" for k, label in EMOTIONS.items()}
        return ", ".join(named.get(str(k)) or str(k) for k in keys)
    return str(value)


def readable(
    locale: str, definition: SurveyDefinition, answers: dict[str, Any], may_read_text: bool
) -> list[Answer]:
    """The answered questions of a response, in the survey's order."""
    out = []
    default = definition.default_language
    for q in definition.questions():
        if q.key not in answers or answers[q.key] is None:
            continue
        question = text_in(q.text, locale, default) or q.key
        if q.type is QuestionType.TEXT:
            if may_read_text:
                out.append(Answer(question, str(answers[q.key]), comment=True))
            else:
                out.append(Answer(question, "", withheld=True, comment=True))
            continue
        out.append(Answer(question, answer_text(locale, q, answers[q.key], default)))
    return out


def _labels(locale: str, table: dict[Any, str]) -> list[tuple[str, str]]:
    return [(str(k), gettext(locale, v)) for k, v in table.items()]


def _choice(value: str, allowed: set[str]) -> str:
    return value if value in allowed else ""


@router.get("/responses", response_class=HTMLResponse)
def responses(
    request: Request,
    ctx: Viewer,
    survey_id: uuid.UUID,
    status: Annotated[str, Query(max_length=10)] = "",
    flagged: Annotated[str, Query(max_length=3)] = "",
    channel: Annotated[str, Query(max_length=10)] = "",
    language: Annotated[str, Query(max_length=2)] = "",
    touchpoint: Annotated[str, Query(max_length=80)] = "",
    start: Annotated[str, Query(alias="from", max_length=40)] = "",
    end: Annotated[str, Query(alias="to", max_length=40)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    locale = locale_of(request)
    period = parse_filters(locale, timezone_of(ctx), start, end, "")
    may_text = ctx.may("text.view")
    shown = {
        "status": _choice(status, {"finished", "partial"}),
        "flagged": _choice(flagged, {"yes", "no"}),
        "channel": _choice(channel, {c.value for c in ResponseChannel}),
        "language": _choice(language, set(LANGUAGES)),
        "touchpoint": touchpoint.strip(),
        "from": period.start_text,
        "to": period.end_text,
        "q": q.strip() if may_text else "",
    }
    with ctx.transaction(readonly=True) as session:
        head = survey_head(session, ctx, survey_id, locale)
        tps = touchpoint_options(session, ctx.org_actor, locale)
        tp = journeys_repo.touchpoint_by_key(session, shown["touchpoint"]) if touchpoint else None
        filters = browse.ResponseFilter(
            status=shown["status"],  # type: ignore[arg-type]
            flagged=shown["flagged"],  # type: ignore[arg-type]
            channel=shown["channel"],
            language=shown["language"],
            start=period.start,
            end=period.end,
            touchpoint_id=tp.id if tp else (uuid.UUID(int=0) if touchpoint else None),
            text=shown["q"],
        )
        found = browse.list_responses(
            session, ctx.org_actor, survey_id, filters, page=page, per_page=PER_PAGE
        )
        definitions: dict[uuid.UUID, SurveyDefinition] = {}
        rows = []
        for row in found.rows:
            vid = row.response.version_id
            if vid not in definitions:
                definitions[vid] = browse.definition_of_version(session, vid)
            rows.append(
                (row, readable(locale, definitions[vid], row.response.answers or {}, may_text))
            )
    query = {k: v for k, v in shown.items() if v}
    return render(
        request,
        "surveys/responses.html",
        status_code=400 if period.errors else 200,
        active="feedback",
        tab="responses",
        **head_context(locale, head),
        rows=rows,
        found=found,
        shown=shown,
        period=period,
        active_filters=bool(query),
        page_link=lambda n: "?" + urlencode({**query, "page": n}),
        status_options=[
            ("finished", gettext(locale, "Finished")),
            ("partial", gettext(locale, "Partial")),
        ],
        flagged_options=[
            ("yes", gettext(locale, "Flagged only")),
            ("no", gettext(locale, "Not flagged")),
        ],
        channel_options=_labels(locale, CHANNELS),
        language_options=[(code, language_in(code, locale)) for code in LANGUAGES],
        touchpoints=tps,
        channel_label=lambda c: (
            gettext(locale, CHANNELS[ResponseChannel(c)]) if c in CHANNELS else c
        ),
        reason_label=lambda r: gettext(locale, FLAG_REASONS[r]) if r in FLAG_REASONS else (r or ""),
        may_read_text=may_text,
        tp_names=dict(tps),
    )


@router.get("/responses/{response_id}", response_class=HTMLResponse)
def response_detail(
    request: Request, ctx: Viewer, survey_id: uuid.UUID, response_id: uuid.UUID
) -> Response:
    locale = locale_of(request)
    may_text = ctx.may("text.view")
    with ctx.transaction(readonly=True) as session:
        head = survey_head(session, ctx, survey_id, locale)
        row = browse.get_response(session, ctx.org_actor, survey_id, response_id)
        definition = browse.definition_of_version(session, row.response.version_id)
        answers = readable(locale, definition, row.response.answers or {}, may_text)
        tps = dict(touchpoint_options(session, ctx.org_actor, locale))
    context = row.response.context or {}
    return render(
        request,
        "surveys/response.html",
        active="feedback",
        tab="responses",
        **head_context(locale, head),
        row=row,
        answers=answers,
        context_items=sorted(context.items()),
        channel=gettext(locale, CHANNELS[ResponseChannel(row.response.channel)])
        if row.response.channel in CHANNELS
        else row.response.channel,
        language=language_in(row.response.language, locale)
        if row.response.language in LANGUAGES
        else row.response.language,
        reason=gettext(locale, FLAG_REASONS[row.response.flag_reason])
        if row.response.flag_reason in FLAG_REASONS
        else (row.response.flag_reason or ""),
        touchpoint_label=tps.get(row.touchpoint or "", row.touchpoint or ""),
        duration=(row.response.duration_ms or 0) / 1000,
    )


# --- exports --------------------------------------------------------------------------------


def _filename(ctx: WebContext, survey_id: uuid.UUID, ext: str) -> str:
    with ctx.transaction() as session:
        survey = service.get_survey(session, ctx.org_actor, survey_id)  # 404 before streaming
        key = survey.key
        record(
            session,
            "personal.exported",
            ctx.actor,
            object_type="survey",
            object_id=survey_id,
            detail={"what": "responses", "format": ext},
        )
    return f"{key}-responses-{utcnow():%Y%m%d}.{ext}"


def _disposition(name: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"}


@router.get("/responses.csv")
def export_csv(ctx: Viewer, survey_id: uuid.UUID) -> Response:
    """UTF-8 CSV with a BOM, streamed from one read-only transaction as rows are read."""
    name = _filename(ctx, survey_id, "csv")
    include_text = ctx.may("text.view")

    def chunks() -> Iterator[bytes]:
        with ctx.transaction(readonly=True) as session:
            table = exports.response_table(session, survey_id, include_text=include_text)
            yield from exports.csv_chunks(table)

    return StreamingResponse(
        chunks(), media_type="text/csv; charset=utf-8", headers=_disposition(name)
    )


@router.get("/responses.xlsx")
def export_xlsx(ctx: Viewer, survey_id: uuid.UUID) -> Response:
    """An XLSX workbook, built row by row in a temporary file that goes once it is sent."""
    name = _filename(ctx, survey_id, "xlsx")
    fd, path = tempfile.mkstemp(prefix="kohtaamo-export-", suffix=".xlsx")
    os.close(fd)
    try:
        with ctx.transaction(readonly=True) as session:
            table = exports.response_table(session, survey_id, include_text=ctx.may("text.view"))
            exports.write_xlsx(table, path)
    except BaseException:
        os.unlink(path)
        raise
    return FileResponse(
        path,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=_disposition(name),
        background=BackgroundTask(os.unlink, path),
    )
