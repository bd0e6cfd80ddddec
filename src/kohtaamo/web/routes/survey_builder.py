"""The survey builder: the latest version's title and texts, its pages and questions, and
a preview in each respondent language.

Every change is a form POST that edits the definition as a document, validates the whole
of it with ``SurveyDefinition`` and saves it with ``service.do_save_definition`` (which
makes a new draft when the latest version is published), then redirects back; errors
come back next to the fields of the form that caused them. Up/down buttons order pages
and questions without JavaScript; ``static/surveys-builder.js`` adds drag and drop that
posts to the same addresses. This module has the editor page and the survey's texts; the
question routes are in ``survey_builder_questions``, the page routes in
``survey_builder_pages``.
"""

from __future__ import annotations

import copy
import uuid
from typing import Annotated, Any, Literal

from babel import Locale
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.errors import InvalidInput, KohtaamoError, NotFound
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.surveys import service
from kohtaamo.surveys.catalogue import (
    LANGUAGES,
    MEASURE_ROLES,
    QUESTION_TYPES,
    PairForm,
    QuestionType,
)
from kohtaamo.surveys.definition import SurveyDefinition, text_in
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.routes.settings import flash_of
from kohtaamo.web.routes.survey_common import head_context, labels, survey_head, touchpoint_options
from kohtaamo.web.routes.survey_preview import preview_context
from kohtaamo.web.survey_forms import (
    DETAIL_FIELDS,
    bank_options,
    errors_at,
    question_form_values,
)

router = APIRouter(prefix="/feedback/surveys/{survey_id}")

Viewer = Annotated[WebContext, Depends(page_permission("feedback.view"))]
Editor = Annotated[WebContext, Depends(page_permission("feedback.edit"))]
Direction = Literal["up", "down", ""]

DONE = {
    "created": N_("The survey was created. Edit its questions, preview it and publish it."),
    "saved": N_("The survey was saved."),
    "added": N_("The question was added."),
    "question-saved": N_("The question was saved."),
    "moved": N_("The order was saved."),
    "deleted": N_("The question was deleted."),
    "page-saved": N_("The page was saved."),
    "page-deleted": N_("The page and its questions were deleted."),
}
OPS = {
    "eq": N_("is"),
    "ne": N_("is not"),
    "lt": N_("is less than"),
    "le": N_("is at most"),
    "gt": N_("is more than"),
    "ge": N_("is at least"),
    "in": N_("is one of (comma-separated)"),
    "answered": N_("is answered"),
    "not_answered": N_("is not answered"),
}
PAIR_FORMS = {
    PairForm.DOUBLE: N_("Asked twice: what they expected, then what they got"),
    PairForm.COMPARED: N_("One scale: compared with what they expected"),
}
MAX_FIELD = 10_000


def language_in(code: str, locale: str) -> str:
    """A language's name in the reader's language ("ruotsi", "Swedish"), from CLDR."""
    return Locale.parse(code).get_language_name(locale) or code


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form as a dict (field names are definition paths such as ``text.fi``)."""
    form = await request.form()
    out: dict[str, str] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            if len(value) > MAX_FIELD:
                raise InvalidInput("This value is too long.", field=name)
            out[name] = value
    return out


Fields = Annotated[dict[str, str], Depends(form_fields)]


# --- the editor page ------------------------------------------------------------------------


def _editor(
    request: Request,
    ctx: WebContext,
    survey_id: uuid.UUID,
    *,
    status_code: int = 200,
    flash: str | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error_at: str = "",
    preview_lang: str = "",
    opened: str = "",
) -> Response:
    locale = locale_of(request)
    with ctx.transaction(readonly=True) as session:
        head = survey_head(session, ctx, survey_id, locale)
        version = service.get_version(session, ctx.org_actor, survey_id)
        doc = copy.deepcopy(version.definition)
        number, published = version.number, version.published_at is not None
        tps = touchpoint_options(session, ctx.org_actor, locale)
    definition = SurveyDefinition.model_validate(doc)
    default = definition.default_language
    lang = preview_lang if preview_lang in definition.languages else default
    pages = []
    earlier: list[tuple[str, str]] = []
    all_keys = [q.key for q in definition.questions()]
    for pi, page in enumerate(doc["pages"]):
        questions = []
        for qi, q in enumerate(page["questions"]):
            model = definition.pages[pi].questions[qi]
            questions.append(
                {
                    "key": q["key"],
                    "type": q["type"],
                    "type_label": QUESTION_TYPES[model.type].text(locale),
                    "text": text_in(model.text, locale, default) or q["key"],
                    "required": model.required,
                    "touchpoint": model.touchpoint or "",
                    "show_if": model.show_if,
                    "values": question_form_values(q),
                    "earlier": list(earlier),
                    "first": all_keys[0] == q["key"],
                    "last": all_keys[-1] == q["key"],
                    "index": qi,
                }
            )
            earlier.append((q["key"], text_in(model.text, locale, default) or q["key"]))
        pages.append(
            {
                "key": page["key"],
                "number": pi + 1,
                "title": text_in(definition.pages[pi].title, locale, default),
                "values": {f"title.{k}": v for k, v in (page.get("title") or {}).items()},
                "questions": questions,
            }
        )
    details = {
        f"{g}.{k}": v for g in ("title", "intro", "thanks") for k, v in (doc.get(g) or {}).items()
    }
    details["default_language"] = default
    return render(
        request,
        "surveys/builder.html",
        status_code=status_code,
        active="feedback",
        tab="builder",
        **head_context(locale, head),
        version_number=number,
        version_published=published,
        pages=pages,
        details=details,
        survey_languages=definition.languages,
        languages_all=[(code, language_in(code, locale)) for code in LANGUAGES],
        type_options=[(t.value, label.text(locale)) for t, label in QUESTION_TYPES.items()],
        role_options=[(r.value, label.text(locale)) for r, label in MEASURE_ROLES.items()],
        pair_options=labels(locale, PAIR_FORMS),
        op_options=labels(locale, OPS),
        op_label=lambda op: OPS.get(op, op),
        page_options=[(p["key"], gettext(locale, "Page %(n)s", n=p["number"])) for p in pages],
        touchpoints=tps,
        bank=bank_options(locale),
        fixed_types=[t.value for t in (QuestionType.NPS, QuestionType.CSAT, QuestionType.CES)],
        preview=preview_context(definition, lang, number),
        flash=flash,
        form=form or {},
        errors=errors or {},
        error_at=error_at,
        opened=opened,
    )


@router.get("/edit", response_class=HTMLResponse)
def edit_survey(
    request: Request,
    ctx: Editor,
    survey_id: uuid.UUID,
    done: str | None = None,
    preview: Annotated[str, Query(max_length=2)] = "",
    open: Annotated[str, Query(max_length=80)] = "",
) -> Response:
    return _editor(
        request,
        ctx,
        survey_id,
        flash=flash_of(request, done, DONE),
        preview_lang=preview,
        opened=open,
    )


def save_change(
    request: Request,
    ctx: WebContext,
    survey_id: uuid.UUID,
    change: Any,
    *,
    done: str,
    error_at: str,
    prefix: Any,
    known: frozenset[str],
    form: dict[str, str] | None = None,
    anchor: str = "",
) -> Response:
    """Apply ``change(doc)`` to the latest definition, validate the whole, save, go back.

    ``prefix(doc)`` names where the changed part sits in the changed document, so that
    problems under it are shown next to the form's fields.
    """
    doc: dict[str, Any] = {}
    try:
        with ctx.transaction() as session:
            version = service.get_version(session, ctx.org_actor, survey_id)
            doc = copy.deepcopy(version.definition)
            change(doc)
            definition = service.parse_definition_or_problems(doc)
            service.do_save_definition(session, ctx.org_actor, survey_id, definition)
    except KohtaamoError as exc:
        if isinstance(exc, NotFound) or exc.status == 403:
            raise
        if exc.problems:
            where = prefix(doc) if doc else ""
            exc.problems = errors_at(exc.problems, where, known)
        return _editor(
            request,
            ctx,
            survey_id,
            status_code=exc.status,
            form=form,
            errors=field_errors(locale_of(request), exc),
            error_at=error_at,
            opened=error_at.removeprefix("q-"),
        )
    target = f"/feedback/surveys/{survey_id}/edit?done={done}"
    return RedirectResponse(target + (f"#{anchor}" if anchor else ""), status_code=303)


# --- the survey's texts ---------------------------------------------------------------------


@router.post("/edit", dependencies=[Depends(verify_csrf)])
def save_texts(request: Request, ctx: Editor, survey_id: uuid.UUID, fields: Fields) -> Response:
    """Title, introduction and thanks in each language, the languages and the default one."""
    chosen = [lang for lang in LANGUAGES if fields.get(f"lang.{lang}") == "on"]

    def change(doc: dict[str, Any]) -> None:
        for group in ("title", "intro", "thanks"):
            doc[group] = {
                lang: fields[f"{group}.{lang}"].strip()
                for lang in LANGUAGES
                if fields.get(f"{group}.{lang}", "").strip()
            }
        doc["languages"] = chosen
        doc["default_language"] = fields.get("default_language") or "fi"

    return save_change(
        request,
        ctx,
        survey_id,
        change,
        done="saved",
        error_at="details",
        prefix=lambda _doc: "",
        known=DETAIL_FIELDS,
        form=fields,
        anchor="details",
    )
