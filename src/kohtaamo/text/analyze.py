"""The text pipeline for one comment: clean, redact, detect the language, lemmatise,
then sentiment, emotions and themes. Pure: no database, no network.

Bad input never raises: empty or emoji-only text is neutral, control characters and
bidirectional overrides are removed before analysis (the caller keeps the original),
HTML is plain text here, and only the first ``MAX_ANALYSED`` characters are analysed
(``truncated`` says so) while the redacted text keeps the whole comment.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kohtaamo.text import language as language_detection
from kohtaamo.text import morphology
from kohtaamo.text.emotions import emotions as score_emotions
from kohtaamo.text.lexicon import Lexicon, base_lexicon
from kohtaamo.text.redact import redact
from kohtaamo.text.sentiment import Contribution, Sentiment, contributions, summarize
from kohtaamo.text.themes import Match, Matcher, Rule, default_matcher, theme_terms

MAX_ANALYSED = 10_000

# C0/C1 controls except tab and newline, bidi embeddings/overrides/isolates, zero-width
# and other invisible formatting characters; the BOM.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
)


@dataclass(frozen=True, slots=True)
class SentenceResult:
    text: str
    start: int
    end: int
    sentiment: Sentiment


@dataclass(frozen=True, slots=True)
class ThemeHit:
    key: str
    group: str
    sentiment: Sentiment
    lemmas: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Analysis:
    text: str  # the cleaned text that was analysed (not redacted: never store it)
    language: str
    language_confidence: float
    redacted_text: str
    redactions: dict[str, int]
    sentiment: Sentiment
    sentences: tuple[SentenceResult, ...]
    emotions: dict[str, float]
    themes: tuple[ThemeHit, ...]
    truncated: bool
    lexicon_version: str
    lemmas: tuple[str, ...] = ()  # each word's base form, in order of first use
    forms: tuple[str, ...] = ()  # every base form, compound part and derivational base

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, without the unredacted text."""
        return {
            "language": self.language,
            "sentiment": self.sentiment.to_dict(),
            "sentences": [
                {"text": s.text, "start": s.start, "end": s.end, **s.sentiment.to_dict()}
                for s in self.sentences
            ],
            "emotions": self.emotions,
            "themes": [
                {
                    "key": t.key,
                    "group": t.group,
                    "sentiment": t.sentiment.label,
                    "score": round(t.sentiment.score, 3),
                    "lemmas": list(t.lemmas),
                }
                for t in self.themes
            ],
            "redacted_text": self.redacted_text,
            "redactions": self.redactions,
            "truncated": self.truncated,
            "lexicon": self.lexicon_version,
        }


def clean(text: str) -> str:
    """NFC, invisible and control characters out (tab/newline kept), nothing else."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", text))


_prepared = False


def _prepare() -> None:
    """One-time set-up the morphology needs from the data (Swedish compound heads)."""
    global _prepared
    if not _prepared:
        heads = set(base_lexicon("sv").polarity) | theme_terms().get("sv", set())
        morphology.set_swedish_heads(heads)
        _prepared = True


def analyze(
    text: str,
    *,
    lang: str | None = None,
    languages: Sequence[str] = ("fi", "en", "sv"),
    prior: str | None = None,
    lexicon: Lexicon | None = None,
    rules: Iterable[Rule] | None = None,
    lexicons: Mapping[str, Lexicon] | None = None,
    matchers: Mapping[str, Matcher] | None = None,
) -> Analysis:
    """Analyse one comment. ``lang`` forces the language ("auto"/None detects among
    ``languages``, ``prior`` deciding short texts); ``lexicon`` replaces the base one
    (e.g. an organisation's learned lexicon); ``rules`` replaces the default themes.
    ``lexicons`` and ``matchers`` give them per language (an organisation's learned
    lexicons and compiled theme rules, reused over a batch)."""
    _prepare()
    cleaned = clean(text if isinstance(text, str) else str(text))
    redaction = redact(cleaned)
    truncated = len(cleaned) > MAX_ANALYSED
    work = redaction.text[:MAX_ANALYSED] if truncated else redaction.text
    if lang and lang != "auto":
        language, confidence = lang.lower(), 1.0
    else:
        detected = language_detection.detect(work[:1000], languages, prior)
        language, confidence = detected.language, detected.confidence
    if lexicons is not None and language in lexicons:
        lexicon = lexicons[language]
    if lexicon is None or lexicon.language != language:
        lexicon = base_lexicon(language)
    tokens = morphology.tokenize(work, language)
    found = contributions(tokens, lexicon)
    if matchers is not None and language in matchers:
        matcher = matchers[language]
    else:
        matcher = default_matcher(language) if rules is None else Matcher(rules, language)
    return Analysis(
        text=cleaned,
        language=language,
        language_confidence=round(confidence, 3),
        redacted_text=redaction.text,
        redactions=redaction.counts,
        sentiment=summarize(found),
        sentences=_sentences(work, tokens, found),
        emotions=score_emotions(found),
        themes=_themes(matcher.match(tokens), tokens, found, lexicon),
        truncated=truncated,
        lexicon_version=lexicon.version,
        lemmas=tuple(dict.fromkeys(t.lemma for t in tokens)),
        forms=tuple(dict.fromkeys(f for t in tokens for f in t.forms)),
    )


def _sentences(
    text: str, tokens: Sequence[morphology.Token], found: Sequence[Contribution]
) -> tuple[SentenceResult, ...]:
    if not tokens:
        return ()
    spans: dict[int, list[int]] = {}
    for token in tokens:
        span = spans.setdefault(token.sentence, [token.start, token.end])
        span[1] = token.end
    by_sentence: dict[int, list[Contribution]] = {}
    for c in found:
        by_sentence.setdefault(tokens[c.index].sentence, []).append(c)
    results = []
    for number, (start, end) in spans.items():
        while end < len(text) and text[end] in ".!?…":
            end += 1
        results.append(
            SentenceResult(text[start:end], start, end, summarize(by_sentence.get(number, ())))
        )
    return tuple(results)


def _pieces(tokens: Sequence[morphology.Token], lexicon: Lexicon) -> list[int]:
    """Clause pieces: split at punctuation, contrast, concession and coordination."""
    pieces: list[int] = []
    piece = 0
    splitters = lexicon.contrast | lexicon.concessive | lexicon.coordinators
    for i, token in enumerate(tokens):
        if i and (token.clause != tokens[i - 1].clause or token.lemma in splitters):
            piece += 1
        pieces.append(piece)
    return pieces


def _themes(
    matches: Sequence[Match],
    tokens: Sequence[morphology.Token],
    found: Sequence[Contribution],
    lexicon: Lexicon,
) -> tuple[ThemeHit, ...]:
    if not matches:
        return ()
    pieces = _pieces(tokens, lexicon)
    return tuple(_theme_hit(m, tokens, found, lexicon, pieces) for m in matches)


def _theme_hit(
    match: Match,
    tokens: Sequence[morphology.Token],
    found: Sequence[Contribution],
    lexicon: Lexicon,
    pieces: Sequence[int],
) -> ThemeHit:
    """The theme's sentiment from its own clause pieces; if they carry no sentiment,
    from the contrast-free stretch around them; then from its sentences."""
    own_pieces = {pieces[i] for i in match.indices}
    sentences = {tokens[i].sentence for i in match.indices}
    matched = set(match.indices)
    # The matched word's own polarity counts ("kallis" is a price word and negative).
    candidates = [c for c in found if pieces[c.index] in own_pieces or c.index in matched]
    sentiment = summarize(candidates, local=True)
    if sentiment.label == "neutral" and not sentiment.words:
        stretch = _contrast_stretch(tokens, match.indices, lexicon)
        sentiment = summarize((c for c in found if c.index in stretch), local=True)
    if sentiment.label == "neutral" and not sentiment.words:
        sentiment = summarize(c for c in found if tokens[c.index].sentence in sentences)
    return ThemeHit(match.key, match.group, sentiment, match.lemmas)


def _contrast_stretch(
    tokens: Sequence[morphology.Token], indices: Iterable[int], lexicon: Lexicon
) -> set[int]:
    """Token positions between the contrast words around each matched word."""
    stretch: set[int] = set()
    for index in indices:
        sentence = tokens[index].sentence
        low = index
        while (
            low > 0
            and tokens[low - 1].sentence == sentence
            and (tokens[low].lemma not in lexicon.contrast)
        ):
            low -= 1
        high = index
        while (
            high + 1 < len(tokens)
            and tokens[high + 1].sentence == sentence
            and (tokens[high + 1].lemma not in lexicon.contrast)
        ):
            high += 1
        stretch.update(range(low, high + 1))
    return stretch
