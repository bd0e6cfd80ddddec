"""How Elämys's customers answer the demo surveys: scores that vary believably.

Expectations and experiences differ by touchpoint (the show exceeds what people expect;
the invoice, arriving and parking fall short), by segment (companies and VIPs expect
more), by season (summer's outdoor events crowd the entrances) and over time (a new
checkout was released in May 2026). Each customer has a mood of their own, shared by all
their answers, so that a person's scores agree with each other. The comment, the
feelings and the effort follow the scores.

The planted key driver: each customer also has a leaning of their own at each touchpoint
(the gate they use, the queue they tend to meet), and their NPS moves with how the
touchpoints go for them, most with getting in (``NPS_WEIGHT``): the key-driver analysis
of the relationship survey must rank ``venue.entry`` first (tests/analytics/
test_drivers_demo.py).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from kohtaamo.demo.surveys_comments import Tone, comment_language, make_comment
from kohtaamo.surveys.catalogue import PairForm, QuestionType
from kohtaamo.surveys.definition import Question, SurveyDefinition

# Means on the 1–5 scale of the expectation–experience pairs, by touchpoint.
EXPECTED = {
    "venue.entry": 3.6,
    "event.show": 4.0,
    "web.checkout": 3.8,
    "corporate.event": 4.1,
    "catering.delivery": 3.9,
    "invoice": 3.7,
}
EXPERIENCED = {
    "venue.entry": 3.1,
    "event.show": 4.5,
    "web.checkout": 3.3,
    "corporate.event": 4.3,
    "catering.delivery": 3.7,
    "invoice": 2.8,
}
SEGMENT_EXPECTS_MORE = {"corporate": 0.5, "vip": 0.25}
NEW_CHECKOUT = datetime(2026, 5, 15, tzinfo=UTC)
NEW_CHECKOUT_GAIN = 0.7
SUMMER_ENTRY_LOSS = 0.4  # June–August: outdoor events, full car parks
SERVICE_GAP = {"consumer": -0.1, "corporate": -0.6}  # compared form, −2…2
DECEMBER_SERVICE_LOSS = 0.3  # the Christmas rush on the phones
BAR_CSAT = 3.3
NPS_MEAN = 7.6
GATES = ("paaovi", "sivuovi", "vip")
# NPS points per point of a touchpoint's own effect (the customer's leaning there and
# the season's): the entry queue decides most.
NPS_WEIGHT = {
    "venue.entry": 2.4,
    "event.show": 0.8,
    "web.checkout": 0.5,
    "invoice": 0.5,
    "corporate.event": 0.3,
    "catering.delivery": 0.2,
}
LEANING_SD = 0.6
LEANING_KEYS = tuple(EXPERIENCED)

EMOTIONS_BY_TONE: dict[Tone, tuple[str, ...]] = {
    "complaint": ("sadness", "anger", "disgust", "fear"),
    "mixed": ("indifference", "relief", "trust", "fear"),
    "praise": ("joy", "trust", "surprise", "anticipation"),
}
COMMENT_RATE: dict[Tone, float] = {"complaint": 0.6, "mixed": 0.25, "praise": 0.35}


@dataclass(frozen=True)
class Respondent:
    corporate: bool
    vip: bool
    mood: float  # the person's own leaning, shared by all their answers (about N(0, 0.5))
    language: str
    leaning: tuple[float, ...] = ()  # by LEANING_KEYS; () for someone unknown (all 0)


def leanings(seed: int, customers: int) -> npt.NDArray[np.float64]:
    """Each customer's own leaning at each touchpoint of ``LEANING_KEYS``."""
    rng = np.random.default_rng([seed, 98])
    return rng.normal(0.0, LEANING_SD, (customers, len(LEANING_KEYS)))


def _clip(value: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, round(value)))


def expectation(touchpoint: str, who: Respondent) -> float:
    more = SEGMENT_EXPECTS_MORE["corporate"] if who.corporate else 0.0
    return EXPECTED[touchpoint] + more + (SEGMENT_EXPECTS_MORE["vip"] if who.vip else 0.0)


def own_effect(touchpoint: str, who: Respondent, at: datetime) -> float:
    """What is particular to this touchpoint for this person now: their leaning there,
    the season, the new checkout."""
    effect = who.leaning[LEANING_KEYS.index(touchpoint)] if who.leaning else 0.0
    if touchpoint == "web.checkout" and at >= NEW_CHECKOUT:
        effect += NEW_CHECKOUT_GAIN
    if touchpoint == "venue.entry" and at.month in (6, 7, 8):
        effect -= SUMMER_ENTRY_LOSS
    return effect


def experience(touchpoint: str, who: Respondent, at: datetime) -> float:
    base = EXPERIENCED[touchpoint] + who.mood - (0.1 if who.corporate else 0.0)
    return base + own_effect(touchpoint, who, at)


def nps_mean(who: Respondent, at: datetime) -> float:
    """The planted effect: mood, and how each touchpoint goes for them, entry most."""
    mean = NPS_MEAN + 2.0 * who.mood - (0.6 if who.corporate else 0.0)
    return mean + sum(w * own_effect(tp, who, at) for tp, w in NPS_WEIGHT.items())


def service_gap(who: Respondent, at: datetime) -> float:
    gap = SERVICE_GAP["corporate" if who.corporate else "consumer"] + 0.8 * who.mood
    return gap - (DECEMBER_SERVICE_LOSS if at.month == 12 else 0.0)


@dataclass
class _Scores:
    """What a respondent's scores say, for the questions that follow them."""

    worst: tuple[float, str] | None = None  # (how bad, touchpoint)
    best: tuple[float, str] | None = None
    level: float = 3.0  # the main experience on 1–5
    gap: float = 0.0  # the main experience against expectation
    nps: int | None = None

    def note(self, touchpoint: str, experienced: float, gap: float, main: bool) -> None:
        # −1 or less: a poor experience or one well short of expectations; 1 or more: a
        # good experience that met them.
        how = min(experienced - 3, gap + 1)
        if self.worst is None or how < self.worst[0]:
            self.worst = (how, touchpoint)
        if self.best is None or how > self.best[0]:
            self.best = (how, touchpoint)
        if main:
            self.level, self.gap = experienced, gap

    def tone(self) -> Tone:
        if self.nps is not None:
            return "complaint" if self.nps <= 6 else "mixed" if self.nps <= 8 else "praise"
        assert self.worst is not None and self.best is not None
        if self.worst[0] <= -1:
            return "complaint"
        if self.worst[0] >= 1:
            return "praise"
        return "mixed"

    def topic(self, tone: Tone, main: str | None) -> str:
        if main is None:
            return "relationship"
        assert self.worst is not None and self.best is not None
        if tone == "complaint":
            return self.worst[1]
        return self.best[1] if tone == "praise" else main


def answer(
    rng: random.Random,
    definition: SurveyDefinition,
    main_touchpoint: str | None,
    who: Respondent,
    at: datetime,
    *,
    first_page_only: bool = False,
) -> dict[str, Any]:
    """A believable set of answers from ``who`` at ``at`` (page 1 only if they stop there)."""
    scores = _Scores()
    answers: dict[str, Any] = {}
    questions = definition.pages[0].questions if first_page_only else definition.questions()
    for q in questions:
        value = _answer_one(rng, q, main_touchpoint, who, at, scores)
        if value is not None:
            answers[q.key] = value
    return answers


def _answer_one(
    rng: random.Random,
    q: Question,
    main: str | None,
    who: Respondent,
    at: datetime,
    scores: _Scores,
) -> Any:
    tp = q.touchpoint
    if q.type is QuestionType.EXPECTATION_EXPERIENCE and q.pair_form is PairForm.DOUBLE:
        assert tp is not None
        expected = _clip(rng.gauss(expectation(tp, who), 0.6), 1, 5)
        got = _clip(rng.gauss(experience(tp, who, at), 0.7), 1, 5)
        scores.note(tp, got, got - expected, tp == main)
        return {"expected": expected, "experienced": got}
    if q.type is QuestionType.EXPECTATION_EXPERIENCE:  # compared: −2…2
        assert tp is not None
        gap = _clip(rng.gauss(service_gap(who, at), 0.8), -2, 2)
        scores.note(tp, 3 + gap, gap, tp == main)
        return gap
    if q.type is QuestionType.YES_NO:  # was it sorted out: likelier the better it went
        return rng.random() < 1 / (1 + math.exp(-(1.5 * scores.gap + 1.2)))
    if q.type is QuestionType.CES:
        return _clip(1 + (scores.level - 1) * 1.5 + rng.gauss(0, 0.7), 1, 7)
    if q.type is QuestionType.CSAT:
        if main is None and tp in EXPERIENCED:  # the relationship survey rates touchpoints
            if rng.random() < 0.1:
                return None  # optional: not everybody has had an invoice
            return _clip(rng.gauss(experience(tp, who, at), 0.7), 1, 5)
        if tp is not None and tp != main and tp not in EXPERIENCED:  # the bar: its own score
            if rng.random() < 0.4:
                return None  # optional, and not everybody went to the bar
            bar = _clip(rng.gauss(BAR_CSAT + who.mood, 0.8), 1, 5)
            scores.note(tp, bar, bar - 3, False)
            return bar
        return _clip(scores.level + 0.3 * scores.gap + rng.gauss(0, 0.5), 1, 5)
    if q.type is QuestionType.NPS:
        scores.nps = _clip(rng.gauss(nps_mean(who, at), 1.5), 0, 10)
        return scores.nps
    if q.type is QuestionType.RATING:  # repurchase intent and trust follow the NPS
        nps = 7 if scores.nps is None else scores.nps
        return _clip(1 + nps * 0.38 + rng.gauss(0, 0.6), 1, 5)
    if q.type is QuestionType.EMOTION:
        if rng.random() < 0.15:
            return None
        tone = scores.tone()
        return rng.sample(EMOTIONS_BY_TONE[tone], 1 if rng.random() < 0.7 else 2)
    if q.type is QuestionType.TEXT:
        tone = scores.tone()
        rate = 0.6 if main is None else COMMENT_RATE[tone]
        if rng.random() >= rate:
            return None
        lang = comment_language(who.language)
        return make_comment(rng, scores.topic(tone, main), tone, lang)
    if q.type is QuestionType.HIDDEN:
        return rng.choice(GATES)
    return None
