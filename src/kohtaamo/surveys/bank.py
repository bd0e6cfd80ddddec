"""The question bank: ready, tested wordings in Finnish, English and Swedish.

Statements for the three groups of customer-experience factors of Constantinides
(2004): content (information, offer, price), functional (finding, paying, speed,
help) and psychological (trust, welcome, data safety); and the templates of the
standard measures: NPS, CSAT, CES, repurchase intent, trust, overall satisfaction,
the expectation–experience pair in both forms, an open comment and emotions.

Statements are rated on a 1–5 agreement scale and measure the experience at the
touchpoint they are attached to (``bank_question(..., touchpoint=...)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from kohtaamo.errors import InvalidInput
from kohtaamo.journeys.catalogue import FactorGroup
from kohtaamo.journeys.ingest import problems_of
from kohtaamo.surveys.catalogue import MeasureRole, PairForm, QuestionType
from kohtaamo.surveys.definition import Question, Scale, text_in


@dataclass(frozen=True)
class BankItem:
    key: str
    factor_group: FactorGroup | None  # None: a measure template, not a factor statement
    question: Question

    @property
    def role(self) -> MeasureRole | None:
        return self.question.measure_role()

    def text(self, lang: str) -> str:
        return text_in(self.question.text, lang)


def _t(fi: str, en: str, sv: str) -> dict[str, str]:
    return {"fi": fi, "en": en, "sv": sv}


AGREE = Scale(
    min=1,
    max=5,
    min_label=_t("Täysin eri mieltä", "Strongly disagree", "Instämmer inte alls"),
    max_label=_t("Täysin samaa mieltä", "Strongly agree", "Instämmer helt"),
)


def _statement(
    key: str, group: FactorGroup, fi: str, en: str, sv: str, role: MeasureRole
) -> BankItem:
    question = Question(
        key=key,
        type=QuestionType.RATING,
        text=_t(fi, en, sv),
        scale=AGREE,
        role=role,
    )
    return BankItem(key, group, question)


def _template(key: str, **fields: Any) -> BankItem:
    return BankItem(key, None, Question.model_validate({"key": key, **fields}))


C, F, P = FactorGroup.CONTENT, FactorGroup.FUNCTIONAL, FactorGroup.PSYCHOLOGICAL
XP = MeasureRole.EXPERIENCE

FACTOR_ITEMS: tuple[BankItem, ...] = (
    # content: information and the offer
    _statement(
        "info_clear",
        C,
        "Tiedot olivat selkeitä ja helposti ymmärrettäviä.",
        "The information was clear and easy to understand.",
        "Informationen var tydlig och lätt att förstå.",
        XP,
    ),
    _statement(
        "info_enough",
        C,
        "Sain kaikki tarvitsemani tiedot.",
        "I got all the information I needed.",
        "Jag fick all information jag behövde.",
        XP,
    ),
    _statement(
        "price_as_expected",
        C,
        "Hinta vastasi odotuksiani.",
        "The price was what I expected.",
        "Priset motsvarade mina förväntningar.",
        XP,
    ),
    _statement(
        "offer_met_needs",
        C,
        "Tarjonta vastasi tarpeitani.",
        "The offer met my needs.",
        "Utbudet motsvarade mina behov.",
        XP,
    ),
    # functional: usability, speed, interactivity
    _statement(
        "easy_to_find",
        F,
        "Löysin etsimäni helposti.",
        "It was easy to find what I was looking for.",
        "Det var lätt att hitta det jag letade efter.",
        XP,
    ),
    _statement(
        "easy_to_pay",
        F,
        "Maksaminen oli helppoa.",
        "Paying was easy.",
        "Det var enkelt att betala.",
        XP,
    ),
    _statement(
        "fast_delivery",
        F,
        "Toimitus oli nopea.",
        "The delivery was fast.",
        "Leveransen var snabb.",
        XP,
    ),
    _statement(
        "staff_could_help",
        F,
        "Henkilökunta osasi auttaa minua.",
        "The staff were able to help me.",
        "Personalen kunde hjälpa mig.",
        XP,
    ),
    _statement(
        "quick_service",
        F,
        "Asiointi sujui nopeasti.",
        "Everything went quickly.",
        "Allt gick snabbt.",
        XP,
    ),
    # psychological: trust, security, risk
    _statement(
        "felt_trustworthy",
        P,
        "Yritys vaikutti luotettavalta.",
        "The company felt trustworthy.",
        "Företaget kändes pålitligt.",
        MeasureRole.TRUST,
    ),
    _statement(
        "felt_welcome",
        P,
        "Tunsin itseni tervetulleeksi.",
        "I felt welcome.",
        "Jag kände mig välkommen.",
        XP,
    ),
    _statement(
        "data_felt_safe",
        P,
        "Tunsin, että tietoni olivat turvassa.",
        "I felt my personal data was safe with you.",
        "Jag kände att mina personuppgifter var trygga hos er.",
        XP,
    ),
    _statement(
        "felt_heard",
        P,
        "Minua kuunneltiin.",
        "I felt listened to.",
        "Jag kände att ni lyssnade på mig.",
        XP,
    ),
)

LIKELY = {
    "min_label": _t("Erittäin epätodennäköisesti", "Very unlikely", "Mycket osannolikt"),
    "max_label": _t("Erittäin todennäköisesti", "Very likely", "Mycket troligt"),
}
SATISFIED = {
    "min_label": _t("Erittäin tyytymätön", "Very dissatisfied", "Mycket missnöjd"),
    "max_label": _t("Erittäin tyytyväinen", "Very satisfied", "Mycket nöjd"),
}

TEMPLATES: tuple[BankItem, ...] = (
    _template(
        "nps",
        type=QuestionType.NPS,
        required=True,
        text=_t(
            "Kuinka todennäköisesti suosittelisit meitä ystävällesi tai kollegallesi?",
            "How likely are you to recommend us to a friend or colleague?",
            "Hur troligt är det att du skulle rekommendera oss till en vän eller kollega?",
        ),
        scale={
            "min": 0,
            "max": 10,
            "min_label": _t(
                "En lainkaan todennäköisesti", "Not at all likely", "Inte alls troligt"
            ),
            "max_label": _t("Erittäin todennäköisesti", "Extremely likely", "Mycket troligt"),
        },
    ),
    _template(
        "csat",
        type=QuestionType.CSAT,
        required=True,
        text=_t(
            "Kuinka tyytyväinen olit saamaasi palveluun?",
            "How satisfied were you with the service you received?",
            "Hur nöjd var du med den service du fick?",
        ),
        scale={"min": 1, "max": 5, **SATISFIED},
    ),
    _template(
        "ces",
        type=QuestionType.CES,
        required=True,
        text=_t(
            "Teitte asiani hoitamisesta minulle helppoa.",
            "You made it easy for me to handle my issue.",
            "Ni gjorde det lätt för mig att sköta mitt ärende.",
        ),
        scale={
            "min": 1,
            "max": 7,
            "min_label": AGREE.min_label,
            "max_label": AGREE.max_label,
        },
    ),
    _template(
        "repurchase_intent",
        type=QuestionType.RATING,
        role=MeasureRole.REPURCHASE_INTENT,
        text=_t(
            "Kuinka todennäköisesti asioit kanssamme uudelleen?",
            "How likely are you to buy from us again?",
            "Hur troligt är det att du handlar av oss igen?",
        ),
        scale={"min": 1, "max": 5, **LIKELY},
    ),
    _template(
        "trust",
        type=QuestionType.RATING,
        role=MeasureRole.TRUST,
        text=_t(
            "Luotan siihen, että pidätte lupauksenne.",
            "I trust you to keep your promises.",
            "Jag litar på att ni håller vad ni lovar.",
        ),
        scale=AGREE,
    ),
    _template(
        "overall_satisfaction",
        type=QuestionType.CSAT,
        role=MeasureRole.OVERALL_SATISFACTION,
        text=_t(
            "Kaiken kaikkiaan, kuinka tyytyväinen olet meihin?",
            "Overall, how satisfied are you with us?",
            "Hur nöjd är du med oss överlag?",
        ),
        scale={"min": 1, "max": 5, **SATISFIED},
    ),
    _template(
        "expectation_experience",
        type=QuestionType.EXPECTATION_EXPERIENCE,
        pair_form=PairForm.DOUBLE,
        text=_t(
            "Palvelun sujuvuus",
            "How smoothly things went",
            "Hur smidigt allt gick",
        ),
        help=_t(
            "Arvioi ensin, mitä odotit, ja sitten, mitä koit.",
            "Rate first what you expected, then what you experienced.",
            "Bedöm först vad du förväntade dig och sedan vad du upplevde.",
        ),
        expected_label=_t("Mitä odotit", "What you expected", "Vad du förväntade dig"),
        experienced_label=_t("Mitä koit", "What you experienced", "Vad du upplevde"),
        scale={
            "min": 1,
            "max": 5,
            "min_label": _t("Erittäin huono", "Very poor", "Mycket dålig"),
            "max_label": _t("Erinomainen", "Excellent", "Utmärkt"),
        },
    ),
    _template(
        "expectation_gap",
        type=QuestionType.EXPECTATION_EXPERIENCE,
        pair_form=PairForm.COMPARED,
        text=_t(
            "Miten kokemuksesi vastasi odotuksiasi?",
            "How did your experience compare with what you expected?",
            "Hur motsvarade upplevelsen dina förväntningar?",
        ),
        scale={
            "min": -2,
            "max": 2,
            "min_label": _t(
                "Paljon odotettua huonompi", "Much worse than expected", "Mycket sämre än väntat"
            ),
            "max_label": _t(
                "Paljon odotettua parempi", "Much better than expected", "Mycket bättre än väntat"
            ),
        },
    ),
    _template(
        "comment",
        type=QuestionType.TEXT,
        text=_t(
            "Mitä voisimme tehdä paremmin?",
            "What could we do better?",
            "Vad kunde vi göra bättre?",
        ),
        max_length=2000,
    ),
    _template(
        "emotions",
        type=QuestionType.EMOTION,
        text=_t(
            "Millaisia tunteita asiointi sinussa herätti?",
            "How did the visit make you feel?",
            "Vilka känslor väckte besöket hos dig?",
        ),
    ),
)

QUESTION_BANK: tuple[BankItem, ...] = FACTOR_ITEMS + TEMPLATES
BANK_BY_KEY: dict[str, BankItem] = {item.key: item for item in QUESTION_BANK}


def bank_items(factor_group: FactorGroup | None = None) -> list[BankItem]:
    """The statements of one factor group, or (None) the measure templates."""
    return [item for item in QUESTION_BANK if item.factor_group == factor_group]


def bank_question(
    key: str, *, new_key: str | None = None, touchpoint: str | None = None
) -> Question:
    """A bank question ready to put in a survey, under ``new_key`` and tied to ``touchpoint``."""
    item = BANK_BY_KEY.get(key)
    if item is None:
        raise InvalidInput("The question bank has no question with this key.", field="key")
    if new_key is None and touchpoint is None:
        return item.question
    data = item.question.model_dump()
    data["key"] = new_key or item.question.key
    data["touchpoint"] = touchpoint
    try:
        return Question.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(problems=problems_of(exc)) from exc
