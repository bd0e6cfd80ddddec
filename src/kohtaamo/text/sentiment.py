"""Lexicon sentiment with negation, intensity and contrast, per sentence and per comment.

``contributions(tokens, lexicon)`` gives every polar word its signed weight after the
modifiers around it, and ``summarize`` turns any set of contributions (a sentence, a
theme's clauses, the whole comment) into a label and a score in [-1, 1]:

- negation: a negator ("ei/en/eivät", "not", "inte") flips the polar words after it in
  its clause, within a few words, and softens them ("not bad" is mildly positive);
- intensifiers and diminishers scale the next polar word ("todella hidas");
  a word that is both polar and an intensifier ("hirveän hyvä", "pretty good") is the
  intensifier when a polar word follows it;
- contrast: the clause after "mutta"/"but"/"men" weighs 1.5×, the one before 0.5×;
  a concessive clause ("vaikka", "although") weighs 0.5×;
- Finnish "epä-" compounds found only through their part ("epäsujuva") are flipped.

The lexicon is a parameter, so an organisation's learned weights layered on the base
(``Lexicon.with_weights``) change the scores without changing this code.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kohtaamo.text.lexicon import Lexicon
from kohtaamo.text.morphology import Token

NEGATED_POSITIVE = 0.8  # "ei hyvä" ≈ -0.8 × hyvä
NEGATED_NEGATIVE = 0.6  # "not bad" ≈ +0.6 × |bad|: mild praise, not enthusiasm
AFTER_CONTRAST = 1.5
BEFORE_CONTRAST = 0.5
CONCESSIVE = 0.5
SATURATION = 4.0  # score = raw / sqrt(raw² + SATURATION): one "hyvä" (2) ≈ 0.71
NEUTRAL_BELOW = 0.15
MIXED_SHARE = 0.4  # the weaker side is at least this share of the stronger one
MIXED_MINIMUM = 1.5  # and both sides at least this strong


@dataclass(frozen=True, slots=True)
class Contribution:
    """One word's part in a sentiment decision."""

    word: str
    lemma: str
    weight: float  # signed, after negation, intensity and contrast
    note: str  # "", "negated", "intensified", "diminished", "contrast", ... joined by "+"
    start: int
    end: int
    index: int  # the token's position in the tokens given
    local: float  # the weight before the contrast/concession factor
    emotions: tuple[str, ...] = ()
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Sentiment:
    label: str  # "negative" | "neutral" | "positive" | "mixed"
    score: float  # [-1, 1]
    positive: float  # sum of positive weights
    negative: float  # sum of |negative weights|
    words: tuple[Contribution, ...]  # decisive words, strongest first

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "score": round(self.score, 3),
            "words": [
                {"word": c.word, "lemma": c.lemma, "weight": round(c.weight, 2), "note": c.note}
                for c in self.words
            ],
        }


NEUTRAL = Sentiment("neutral", 0.0, 0.0, 0.0, ())


def _polar(token: Token, lexicon: Lexicon) -> tuple[str, float] | None:
    polarity = lexicon.polarity
    for position, lemma in enumerate(token.lemmas):
        weight = polarity.get(lemma)
        if weight is not None:
            if position and lexicon.language == "fi" and token.lemmas[0].startswith("epä"):
                return token.lemmas[0], -weight
            return lemma, weight
    return None


def _modifier(token: Token, table: Iterable[str] | dict[str, float]) -> str | None:
    for lemma in token.lemmas:
        if lemma in table:
            return lemma
    return None


def _acts_as_intensifier(token: Token, following: Token | None, lexicon: Lexicon) -> bool:
    if following is None or _polar(following, lexicon) is None:
        return False
    if lexicon.language == "fi":  # adverb forms: "hirveän", "hyvin", "kamalasti"
        return token.text.lower().endswith(("n", "sti"))
    return True


def contributions(tokens: Sequence[Token], lexicon: Lexicon) -> list[Contribution]:
    """Signed contributions of the polar (and emotion) words of ``tokens``."""
    found: list[Contribution] = []
    n = len(tokens)
    # Contrast segments per sentence: which segment each token is in, and how many.
    segment = [0] * n
    last_segment: dict[int, int] = {}
    concessive_clause = [False] * n
    current_sentence, current_segment, conceding = -1, 0, -1
    for i, token in enumerate(tokens):
        if token.sentence != current_sentence:
            current_sentence, current_segment, conceding = token.sentence, 0, -1
        lemma = token.lemma
        if lemma in lexicon.contrast or _modifier(token, lexicon.contrast):
            current_segment += 1
            conceding = -1
        elif lemma in lexicon.concessive:
            conceding = token.clause
        segment[i] = current_segment
        concessive_clause[i] = conceding == token.clause
        last_segment[token.sentence] = current_segment

    negation_left = 0
    negation_clause = -1
    multiplier, multiplier_note, multiplier_left = 1.0, "", 0
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < n else None
        if negation_left and token.clause != negation_clause:
            negation_left = 0
        if _modifier(token, lexicon.negators):
            negation_left, negation_clause = lexicon.negation_window, token.clause
            continue
        intensity = _modifier(token, lexicon.intensifiers)
        polar = _polar(token, lexicon)
        if intensity and (polar is None or _acts_as_intensifier(token, following, lexicon)):
            factor = lexicon.intensifiers[intensity]
            multiplier = multiplier * factor
            multiplier_note = "intensified" if factor > 1 else "diminished"
            multiplier_left = 2
            if negation_left:
                negation_left -= 1
            continue
        emotions = _emotions(token, lexicon)
        if polar is not None or emotions:
            lemma, weight = polar if polar is not None else (token.lemma, 0.0)
            notes: list[str] = []
            if multiplier_left and weight:
                weight *= multiplier
                notes.append(multiplier_note)
                multiplier, multiplier_left = 1.0, 0
            negated = bool(negation_left)
            if negated:
                weight = -weight * (NEGATED_POSITIVE if weight > 0 else NEGATED_NEGATIVE)
                notes.append("negated")
            local = weight
            last = last_segment[token.sentence]
            if last and segment[i] == last:
                weight *= AFTER_CONTRAST
                notes.append("after contrast")
            elif last:
                weight *= BEFORE_CONTRAST
                notes.append("before contrast")
            if concessive_clause[i]:
                weight *= CONCESSIVE
                notes.append("concession")
            found.append(
                Contribution(
                    token.text, lemma, weight, "+".join(notes), token.start, token.end, i,
                    local, emotions, negated,
                )
            )  # fmt: skip
        if multiplier_left:
            multiplier_left -= 1
            if not multiplier_left:
                multiplier = 1.0
        if negation_left:
            negation_left -= 1
    return found


def _emotions(token: Token, lexicon: Lexicon) -> tuple[str, ...]:
    table = lexicon.emotions
    for lemma in token.lemmas:
        tags = table.get(lemma)
        if tags:
            return tags
    return ()


def summarize(found: Iterable[Contribution], *, local: bool = False) -> Sentiment:
    """Label and score of a set of contributions (``local``: without contrast factors)."""
    polar = [c for c in found if (c.local if local else c.weight)]
    if not polar:
        return NEUTRAL
    weights = [c.local if local else c.weight for c in polar]
    raw = math.fsum(weights)
    positive = math.fsum(w for w in weights if w > 0)
    negative = -math.fsum(w for w in weights if w < 0)
    score = raw / math.sqrt(raw * raw + SATURATION)
    # Mixed is about what was said, before contrast decided which side weighs more.
    said_positive = math.fsum(c.local for c in polar if c.local > 0)
    said_negative = -math.fsum(c.local for c in polar if c.local < 0)
    strong, weak = max(said_positive, said_negative), min(said_positive, said_negative)
    if weak >= MIXED_MINIMUM and weak >= MIXED_SHARE * strong:
        label = "mixed"
    elif abs(score) < NEUTRAL_BELOW:
        label = "neutral"
    else:
        label = "positive" if score > 0 else "negative"
    ordered = sorted(polar, key=lambda c: -abs(c.local if local else c.weight))
    return Sentiment(label, max(-1.0, min(1.0, score)), positive, negative, tuple(ordered))
