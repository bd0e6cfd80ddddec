"""The embeddable widget's side of surveys: what it is shown, what it may send, from where.

The widget script (``web/static/widget/kohtaamo-widget.js``) runs on the organisation's
own site, so its requests are cross-origin: only the origins a survey lists in
``settings.allowed_origins`` are answered with CORS approval, and a submission from any
other origin (or none) is refused before anything is stored. The words the widget shows
around the questions are declared here in fi/en/sv, like the other catalogues, because
respondents also answer in Swedish.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from kohtaamo.journeys.catalogue import Label
from kohtaamo.surveys.catalogue import EMOTIONS, PairForm, QuestionType
from kohtaamo.surveys.definition import Lang, Question, Scale, SurveyDefinition, text_in
from kohtaamo.surveys.schemas import AnswerValue, StrictModel, SurveySettings, WidgetSettings

# --- the words around the questions ---------------------------------------------------

WIDGET_WORDS: dict[str, Label] = {
    "send": Label("Lähetä", "Send", "Skicka"),
    "next": Label("Seuraava", "Next", "Nästa"),
    "back": Label("Edellinen", "Back", "Tillbaka"),
    "close": Label("Sulje", "Close", "Stäng"),
    "yes": Label("Kyllä", "Yes", "Ja"),
    "no": Label("Ei", "No", "Nej"),
    "required": Label(
        "Vastaa tähän kysymykseen.", "Please answer this question.", "Svara på frågan."
    ),
    "error": Label(
        "Vastausta ei voitu lähettää. Yritä uudelleen.",
        "The answer could not be sent. Please try again.",
        "Svaret kunde inte skickas. Försök igen.",
    ),
    "thanks": Label("Kiitos vastauksestasi!", "Thank you for your answer!", "Tack för ditt svar!"),
    "expected": Label("Mitä odotit?", "What did you expect?", "Vad förväntade du dig?"),
    "experienced": Label("Mitä koit?", "What did you experience?", "Vad upplevde du?"),
    "nps_min": Label("En lainkaan todennäköisesti", "Not at all likely", "Inte alls troligt"),
    "nps_max": Label("Erittäin todennäköisesti", "Extremely likely", "Mycket troligt"),
    "csat_min": Label("Erittäin tyytymätön", "Very dissatisfied", "Mycket missnöjd"),
    "csat_max": Label("Erittäin tyytyväinen", "Very satisfied", "Mycket nöjd"),
    "ces_min": Label("Täysin eri mieltä", "Strongly disagree", "Helt oenig"),
    "ces_max": Label("Täysin samaa mieltä", "Strongly agree", "Helt enig"),
    "pair_min": Label("Odotettua huonompi", "Worse than expected", "Sämre än väntat"),
    "pair_max": Label("Odotettua parempi", "Better than expected", "Bättre än väntat"),
    "rating_min": Label("Huono", "Poor", "Dålig"),
    "rating_max": Label("Erinomainen", "Excellent", "Utmärkt"),
}

_END_LABELS: dict[QuestionType, str] = {
    QuestionType.NPS: "nps",
    QuestionType.CSAT: "csat",
    QuestionType.CES: "ces",
    QuestionType.RATING: "rating",
}


def words(lang: str) -> dict[str, str]:
    return {key: label.text(lang) for key, label in WIDGET_WORDS.items()}


# --- the survey as the widget gets it ------------------------------------------------


class PublicScale(BaseModel):
    min: int
    max: int
    min_label: str
    max_label: str


class PublicChoice(BaseModel):
    key: str
    label: str
    icon: str = ""


class PublicQuestion(BaseModel):
    key: str
    type: QuestionType
    text: str
    help: str
    required: bool
    scale: PublicScale | None = None
    pair_form: PairForm | None = None
    expected_label: str = ""
    experienced_label: str = ""
    choices: list[PublicChoice] = Field(default_factory=list)
    max_choices: int | None = None
    max_length: int = 2000
    show_if: dict[str, Any] | None = None


class PublicPage(BaseModel):
    key: str
    title: str
    questions: list[PublicQuestion]


class LocalisedSurvey(BaseModel):
    """The live definition in one language, with defaults filled in for the widget."""

    title: str
    intro: str
    thanks: str
    pages: list[PublicPage]
    words: dict[str, str]


class PublicSurveyOut(BaseModel):
    slug: str
    version: int
    language: Lang | None = Field(description="The language of `survey`; null: all languages")
    languages: list[Lang]
    widget: WidgetSettings
    survey: LocalisedSurvey | None = Field(
        default=None, description="The questions in `language` (when a language was asked)"
    )
    definition: SurveyDefinition | None = Field(
        default=None, description="The whole definition (when no language was asked)"
    )


def pick_language(definition: SurveyDefinition, wanted: str | None) -> Lang:
    """``wanted`` if the survey has it, else the survey's default language."""
    for lang in definition.languages:
        if lang == wanted:
            return lang
    return definition.default_language


def _scale(q: Question, lang: str, fallback: str) -> PublicScale | None:
    scale: Scale | None = q.effective_scale()
    if scale is None:
        return None
    base = "pair" if q.type is QuestionType.EXPECTATION_EXPERIENCE else _END_LABELS.get(q.type)
    if q.pair_form is PairForm.DOUBLE:
        base = "rating"
    return PublicScale(
        min=scale.min,
        max=scale.max,
        min_label=text_in(scale.min_label, lang, fallback)
        or (WIDGET_WORDS[f"{base}_min"].text(lang) if base else ""),
        max_label=text_in(scale.max_label, lang, fallback)
        or (WIDGET_WORDS[f"{base}_max"].text(lang) if base else ""),
    )


def _choices(q: Question, lang: str, fallback: str) -> list[PublicChoice]:
    if q.type is QuestionType.EMOTION and not q.choices:
        return [PublicChoice(key=k, label=v.text(lang), icon=v.icon) for k, v in EMOTIONS.items()]
    return [PublicChoice(key=c.key, label=text_in(c.label, lang, fallback)) for c in q.choices]


def localise(definition: SurveyDefinition, lang: Lang) -> LocalisedSurvey:
    fallback = definition.default_language

    def t(text: dict[Any, str]) -> str:
        return text_in(text, lang, fallback)

    pages = [
        PublicPage(
            key=page.key,
            title=t(page.title),
            questions=[
                PublicQuestion(
                    key=q.key,
                    type=q.type,
                    text=t(q.text),
                    help=t(q.help),
                    required=q.required,
                    scale=_scale(q, lang, fallback),
                    pair_form=q.pair_form,
                    expected_label=t(q.expected_label) or WIDGET_WORDS["expected"].text(lang),
                    experienced_label=t(q.experienced_label)
                    or WIDGET_WORDS["experienced"].text(lang),
                    choices=_choices(q, lang, fallback),
                    max_choices=q.max_choices,
                    max_length=q.max_length,
                    show_if=q.show_if.model_dump(mode="json") if q.show_if else None,
                )
                for q in page.questions
            ],
        )
        for page in definition.pages
    ]
    return LocalisedSurvey(
        title=t(definition.title),
        intro=t(definition.intro),
        thanks=t(definition.thanks) or WIDGET_WORDS["thanks"].text(lang),
        pages=pages,
        words=words(lang),
    )


# --- what the widget sends --------------------------------------------------------------

WidgetKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,80}$")]


class PublicResponseIn(StrictModel):
    """A response from the widget. ``website`` is the honeypot: people never fill it in."""

    answers: dict[Annotated[str, StringConstraints(max_length=80)], AnswerValue] = Field(
        max_length=200
    )
    language: Lang = "fi"
    finished: bool = True
    idempotency_key: WidgetKey = Field(
        description="Random, made by the widget once per answer; a retry sends it again"
    )
    started_at: AwareDatetime | None = None
    page: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        default=None, description="The address (without query) the widget was shown on"
    )
    website: Annotated[str, StringConstraints(max_length=200)] = ""


class PublicSubmitOut(BaseModel):
    created: bool = Field(description="false: a retry found the response stored earlier")
    finished: bool
    thanks: str


def submission_key(key: str) -> str:
    """The widget's key, kept apart from keys that API clients choose for themselves."""
    return f"widget:{key}"


# --- CORS ------------------------------------------------------------------------------

PREFLIGHT_MAX_AGE_S = 600


def allowed_origin(settings: SurveySettings, origin: str | None) -> str | None:
    """The request's Origin if the survey lists it exactly, else None.

    Browsers send origins in lower case without a default port or a trailing slash,
    which is how ``SurveySettings`` stores them; ``null`` (sandboxed frames, files)
    and a missing header never match.
    """
    if not origin or origin == "null":
        return None
    return origin if origin in settings.allowed_origins else None


def cors_headers(origin: str | None) -> dict[str, str]:
    """Headers of an answer to ``origin`` (None: not approved, but caches must still vary)."""
    headers = {"Vary": "Origin"}
    if origin is not None:
        headers["Access-Control-Allow-Origin"] = origin
    return headers


def preflight_headers(origin: str) -> dict[str, str]:
    return cors_headers(origin) | {
        "Access-Control-Allow-Methods": "GET, POST",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE_S),
    }


READS_PER_MINUTE = 120  # per client address: definition fetches and preflights
