"""Tokens and lemmas: Voikko for Finnish (inflection, compounds, clitics), simplemma for
English and Swedish.

A token carries two tuples of lowercase base forms:

- ``lemmas``: the word's base forms (every Voikko reading, most likely first), then its
  compound parts, head first ("asiakaspalvelusta" → asiakaspalvelu, palvelu, asiakas).
  Sentiment and emotions look words up here, first hit wins.
- ``forms``: ``lemmas`` plus the derivational bases ("jonotus" → jonottaa), which themes
  and search match against but sentiment must not ("toimimaton" is not "toimia").

Lookups are cached per word form (LRU), because Voikko costs ~80 µs a word and the
throughput target is 1,000 comments a second per core; the cache makes a Zipf-shaped
vocabulary cost a dictionary lookup.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

VOIKKO_MISSING = (
    "Finnish morphology needs Voikko: apt-get install libvoikko1 voikko-fi "
    "(and the Python binding: pip install libvoikko)"
)


class MorphologyUnavailable(RuntimeError):
    """A language's morphology library is not installed (never degraded silently)."""


@dataclass(frozen=True, slots=True)
class Token:
    """One word (or emoji) of a text, with where it stands."""

    text: str
    start: int
    end: int
    sentence: int  # index of the sentence in the text
    clause: int  # index of the punctuation-delimited clause in the text
    lemmas: tuple[str, ...]
    forms: tuple[str, ...]

    @property
    def lemma(self) -> str:
        return self.lemmas[0]


# Words (letters, with hyphens and apostrophes inside: "asiakas-palvelu", "didn't"),
# emoji and emoticons, sentence ends, clause breaks. Digits are not words here.
_TOKEN_RE = re.compile(
    r"(?P<word>[^\W\d_]+(?:[-'’][^\W\d_]+)*)"
    r"|(?P<emoji>[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2764]|[:;]-?[()DPp]|<3)"
    r"|(?P<end>[.!?…]+|\n+)"
    r"|(?P<clause>[,;:()\[\]\"“”«»]|\s[-–—]\s)"
)

_local = threading.local()


def voikko() -> object:
    """This thread's Voikko instance (libvoikko is not thread-safe, so one per thread)."""
    instance = getattr(_local, "voikko", None)
    if instance is None:
        try:
            import libvoikko

            instance = libvoikko.Voikko("fi")
        except (ImportError, OSError) as exc:
            raise MorphologyUnavailable(VOIKKO_MISSING) from exc
        _local.voikko = instance
    return instance


def check_available() -> None:
    """Raise :class:`MorphologyUnavailable` with the install command if Voikko is missing."""
    voikko()


def _compound_parts(surface: str, base: str, structure: str) -> list[str]:
    """Split a base form at the compound boundaries Voikko marks in STRUCTURE ('=')."""
    cuts: list[int] = []
    position = 0
    for char in structure:
        if char == "=":
            if position > 0:
                cuts.append(position)
        else:
            position += 1
    if not cuts:
        return []
    parts: list[str] = []
    previous = 0
    for cut in cuts:
        parts.append(surface[previous:cut].strip("-"))
        previous = cut
    prefix = "".join(surface[:previous].split("-"))
    stem = "".join(base.split("-"))
    # Non-final parts stand in the surface as in the base form; the last one is inflected.
    parts.append(stem[len(prefix) :] if stem.startswith(prefix) else surface[previous:])
    return [p for p in parts if p]


_WORDBASE_RE = re.compile(r"\(([^)+][^)]*)\)")
_PAST_PARTICIPLES = frozenset({"past_active", "past_passive"})


@lru_cache(maxsize=200_000)
def finnish_forms(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(lemmas, forms) of one lowercase Finnish word; unknown words stand for themselves."""
    analyses = voikko().analyze(word)  # type: ignore[attr-defined]
    if not analyses and "-" in word:
        # "asiakas-palvelu": the parts, the head last, and the joined compound.
        pieces = [finnish_forms(p) for p in word.split("-") if p]
        joined = finnish_forms(word.replace("-", ""))
        lemmas = _unique([*joined[0], *(x for p in reversed(pieces) for x in p[0])])
        forms = _unique([*lemmas, *(x for p in pieces for x in p[1])])
        return lemmas, forms
    bases: list[str] = []
    parts: list[str] = []
    derived: list[str] = []
    for analysis in analyses:
        base = analysis.get("BASEFORM", word).lower()
        bases.append(base)
        if analysis.get("PARTICIPLE") in _PAST_PARTICIPLES:
            # "ei toiminut", "ei korjattu": the negative past is the verb itself.
            verb = _WORDBASE_RE.search(analysis.get("WORDBASES", ""))
            if verb:
                bases.append(verb.group(1).lower())
        split = _compound_parts(word, base, analysis.get("STRUCTURE", ""))
        parts.extend(reversed(split))
        if len(split) > 2:
            parts.extend(
                "".join(split[i:j])
                for i in range(len(split))
                for j in range(i + 2, len(split) + 1)
                if j - i < len(split)
            )
        derived.extend(b.lower() for b in _WORDBASE_RE.findall(analysis.get("WORDBASES", "")))
    if not bases:
        bases.append(word)
    lemmas = _unique([*bases, *parts])
    return lemmas, _unique([*lemmas, *derived])


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


_SV_HEADS: frozenset[str] = frozenset()


def set_swedish_heads(words: Iterable[str]) -> None:
    """Known Swedish words (lexicon and theme terms) a compound may end with."""
    global _SV_HEADS
    _SV_HEADS = frozenset(w for w in words if len(w) >= 3 and " " not in w)
    simple_forms.cache_clear()


@lru_cache(maxsize=4)
def _lemma_exceptions(lang: str) -> dict[str, str]:
    from kohtaamo.text.lexicon import modifiers

    table: dict[str, str] = modifiers()["lemma_exceptions"].get(lang, {})
    return table


@lru_cache(maxsize=200_000)
def simple_forms(word: str, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(lemmas, forms) of an English or Swedish word through simplemma."""
    import simplemma

    if lang == "en" and (word.endswith("n't") or word.endswith("n’t")):
        return ("not",), ("not",)
    exception = _lemma_exceptions(lang).get(word)
    try:
        lemma = exception or simplemma.lemmatize(word, lang=lang).lower()
    except ValueError:  # a language simplemma does not know
        lemma = word
    found = [lemma] if exception else [lemma, word]
    if "-" in word:
        found.extend(reversed([simple_forms(p, lang)[0][0] for p in word.split("-") if p]))
    if lang == "sv":
        # Swedish compounds are written together ("väntetiden"): take a known head.
        # The part before the head must be a word too (with its linking "s"/"e"):
        # "tillräcklig" is not "tillr" + "äcklig", nor "besvärlig" "besv" + "ärlig".
        found.extend(
            lemma[i:]
            for i in range(2, len(lemma) - 2)
            if lemma[i:] in _SV_HEADS and _swedish_word(lemma[:i])
        )
    lemmas = _unique(found)
    return lemmas, lemmas


def _swedish_word(prefix: str) -> bool:
    import simplemma

    candidates = [prefix]
    if len(prefix) > 3 and prefix[-1] in "se":
        candidates.append(prefix[:-1])
    return any(len(c) >= 3 and simplemma.is_known(c, lang="sv") for c in candidates)


def word_forms(word: str, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(lemmas, forms) of one word in a language ("und" and others: the word itself)."""
    lowered = word.lower().replace("’", "'")
    if lang == "fi":
        return finnish_forms(lowered)
    if lang in ("en", "sv"):
        return simple_forms(lowered, lang)
    return (lowered,), (lowered,)


def tokenize(text: str, lang: str) -> list[Token]:
    """Words and emoji of ``text`` with sentence and clause indices and their base forms."""
    tokens: list[Token] = []
    sentence = clause = 0
    new_sentence = new_clause = False
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup
        if kind == "end":
            new_sentence = new_clause = True
            continue
        if kind == "clause":
            new_clause = True
            continue
        if tokens:
            sentence += new_sentence
            clause += new_clause
        new_sentence = new_clause = False
        value = match.group()
        lemmas: tuple[str, ...]
        forms: tuple[str, ...]
        if kind == "emoji":
            lemmas = forms = (value,)
        else:
            lemmas, forms = word_forms(value, lang)
        tokens.append(Token(value, match.start(), match.end(), sentence, clause, lemmas, forms))
    return tokens
