"""The survey builder's preview: the survey as a respondent would see it, in each of its
languages, for any version."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from kohtaamo.http.context import locale_of
from kohtaamo.i18n import gettext
from kohtaamo.surveys import service
from kohtaamo.surveys.catalogue import EMOTIONS, QuestionType
from kohtaamo.surveys.definition import SurveyDefinition, text_in
from kohtaamo.web.deps import WebContext, page_permission
from kohtaamo.web.render import render
from kohtaamo.web.routes.survey_common import head_context, survey_head

router = APIRouter(prefix="/feedback/surveys/{survey_id}")

Viewer = Annotated[WebContext, Depends(page_permission("feedback.view"))]


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
