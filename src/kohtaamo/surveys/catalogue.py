"""Catalogues of the survey domain, declared once: question types, measure roles,
response channels, emotions and respondent languages.

The builder, the API (as enums), the importers, the analytics and the docs read these.
"""

from __future__ import annotations

from enum import StrEnum

from kohtaamo.journeys.catalogue import Label

LANGUAGES = ("fi", "en", "sv")
"""Respondent languages. The staff UI is in Finnish and English; surveys also in Swedish."""


class QuestionType(StrEnum):
    NPS = "nps"  # 0–10, "how likely are you to recommend"
    CSAT = "csat"  # 1–5 satisfaction
    CES = "ces"  # 1–7 effort ("the company made it easy for me")
    RATING = "rating"  # a custom range with end labels
    EXPECTATION_EXPERIENCE = "expectation_experience"  # the same item rated twice, or compared
    EMOTION = "emotion"  # choose the feelings the encounter left
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TEXT = "text"
    YES_NO = "yes_no"
    HIDDEN = "hidden"  # set from the link, the widget or the API, never shown


class PairForm(StrEnum):
    """How an expectation–experience item is asked."""

    DOUBLE = "double"  # "what did you expect" and "what did you get", on the same scale
    COMPARED = "compared"  # one scale: "compared with what you expected" (worse … better)


class MeasureRole(StrEnum):
    """What a question measures; the analytics read answers by role, not by wording."""

    NPS = "nps"
    CSAT = "csat"
    CES = "ces"
    EXPECTATION = "expectation"
    EXPERIENCE = "experience"
    EXPECTATION_GAP = "expectation_gap"  # the compared form: negative = short of expectations
    REPURCHASE_INTENT = "repurchase_intent"
    TRUST = "trust"
    OVERALL_SATISFACTION = "overall_satisfaction"
    EMOTION = "emotion"
    COMMENT = "comment"
    OTHER = "other"


class ResponseChannel(StrEnum):
    LINK = "link"
    EMAIL = "email"
    WIDGET = "widget"
    QR = "qr"
    API = "api"
    KIOSK = "kiosk"


class SurveyStatus(StrEnum):
    DRAFT = "draft"  # being built; the public link answers 404
    OPEN = "open"  # published and taking responses
    CLOSED = "closed"  # published once, no longer taking responses (410)


class SurveyKind(StrEnum):
    TOUCHPOINT = "touchpoint"  # asked right after one encounter
    RELATIONSHIP = "relationship"  # asked of the whole relationship (e.g. yearly NPS)


FIXED_SCALES: dict[QuestionType, tuple[int, int]] = {
    QuestionType.NPS: (0, 10),
    QuestionType.CSAT: (1, 5),
    QuestionType.CES: (1, 7),
}

DEFAULT_ROLES: dict[QuestionType, MeasureRole] = {
    QuestionType.NPS: MeasureRole.NPS,
    QuestionType.CSAT: MeasureRole.CSAT,
    QuestionType.CES: MeasureRole.CES,
    QuestionType.EMOTION: MeasureRole.EMOTION,
    QuestionType.TEXT: MeasureRole.COMMENT,
}

# Emotions after Plutchik's basic feelings, worded as customers describe encounters.
EMOTIONS: dict[str, Label] = {
    "joy": Label("Ilahtunut", "Delighted", "Glad", "😊"),
    "trust": Label("Luottavainen", "Confident", "Trygg", "🤝"),
    "surprise": Label("Yllättynyt", "Surprised", "Överraskad", "😮"),
    "anticipation": Label("Innostunut", "Excited", "Förväntansfull", "✨"),
    "relief": Label("Helpottunut", "Relieved", "Lättad", "😌"),
    "sadness": Label("Pettynyt", "Disappointed", "Besviken", "😞"),
    "anger": Label("Ärtynyt", "Annoyed", "Irriterad", "😠"),
    "fear": Label("Epävarma", "Uncertain", "Osäker", "😟"),
    "disgust": Label("Turhautunut", "Frustrated", "Frustrerad", "😤"),
    "indifference": Label("Välinpitämätön", "Indifferent", "Likgiltig", "😐"),
}

QUESTION_TYPES: dict[QuestionType, Label] = {
    QuestionType.NPS: Label("Suositteluhalukkuus (NPS)", "Net Promoter Score", "NPS"),
    QuestionType.CSAT: Label("Tyytyväisyys (CSAT)", "Satisfaction (CSAT)", "Nöjdhet (CSAT)"),
    QuestionType.CES: Label("Vaivattomuus (CES)", "Effort (CES)", "Ansträngning (CES)"),
    QuestionType.RATING: Label("Asteikko", "Rating scale", "Skala"),
    QuestionType.EXPECTATION_EXPERIENCE: Label(
        "Odotus ja kokemus", "Expectation and experience", "Förväntan och upplevelse"
    ),
    QuestionType.EMOTION: Label("Tunteet", "Emotions", "Känslor"),
    QuestionType.SINGLE_CHOICE: Label("Yksi vaihtoehto", "Single choice", "Ett alternativ"),
    QuestionType.MULTIPLE_CHOICE: Label("Monta vaihtoehtoa", "Multiple choice", "Flera alternativ"),
    QuestionType.TEXT: Label("Avoin vastaus", "Free text", "Fritext"),
    QuestionType.YES_NO: Label("Kyllä / ei", "Yes / no", "Ja / nej"),
    QuestionType.HIDDEN: Label("Piilotettu kenttä", "Hidden field", "Dolt fält"),
}

MEASURE_ROLES: dict[MeasureRole, Label] = {
    MeasureRole.NPS: Label("NPS", "NPS", "NPS"),
    MeasureRole.CSAT: Label("Tyytyväisyys", "Satisfaction", "Nöjdhet"),
    MeasureRole.CES: Label("Vaivattomuus", "Effort", "Ansträngning"),
    MeasureRole.EXPECTATION: Label("Odotus", "Expectation", "Förväntan"),
    MeasureRole.EXPERIENCE: Label("Kokemus", "Experience", "Upplevelse"),
    MeasureRole.EXPECTATION_GAP: Label(
        "Kokemus odotukseen verrattuna",
        "Experience against expectation",
        "Upplevelse mot förväntan",
    ),
    MeasureRole.REPURCHASE_INTENT: Label(
        "Uudelleenostoaikomus", "Repurchase intent", "Återköpsavsikt"
    ),
    MeasureRole.TRUST: Label("Luottamus", "Trust", "Förtroende"),
    MeasureRole.OVERALL_SATISFACTION: Label(
        "Kokonaistyytyväisyys", "Overall satisfaction", "Total nöjdhet"
    ),
    MeasureRole.EMOTION: Label("Tunteet", "Emotions", "Känslor"),
    MeasureRole.COMMENT: Label("Kommentti", "Comment", "Kommentar"),
    MeasureRole.OTHER: Label("Muu", "Other", "Annat"),
}
