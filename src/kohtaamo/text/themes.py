"""Themes: the default taxonomy as data (``data/themes.json``), matching by lemma rules,
and sentiment per theme from the clauses that name it.

A rule is a plain dict, so the UI can edit it and ``test_rule`` can try it on real
comments before it is saved::

    {"key": "parking", "group": "service", "label": {"fi": "Pysäköinti", "en": "Parking"},
     "terms": {"fi": ["parkkipaikka", "pysäköinti"], "en": ["parking", "car park"]},
     "exclude": {"fi": [], "en": ["theme park"]}}

A term is a lemma; it matches a word whose base forms, compound parts or derivational
bases include it (Finnish "asiakaspalvelijalle" → asiakaspalvelija, palvelija). A term
with spaces matches consecutive words. An exclude term keeps the word it matches (a
one-word term) or the sentence it occurs in (a phrase) from counting for the theme.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from kohtaamo.text.morphology import Token, word_forms

GROUPS = ("content", "functional", "psychological", "service")

Rule = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Match:
    """Where one theme is named in a comment."""

    key: str
    group: str
    indices: tuple[int, ...]  # token positions of the matched words
    lemmas: tuple[str, ...]  # the terms that matched


def default_rules() -> list[dict[str, Any]]:
    """The default taxonomy (a fresh copy: callers may edit it)."""
    raw = resources.files("kohtaamo.text").joinpath("data", "themes.json").read_text("utf-8")
    themes: list[dict[str, Any]] = json.loads(raw)["themes"]
    return themes


def check_rule(rule: Rule) -> None:
    """Refuse a malformed rule with a ValueError naming the problem."""
    key = rule.get("key")
    if not isinstance(key, str) or not key.strip():
        raise ValueError("a theme needs a key")
    if rule.get("group", "service") not in GROUPS:
        raise ValueError(f"theme {key}: group must be one of {', '.join(GROUPS)}")
    for part in ("terms", "exclude"):
        value = rule.get(part, {})
        if not isinstance(value, Mapping) or not all(
            isinstance(terms, list) and all(isinstance(t, str) and t.strip() for t in terms)
            for terms in value.values()
        ):
            raise ValueError(f"theme {key}: {part} must map a language to a list of words")


def _normalise(term: str, lang: str) -> tuple[str, ...]:
    """A term as lemmas: 'car parks' → ('car', 'park'), so users may type any form."""
    words = term.lower().split()
    if len(words) == 1:
        return (words[0],)
    return tuple(word_forms(word, lang)[0][0] for word in words)


class Matcher:
    """A compiled set of rules for one language."""

    def __init__(self, rules: Iterable[Rule], lang: str) -> None:
        self.lang = lang
        self.groups: dict[str, str] = {}
        self.words: dict[str, list[str]] = {}  # term → theme keys
        self.phrases: list[tuple[tuple[str, ...], str]] = []
        self.excluded_words: dict[str, set[str]] = {}  # theme → one-word excludes
        self.excluded_phrases: list[tuple[tuple[str, ...], str]] = []
        for rule in rules:
            check_rule(rule)
            key = rule["key"]
            self.groups[key] = rule.get("group", "service")
            for term in rule.get("terms", {}).get(lang, []):
                lemmas = _normalise(term, lang)
                if len(lemmas) == 1:
                    self.words.setdefault(lemmas[0], []).append(key)
                else:
                    self.phrases.append((lemmas, key))
            for term in rule.get("exclude", {}).get(lang, []):
                lemmas = _normalise(term, lang)
                if len(lemmas) == 1:
                    self.excluded_words.setdefault(key, set()).add(lemmas[0])
                else:
                    self.excluded_phrases.append((lemmas, key))

    def match(self, tokens: Sequence[Token]) -> list[Match]:
        """The themes ``tokens`` name, in the order of the taxonomy."""
        hits: dict[str, dict[int, str]] = {}
        words = self.words
        for i, token in enumerate(tokens):
            for form in token.forms:
                for key in words.get(form, ()):
                    excluded = self.excluded_words.get(key)
                    if excluded and not excluded.isdisjoint(token.forms):
                        continue
                    hits.setdefault(key, {}).setdefault(i, form)
        for lemmas, key in self.phrases:
            for start in _phrase_starts(tokens, lemmas):
                for offset in range(len(lemmas)):
                    hits.setdefault(key, {}).setdefault(start + offset, " ".join(lemmas))
        for lemmas, key in self.excluded_phrases:
            if key in hits:
                sentences = {tokens[s].sentence for s in _phrase_starts(tokens, lemmas)}
                kept = {i: t for i, t in hits[key].items() if tokens[i].sentence not in sentences}
                hits[key] = kept
        return [
            Match(key, self.groups[key], tuple(sorted(found)), tuple(dict.fromkeys(found.values())))
            for key in self.groups
            if (found := hits.get(key))
        ]


def _phrase_starts(tokens: Sequence[Token], lemmas: tuple[str, ...]) -> list[int]:
    size = len(lemmas)
    return [
        start
        for start in range(len(tokens) - size + 1)
        if all(lemmas[k] in tokens[start + k].forms for k in range(size))
        and len({tokens[start + k].sentence for k in range(size)}) == 1
    ]


@lru_cache(maxsize=8)
def default_matcher(lang: str) -> Matcher:
    return Matcher(default_rules(), lang)


def theme_terms() -> dict[str, set[str]]:
    """Every one-word term and exclude of the default rules, per language."""
    found: dict[str, set[str]] = {}
    for rule in default_rules():
        for part in ("terms", "exclude"):
            for lang, terms in rule.get(part, {}).items():
                found.setdefault(lang, set()).update(t.lower() for t in terms if " " not in t)
    return found


def test_rule(
    rule: Rule, comments: Iterable[str], *, lang: str | None = None, prior: str | None = None
) -> list[dict[str, Any]]:
    """Try one rule on comments before saving it: for each comment, whether the rule
    matches, the terms that matched, and the theme's sentiment in that comment."""
    from kohtaamo.text.analyze import analyze  # the pipeline imports this module

    check_rule(rule)
    results = []
    for comment in comments:
        analysis = analyze(comment, lang=lang, prior=prior, rules=[rule])
        hit = next((t for t in analysis.themes if t.key == rule["key"]), None)
        results.append(
            {
                "comment": analysis.redacted_text,
                "language": analysis.language,
                "matched": hit is not None,
                "lemmas": list(hit.lemmas) if hit else [],
                "sentiment": hit.sentiment.label if hit else None,
            }
        )
    return results


test_rule.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
