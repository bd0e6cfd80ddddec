"""The survey builder: the latest version's title and texts, its pages and questions, and
a preview in each respondent language.

Every change is a form POST that edits the definition as a document, validates the whole
of it with ``SurveyDefinition`` and saves it with ``service.do_save_definition`` (which
makes a new draft when the latest version is published), then redirects back; errors
come back next to the fields of the form that caused them. Up/down buttons order pages
and questions without JavaScript; ``static/surveys-builder.js`` adds drag and drop that
posts to the same addresses.
"""

from __future__ import annotations

import copy
import re
import uuid
from typing import Annotated, Any, Literal

from babel import Locale
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.errors import InvalidInput, KohtaamoError, NotFound
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.surveys import service
from kohtaamo.surveys.catalogue import (
    EMOTIONS,
    LANGUAGES,
    MEASURE_ROLES,
    QUESTION_TYPES,
    PairForm,
    QuestionType,
)
from kohtaamo.surveys.definition import KEY_PATTERN, SurveyDefinition, text_in
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.routes.settings import flash_of
from kohtaamo.web.routes.surveys import head_context, labels, survey_head, touchpoint_options
from kohtaamo.web.survey_forms import (
    DETAIL_FIELDS,
    PAGE_FIELDS,
    QUESTION_FIELDS,
    bank_options,
    bank_question_data,
    blank_question,
    errors_at,
    new_key,
    question_form_values,
    question_from_form,
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


def _check_key(key: str) -> str:
    if not re.fullmatch(KEY_PATTERN, key):
        raise NotFound("No such question.")
    return key


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


def _save(
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


def _locate(doc: dict[str, Any], key: str) -> tuple[int, int]:
    for pi, page in enumerate(doc["pages"]):
        for qi, q in enumerate(page["questions"]):
            if q["key"] == key:
                return pi, qi
    raise NotFound("No such question.")


def _page_index(doc: dict[str, Any], key: str) -> int:
    for pi, page in enumerate(doc["pages"]):
        if page["key"] == key:
            return pi
    raise NotFound("No such page.")


def _question_prefix(key: str) -> Any:
    def prefix(doc: dict[str, Any]) -> str:
        try:
            pi, qi = _locate(doc, key)
        except NotFound:
            return ""
        return f"pages.{pi}.questions.{qi}"

    return prefix


def _drop_empty_pages(doc: dict[str, Any]) -> None:
    doc["pages"] = [p for p in doc["pages"] if p["questions"]] or doc["pages"][:1]


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

    return _save(
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


# --- questions ------------------------------------------------------------------------------


@router.post("/questions", dependencies=[Depends(verify_csrf)])
def add_question(
    request: Request,
    ctx: Editor,
    survey_id: uuid.UUID,
    type: Annotated[str, Form(max_length=40)] = "",
    bank_key: Annotated[str, Form(max_length=80)] = "",
    page: Annotated[str, Form(max_length=80)] = "",
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """A new question (of a type, or from the bank) last on a page, or on a new page."""
    form = {"type": type, "bank_key": bank_key, "page": page, "text": text}
    added: dict[str, str] = {}

    def change(doc: dict[str, Any]) -> None:
        taken = {q["key"] for p in doc["pages"] for q in p["questions"]}
        key = new_key(taken)
        default = doc.get("default_language", "fi")
        if bank_key:
            question = bank_question_data(bank_key, key, None)
            if question is None:
                raise InvalidInput("Choose a question from the bank.", field="bank_key")
        elif type in {t.value for t in QuestionType}:
            question = blank_question(type, key, {default: text.strip()}, None)
        else:
            raise InvalidInput("Choose a question type or a question from the bank.", field="type")
        if page:
            doc["pages"][_page_index(doc, page)]["questions"].append(question)
        else:
            page_keys = {p["key"] for p in doc["pages"]}
            doc["pages"].append({"key": new_key(page_keys, "p"), "questions": [question]})
        added["key"] = key

    def prefix(doc: dict[str, Any]) -> str:
        return _question_prefix(added["key"])(doc) if "key" in added else ""

    response = _save(
        request,
        ctx,
        survey_id,
        change,
        done="added",
        error_at="add",
        prefix=prefix,
        known=frozenset({"text", "type", "bank_key", "page"}),
        form=form,
    )
    if "key" in added and response.status_code == 303:
        target = f"/feedback/surveys/{survey_id}/edit?done=added&open={added['key']}"
        return RedirectResponse(f"{target}#q-{added['key']}", status_code=303)
    return response


@router.post("/questions/{question_key}", dependencies=[Depends(verify_csrf)])
def save_question(
    request: Request, ctx: Editor, survey_id: uuid.UUID, question_key: str, fields: Fields
) -> Response:
    key = _check_key(question_key)

    def change(doc: dict[str, Any]) -> None:
        pi, qi = _locate(doc, key)
        types = {q["key"]: q["type"] for p in doc["pages"] for q in p["questions"]}
        old = doc["pages"][pi]["questions"][qi]
        doc["pages"][pi]["questions"][qi] = question_from_form(old, fields, types)

    return _save(
        request,
        ctx,
        survey_id,
        change,
        done="question-saved",
        error_at=f"q-{key}",
        prefix=_question_prefix(key),
        known=QUESTION_FIELDS,
        form=fields,
        anchor=f"q-{key}",
    )


def _move_question(doc: dict[str, Any], key: str, direction: str, page: str, position: str) -> None:
    """One step up or down (across page boundaries), or to a page and position (drag)."""
    pi, qi = _locate(doc, key)
    question = doc["pages"][pi]["questions"].pop(qi)
    if direction == "up":
        if qi > 0:
            doc["pages"][pi]["questions"].insert(qi - 1, question)
        elif pi > 0:
            doc["pages"][pi - 1]["questions"].append(question)
        else:
            doc["pages"][pi]["questions"].insert(0, question)
    elif direction == "down":
        row = doc["pages"][pi]["questions"]
        if qi < len(row):
            row.insert(qi + 1, question)
        elif pi + 1 < len(doc["pages"]):
            doc["pages"][pi + 1]["questions"].insert(0, question)
        else:
            row.append(question)
    else:
        target = _page_index(doc, page) if page else pi
        try:
            at = int(position)
        except ValueError:
            raise InvalidInput("Choose where to move it.", field="position") from None
        row = doc["pages"][target]["questions"]
        row.insert(max(0, min(at, len(row))), question)
    _drop_empty_pages(doc)


@router.post("/questions/{question_key}/move", dependencies=[Depends(verify_csrf)])
def move_question(
    request: Request,
    ctx: Editor,
    survey_id: uuid.UUID,
    question_key: str,
    direction: Annotated[Direction, Form()] = "",
    page: Annotated[str, Form(max_length=80)] = "",
    position: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    key = _check_key(question_key)
    return _save(
        request,
        ctx,
        survey_id,
        lambda doc: _move_question(doc, key, direction, page, position),
        done="moved",
        error_at=f"q-{key}",
        prefix=_question_prefix(key),
        known=QUESTION_FIELDS,
        anchor=f"q-{key}",
    )


@router.post("/questions/{question_key}/delete", dependencies=[Depends(verify_csrf)])
def delete_question(
    request: Request, ctx: Editor, survey_id: uuid.UUID, question_key: str
) -> Response:
    key = _check_key(question_key)

    def change(doc: dict[str, Any]) -> None:
        pi, qi = _locate(doc, key)
        if sum(len(p["questions"]) for p in doc["pages"]) == 1:
            raise InvalidInput("A survey needs at least one question.")
        del doc["pages"][pi]["questions"][qi]
        _drop_empty_pages(doc)

    return _save(
        request,
        ctx,
        survey_id,
        change,
        done="deleted",
        error_at=f"q-{key}",
        prefix=lambda _doc: "",
        known=QUESTION_FIELDS,
        anchor="pages",
    )


# --- pages ----------------------------------------------------------------------------------


@router.post("/pages/{page_key}", dependencies=[Depends(verify_csrf)])
def save_page(
    request: Request, ctx: Editor, survey_id: uuid.UUID, page_key: str, fields: Fields
) -> Response:
    def change(doc: dict[str, Any]) -> None:
        pi = _page_index(doc, page_key)
        doc["pages"][pi]["title"] = {
            lang: fields[f"title.{lang}"].strip()
            for lang in LANGUAGES
            if fields.get(f"title.{lang}", "").strip()
        }

    def prefix(doc: dict[str, Any]) -> str:
        return f"pages.{_page_index(doc, page_key)}"

    return _save(
        request,
        ctx,
        survey_id,
        change,
        done="page-saved",
        error_at=f"page-{page_key}",
        prefix=prefix,
        known=PAGE_FIELDS,
        form=fields,
        anchor=f"page-{page_key}",
    )


@router.post("/pages/{page_key}/move", dependencies=[Depends(verify_csrf)])
def move_page(
    request: Request,
    ctx: Editor,
    survey_id: uuid.UUID,
    page_key: str,
    direction: Annotated[Direction, Form()] = "",
) -> Response:
    def change(doc: dict[str, Any]) -> None:
        pi = _page_index(doc, page_key)
        at = pi - 1 if direction == "up" else pi + 1 if direction == "down" else pi
        at = max(0, min(at, len(doc["pages"]) - 1))
        doc["pages"].insert(at, doc["pages"].pop(pi))

    return _save(
        request,
        ctx,
        survey_id,
        change,
        done="moved",
        error_at=f"page-{page_key}",
        prefix=lambda _doc: "",
        known=PAGE_FIELDS,
        anchor=f"page-{page_key}",
    )


@router.post("/pages/{page_key}/delete", dependencies=[Depends(verify_csrf)])
def delete_page(request: Request, ctx: Editor, survey_id: uuid.UUID, page_key: str) -> Response:
    def change(doc: dict[str, Any]) -> None:
        pi = _page_index(doc, page_key)
        if len(doc["pages"]) == 1:
            raise InvalidInput("A survey needs at least one page.")
        del doc["pages"][pi]

    return _save(
        request,
        ctx,
        survey_id,
        change,
        done="page-deleted",
        error_at=f"page-{page_key}",
        prefix=lambda _doc: "",
        known=PAGE_FIELDS,
        anchor="pages",
    )


# --- the preview ----------------------------------------------------------------------------


def preview_context(definition: SurveyDefinition, lang: str, number: int) -> dict[str, Any]:
    """What the preview shows: each question as the respondent sees it in ``lang``."""
    default = definition.default_language

    def t(text: dict[str, str] | None) -> str:
        return text_in(text, lang, default)  # type: ignore[arg-type]

    pages = []
    for page in definition.pages:
        questions = []
        for q in page.questions:
            if q.type is QuestionType.HIDDEN:
                continue
            scale = q.effective_scale()
            if q.type is QuestionType.EMOTION and not q.choices:
                choices = [(k, f"{label.icon} {label.text(lang)}") for k, label in EMOTIONS.items()]
            else:
                choices = [(c.key, t(c.label)) for c in q.choices]  # type: ignore[arg-type]
            questions.append(
                {
                    "key": q.key,
                    "type": q.type.value,
                    "text": t(q.text),  # type: ignore[arg-type]
                    "help": t(q.help),  # type: ignore[arg-type]
                    "required": q.required,
                    "points": list(range(scale.min, scale.max + 1)) if scale else [],
                    "min_label": t(scale.min_label) if scale else "",  # type: ignore[arg-type]
                    "max_label": t(scale.max_label) if scale else "",  # type: ignore[arg-type]
                    "pair_form": q.pair_form.value if q.pair_form else "",
                    "expected_label": t(q.expected_label),  # type: ignore[arg-type]
                    "experienced_label": t(q.experienced_label),  # type: ignore[arg-type]
                    "choices": choices,
                    "multiple": q.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.EMOTION),
                    "conditional": q.show_if is not None,
                }
            )
        pages.append({"title": t(page.title), "questions": questions})  # type: ignore[arg-type]
    return {
        "lang": lang,
        "languages": definition.languages,
        "number": number,
        "title": t(definition.title),  # type: ignore[arg-type]
        "intro": t(definition.intro),  # type: ignore[arg-type]
        "thanks": t(definition.thanks),  # type: ignore[arg-type]
        "pages": pages,
        # The respondent's words, in the survey's language (Swedish too), not the UI's.
        "words": {
            "expected": gettext(lang, "What did you expect?"),
            "experienced": gettext(lang, "What did you get?"),
            "yes": gettext(lang, "Yes"),
            "no": gettext(lang, "No"),
            "at_the_end": gettext(lang, "At the end:"),
        },
        "page_of": lambda n, total: gettext(lang, "Page %(n)s of %(total)s", n=n, total=total),
    }


@router.get("/preview", response_class=HTMLResponse)
def preview(
    request: Request,
    ctx: Viewer,
    survey_id: uuid.UUID,
    lang: Annotated[str, Query(max_length=2)] = "",
    version: Annotated[int | None, Query(ge=1, le=100_000)] = None,
    partial_: Annotated[str, Query(alias="partial", max_length=1)] = "",
) -> Response:
    """The survey as a respondent would see it; ``partial=1`` answers the pane only (htmx)."""
    locale = locale_of(request)
    with ctx.transaction(readonly=True) as session:
        head = survey_head(session, ctx, survey_id, locale)
        found = service.get_version(session, ctx.org_actor, survey_id, version)
        definition = SurveyDefinition.model_validate(found.definition)
        number = found.number
    shown = lang if lang in definition.languages else definition.default_language
    template = "surveys/_preview.html" if partial_ == "1" else "surveys/preview.html"
    return render(
        request,
        template,
        active="feedback",
        tab="builder",
        **head_context(locale, head),
        preview=preview_context(definition, shown, number),
        version_param=version,
    )
