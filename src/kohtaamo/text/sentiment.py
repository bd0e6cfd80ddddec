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
- Finnish "epä-" compounds found only through their part ("epäsujuva") are flipped;
- function words ("a", "single", "olla") do not use up the negation window, a negated
  modal with a comparative praises ("couldn't be happier", "couldn't have been more
  helpful", "can't recommend them enough"), and a polar word after a
  negated reporting verb is its topic, not negated ("didn't tell us about the delay");
- multiword entries ("on_time") count as one word, with room for one object pronoun
  inside ("use them again");
- then the clause rules of ``rules.py`` (missing service events, stated waits,
  problems fixed, before/now, sarcasm) adjust the list.

The lexicon is a parameter, so an organisation's learned weights layered on the base
(``Lexicon.with_weights``) change the scores without changing this code.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kohtaamo.text import rules
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
MILD_RESERVATION = 2.0  # "kallis": a reservation a contrast can outweigh
# ... or a clearly weaker side ("friendly enough, however the wait was unacceptable"),
# while two equally strong sides stay mixed ("ihanaa mutta kamala").
SETTLED_SHARE = 0.7


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
    position = [
        _position(i, t, segment, last_segment, concessive_clause) for i, t in enumerate(tokens)
    ]

    cues = lexicon.cues
    transparent = cues.get("transparent", frozenset())
    expected = cues.get("expected", frozenset())
    topical = cues.get("topical", frozenset())
    negation_left = 0
    negation_clause = -1
    negator = -1  # index of the negator in force
    modal_negation = False  # "couldn't be happier", "ei voisi olla parempi"
    topic_negated = False  # "didn't tell us about the delay": the delay stays bad
    negated_by: dict[int, int] = {}  # contribution token index → its negator's index
    missing: list[tuple[int, int]] = []  # (token index, negator index): "never called"
    multiplier, multiplier_note, multiplier_left = 1.0, "", 0
    phrase_at, covered = _phrases(tokens, lexicon)
    for i, token in enumerate(tokens):
        if i in covered:
            continue  # inside a multiword entry, which its first word stands for
        following = tokens[i + 1] if i + 1 < n else None
        if negation_left and token.clause != negation_clause:
            negation_left = 0
        if i not in phrase_at and _modifier(token, lexicon.negators):
            negation_left, negation_clause, negator = lexicon.negation_window, token.clause, i
            modal_negation = _is_modal_negation(tokens, i, lexicon)
            topic_negated = False
            continue
        intensity = _modifier(token, lexicon.intensifiers)
        polar = phrase_at.get(i) or _polar(token, lexicon)
        if i in phrase_at:
            intensity = None
        if intensity and (polar is None or _acts_as_intensifier(token, following, lexicon)):
            factor = lexicon.intensifiers[intensity]
            multiplier = multiplier * factor
            multiplier_note = "intensified" if factor > 1 else "diminished"
            multiplier_left = 2
            if negation_left:
                negation_left -= 1
            continue
        if polar is None and _modifier(token, expected):
            if negation_left:
                missing.append((i, negator))
            elif lexicon.language == "fi" and token.text.lower().endswith(("matta", "mättä")):
                missing.append((i, i))  # "ilmoittamatta": without informing
        emotions = _emotions(token, lexicon)
        if polar is not None or emotions:
            lemma, weight = polar if polar is not None else (token.lemma, 0.0)
            notes: list[str] = []
            if multiplier_left and weight:
                weight *= multiplier
                notes.append(multiplier_note)
                multiplier, multiplier_left = 1.0, 0
            negated = bool(negation_left)
            if negated and modal_negation and weight > 0 and _comparative(tokens, i, lexicon):
                # "couldn't be happier": the negated modal says nothing could be better.
                negated = False
                weight *= 1.5
                notes.append("intensified")
            elif negated and topic_negated and weight < 0:
                negated = False
                notes.append("topic")
            elif negated:
                weight = -weight * (NEGATED_POSITIVE if weight > 0 else NEGATED_NEGATIVE)
                notes.append("negated")
                negated_by[i] = negator
            factor, factor_notes = position[i]
            found.append(
                Contribution(
                    token.text, lemma, weight * factor, "+".join(notes + factor_notes),
                    token.start, token.end, i, weight, emotions, negated,
                )
            )  # fmt: skip
        if negation_left and _modifier(token, topical):
            topic_negated = True
        if multiplier_left:
            multiplier_left -= 1
            if not multiplier_left:
                multiplier = 1.0
        if negation_left and token.lemma not in transparent:
            negation_left -= 1
    return rules.apply_rules(tokens, found, lexicon, missing, negated_by, position)


def _phrases(
    tokens: Sequence[Token], lexicon: Lexicon
) -> tuple[dict[int, tuple[str, float]], set[int]]:
    """Multiword lexicon entries in ``tokens``: (start → (entry, weight), covered
    positions after each start). A word matches by its surface form or a lemma."""
    starts: dict[int, tuple[str, float]] = {}
    covered: set[int] = set()
    if not lexicon.phrases:
        return starts, covered
    gaps = lexicon.cues.get("phrase_gaps", frozenset())
    i = 0
    while i < len(tokens):
        token = tokens[i]
        candidates = lexicon.phrases.get(token.text.lower(), ())
        candidates += tuple(p for lemma in token.lemmas[:2] for p in lexicon.phrases.get(lemma, ()))
        for words in candidates:
            end = _phrase_end(tokens, i, words, gaps)
            if end:
                key = "_".join(words)
                starts[i] = (key, lexicon.polarity[key])
                covered.update(range(i + 1, end))
                i = end - 1
                break
        i += 1
    return starts, covered


def _phrase_end(tokens: Sequence[Token], i: int, words: Sequence[str], gaps: frozenset[str]) -> int:
    """The end of ``words`` matched from ``i`` (0 if they do not match); one object
    pronoun may stand inside ("use them again", "kept us updated")."""
    k, skipped = i, False
    for w in words:
        gap = k > i and not skipped and k < len(tokens) and tokens[k].text.lower() in gaps
        if gap and not _word_is(tokens[k], w):
            k, skipped = k + 1, True
        if k >= len(tokens) or not _word_is(tokens[k], w) or tokens[k].clause != tokens[i].clause:
            return 0
        k += 1
    return k


def _word_is(token: Token, word: str) -> bool:
    return token.text.lower() == word or word in token.lemmas


def _is_modal_negation(tokens: Sequence[Token], i: int, lexicon: Lexicon) -> bool:
    """Whether the negator at ``i`` negates a modal ("couldn't", "could not", "ei voisi")."""
    modals = lexicon.cues.get("modals", frozenset())
    near = [tokens[i].text.lower()]
    if i:
        near.append(tokens[i - 1].lemma)
    if i + 1 < len(tokens):
        near.append(tokens[i + 1].lemma)
        # past: "ei olisi voinut", "could not have": the modal after an auxiliary
        if i + 2 < len(tokens) and tokens[i + 1].lemma in ("olla", "have", "ha"):
            near.extend(tokens[i + 2].lemmas)
    return any(word in modals for word in near)


def _comparative(tokens: Sequence[Token], i: int, lexicon: Lexicon) -> bool:
    """A comparative form ("happier", "better", "tyytyväisempi", "parempaa") or one
    made with a word ("more helpful", "mer hjälpsam")."""
    token = tokens[i]
    surface = token.text.lower()
    words = lexicon.cues.get("comparative_words", frozenset())
    if i and tokens[i - 1].text.lower() in words:
        return True
    if i + 1 < len(tokens) and tokens[i + 1].text.lower() in words:
        return True  # "couldn't recommend them more highly" (with the pronoun: below)
    if i + 2 < len(tokens) and tokens[i + 2].text.lower() in words:
        return True
    enough = lexicon.cues.get("enough_words", frozenset())
    if any(t.text.lower() in enough for t in tokens[i + 1 : i + 3]):
        return True  # "can't recommend them enough"
    if lexicon.language == "fi":
        return any(m in surface for m in ("mpi", "mpa", "mmi", "mpä", "mmä"))
    if lexicon.language == "en":
        return surface in ("better", "more") or (surface.endswith("er") and surface != token.lemma)
    return surface.endswith(("are", "re")) and surface != token.lemma


def _position(
    i: int,
    token: Token,
    segment: Sequence[int],
    last_segment: dict[int, int],
    concessive_clause: Sequence[bool],
) -> tuple[float, list[str]]:
    """The contrast/concession factor of the token at ``i`` and its notes."""
    factor, notes = 1.0, []
    last = last_segment[token.sentence]
    if last and segment[i] == last:
        factor *= AFTER_CONTRAST
        notes.append("after contrast")
    elif last:
        factor *= BEFORE_CONTRAST
        notes.append("before contrast")
    if concessive_clause[i]:
        factor *= CONCESSIVE
        notes.append("concession")
    return factor, notes


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
    # ... unless a contrast settled a mild reservation ("expensive but worth it"): the
    # weaker side is no stronger than one plain word and the contrast made it small.
    settled = (weak <= MILD_RESERVATION or weak <= SETTLED_SHARE * strong) and min(
        positive, negative
    ) < MIXED_SHARE * max(positive, negative)
    if weak >= MIXED_MINIMUM and weak >= MIXED_SHARE * strong and not settled:
        label = "mixed"
    elif abs(score) < NEUTRAL_BELOW:
        label = "neutral"
    else:
        label = "positive" if score > 0 else "negative"
    ordered = sorted(polar, key=lambda c: -abs(c.local if local else c.weight))
    return Sentiment(label, max(-1.0, min(1.0, score)), positive, negative, tuple(ordered))
