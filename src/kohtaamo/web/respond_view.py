"""The respondent's form: which questions a page shows, how each is drawn, what was sent.

The respondent pages have their own minimal layout (no staff navigation, the survey's
languages in the switcher) and speak the respondent's language, Swedish included.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from kohtaamo.errors import FieldProblem
from kohtaamo.i18n import N_, gettext
from kohtaamo.surveys.answers import MAX_HIDDEN_LENGTH, visible
from kohtaamo.surveys.catalogue import EMOTIONS, PairForm, QuestionType
from kohtaamo.surveys.definition import I18nText, Page, Question, SurveyDefinition, text_in
from kohtaamo.web.render import templates

# Each language named in itself, so that anyone finds theirs.
LANGUAGE_NAMES = {"fi": "Suomi", "en": "English", "sv": "Svenska"}

# End labels of the fixed scales when the survey gives none.
DEFAULT_ENDS: dict[QuestionType, tuple[str, str]] = {
    QuestionType.NPS: (N_("Not at all likely"), N_("Extremely likely")),
    QuestionType.CSAT: (N_("Very dissatisfied"), N_("Very satisfied")),
    QuestionType.CES: (N_("Strongly disagree"), N_("Strongly agree")),
    QuestionType.EXPECTATION_EXPERIENCE: (N_("Very poor"), N_("Excellent")),
}
# The compared form's default five points, each in words.
COMPARED_POINTS = (
    N_("Much worse than expected"),
    N_("Worse than expected"),
    N_("As expected"),
    N_("Better than expected"),
    N_("Much better than expected"),
)
PAIR_ROWS = (("expected", N_("What I expected")), ("experienced", N_("What I got")))
SCALES = (QuestionType.NPS, QuestionType.CSAT, QuestionType.CES, QuestionType.RATING)


@dataclass
class QuestionView:
    """One question as the template draws it; ``widget`` picks the macro."""

    key: str
    widget: str  # scale, pair, single, multiple, text, yes_no
    text: str
    help: str
    required: bool
    points: list[tuple[str, str]] = field(default_factory=list)  # (value, visible label)
    ends: tuple[str, str] = ("", "")
    worded: bool = False  # every point has words (the compared form)
    rows: list[tuple[str, str]] = field(default_factory=list)  # pair: (part, label)
    choices: list[tuple[str, str, str]] = field(default_factory=list)  # (key, label, emoji)
    max_choices: int | None = None
    max_length: int = 0
    show_if: str = ""  # JSON of a condition on a question of the same page, for respond.js


def _text(value: I18nText | None, lang: str, definition: SurveyDefinition) -> str:
    return text_in(value, lang, definition.default_language)


def question_view(
    q: Question, lang: str, definition: SurveyDefinition, same_page: set[str]
) -> QuestionView:
    _ = partial(gettext, lang)
    view = QuestionView(
        q.key, "text", _text(q.text, lang, definition), _text(q.help, lang, definition), q.required
    )
    if q.show_if is not None and q.show_if.question in same_page:
        view.show_if = json.dumps(q.show_if.model_dump(), separators=(",", ":"))
    scale = q.effective_scale()
    if scale is not None and (q.type in SCALES or q.type is QuestionType.EXPECTATION_EXPERIENCE):
        default_ends = DEFAULT_ENDS.get(q.type, ("", ""))
        view.ends = (
            _text(scale.min_label, lang, definition)
            or (_(default_ends[0]) if default_ends[0] else ""),
            _text(scale.max_label, lang, definition)
            or (_(default_ends[1]) if default_ends[1] else ""),
        )
        values = range(scale.min, scale.max + 1)
        view.points = [(str(v), str(v)) for v in values]
        view.widget = "scale"
        if q.type is QuestionType.EXPECTATION_EXPERIENCE and q.pair_form is PairForm.DOUBLE:
            view.widget = "pair"
            labels = (q.expected_label, q.experienced_label)
            view.rows = [
                (part, _text(own, lang, definition) or _(default))
                for (part, default), own in zip(PAIR_ROWS, labels, strict=True)
            ]
        elif q.type is QuestionType.EXPECTATION_EXPERIENCE:
            if len(values) == len(COMPARED_POINTS) and not (scale.min_label or scale.max_label):
                view.points = [(str(v), _(w)) for v, w in zip(values, COMPARED_POINTS, strict=True)]
                view.worded = True
            else:
                view.ends = (
                    _text(scale.min_label, lang, definition) or _(COMPARED_POINTS[0]),
                    _text(scale.max_label, lang, definition) or _(COMPARED_POINTS[-1]),
                )
    elif q.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        view.widget = "single" if q.type is QuestionType.SINGLE_CHOICE else "multiple"
        view.choices = [(c.key, _text(c.label, lang, definition), "") for c in q.choices]
        view.max_choices = q.max_choices
    elif q.type is QuestionType.EMOTION:
        view.widget = "multiple"
        own = {c.key: _text(c.label, lang, definition) for c in q.choices}
        view.choices = [
            (
                key,
                own.get(key) or (EMOTIONS[key].text(lang) if key in EMOTIONS else key),
                EMOTIONS[key].icon if key in EMOTIONS else "",
            )
            for key in q.choice_keys()
        ]
        view.max_choices = q.max_choices
    elif q.type is QuestionType.YES_NO:
        view.widget = "single"
        view.choices = [("yes", _("Yes"), ""), ("no", _("No"), "")]
    else:
        view.max_length = q.max_length
    return view


def _as_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    return "" if value is None else str(value)


def page_values(questions: list[Question], answers: dict[str, Any]) -> dict[str, Any]:
    """The answers to these questions as the form's values (strings, lists, pairs)."""
    return {q.key: _as_text(answers.get(q.key)) for q in questions if q.key in answers}


def switcher(request: Request, slug: str, languages: list[str], invitation: str) -> list[Any]:
    """(code, name, address) per survey language, keeping the link's other parameters."""
    query = dict(request.query_params) if request.method == "GET" else {}
    if invitation:
        query["t"] = invitation
    out = []
    for code in languages:
        params = urlencode({**query, "lang": code})
        out.append((code, LANGUAGE_NAMES.get(code, code), f"/s/{slug}?{params}"))
    return out


def render_respondent(
    request: Request,
    template: str,
    lang: str,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    """A respondent page in ``lang``; ``definition`` (when known) gives its texts."""
    definition: SurveyDefinition | None = values.get("definition")
    languages = definition.languages if definition else values.pop("survey_languages", [])
    slug = str(values.get("slug", ""))
    context = {
        "lang": lang,
        "_": partial(gettext, lang),
        "text": (lambda v: _text(v, lang, definition)) if definition else (lambda v: ""),
        "view": (
            (lambda q, here: question_view(q, lang, definition, here)) if definition else None
        ),
        "languages": switcher(request, slug, list(languages), values.get("invitation_token", ""))
        if slug and len(languages) > 1
        else [],
        **values,
    }
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    response.headers["content-language"] = lang
    response.headers.update(headers or {})
    return response


# --- the form: what a page shows and what it sent ---------------------------------------


def shown_on_page(
    definition: SurveyDefinition, page: Page, answers: dict[str, Any]
) -> list[Question]:
    """The page's questions to show: visible given earlier answers, or depending on a
    question of this same page (which the respondent answers here; see respond.js)."""
    seen = {q.key for q in visible(definition, answers)}
    here: set[str] = set()
    out = []
    for q in page.questions:
        if q.type is QuestionType.HIDDEN:
            continue
        if q.key in seen or (q.show_if is not None and q.show_if.question in here):
            here.add(q.key)
            out.append(q)
    return out


def next_page(definition: SurveyDefinition, answers: dict[str, Any], done: set[str]) -> Page | None:
    """The first page not yet sent that has a question to show."""
    for page in definition.pages:
        if page.key not in done and shown_on_page(definition, page, answers):
            return page
    return None


def form_answers(form: FormData, questions: list[Question]) -> dict[str, Any]:
    """A page's answers as ``answers`` expects them; unanswered questions are cleared."""
    out: dict[str, Any] = {}
    for q in questions:
        name = f"q:{q.key}"
        if q.type is QuestionType.EXPECTATION_EXPERIENCE and q.pair_form is PairForm.DOUBLE:
            pair = {p: form.get(f"{name}:{p}") for p in ("expected", "experienced")}
            out[q.key] = {p: v for p, v in pair.items() if v not in (None, "")} or None
        elif q.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.EMOTION):
            out[q.key] = [v for v in form.getlist(name) if isinstance(v, str)] or None
        else:
            value = form.get(name)
            out[q.key] = value if isinstance(value, str) and value != "" else None
    return out


def hidden_from_link(request: Request, definition: SurveyDefinition) -> dict[str, str]:
    found = {}
    for q in definition.questions():
        value = request.query_params.get(q.key) if q.type is QuestionType.HIDDEN else None
        if value:
            found[q.key] = "".join(ch for ch in value if ch.isprintable())[:MAX_HIDDEN_LENGTH]
    return found


def field_errors(
    problems: list[FieldProblem], page: Page, language: str
) -> tuple[dict[str, str], list[str]]:
    """Messages by question key of the page, and those that belong to no question."""
    keys = {q.key for q in page.questions if q.type is not QuestionType.HIDDEN}
    by_key: dict[str, str] = {}
    general: list[str] = []
    for problem in problems:
        name = problem.field.removeprefix("answers.")
        for suffix in ("", ".expected", ".experienced"):
            key = name.removesuffix(suffix) if suffix else name
            if key in keys:
                break
        else:
            key = ""
        text = gettext(language, problem.message, **problem.params)
        if key:
            by_key.setdefault(key, text)
        elif text not in general:
            general.append(text)
    return by_key, general
