"""The sentiment and emotion lexicons: curated base data per language (``data/``), and
the merge that layers an organisation's learned weights on top.

A :class:`Lexicon` is immutable; ``with_weights`` returns a new one, so the curated
base is shared and an organisation's model is the base plus a small, versioned dict of
lemma → weight that can be shown to people ("'jono' weighs -1.4 here, -1.0 in the
base").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

EMOTIONS = ("joy", "trust", "surprise", "disappointment", "frustration", "worry")
LANGUAGES = ("fi", "en", "sv")
BASE_VERSION = "base-1"


@dataclass(frozen=True)
class Lexicon:
    """Everything the scorer needs for one language."""

    language: str
    polarity: Mapping[str, float]
    emotions: Mapping[str, tuple[str, ...]]
    intensifiers: Mapping[str, float]  # multipliers: > 1 intensifies, < 1 diminishes
    negators: frozenset[str] = frozenset()
    contrast: frozenset[str] = frozenset()
    concessive: frozenset[str] = frozenset()
    coordinators: frozenset[str] = frozenset()
    negation_window: int = 3
    # Cue words of the rules in rules.py by kind ("expected", "resolvers", ...).
    cues: Mapping[str, frozenset[str]] = field(default_factory=dict)
    version: str = BASE_VERSION
    learned: Mapping[str, float] = field(default_factory=dict)

    # Multiword entries ("on_time") by their first word: their word sequences.
    phrases: Mapping[str, tuple[tuple[str, ...], ...]] = field(
        init=False, compare=False, repr=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "phrases", _phrases(k for k in self.polarity if "_" in k))

    def with_weights(
        self, weights: Mapping[str, float], version: str, *, replace_base: bool = False
    ) -> Lexicon:
        """A lexicon whose polarity is the base plus (or, with ``replace_base``, overridden
        by) ``weights``; ``version`` names the learned model (e.g. "org-12@3")."""
        polarity = dict(self.polarity)
        for lemma, weight in weights.items():
            key = lemma.lower()
            polarity[key] = weight if replace_base else polarity.get(key, 0.0) + weight
        return replace(
            self,
            polarity=polarity,
            version=f"{self.version}+{version}",
            learned=dict(weights),
        )


def _phrases(keys: Iterable[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    found: dict[str, list[tuple[str, ...]]] = {}
    for key in keys:
        words = tuple(key.split("_"))
        found.setdefault(words[0], []).append(words)
    # Longest first, so "out_of_their_way" wins over a shorter entry with its start.
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in found.items()}


def _data(name: str) -> str:
    return resources.files("kohtaamo.text").joinpath("data", name).read_text("utf-8")


def parse_lexicon(text: str) -> tuple[dict[str, float], dict[str, tuple[str, ...]]]:
    """Parse ``lemma polarity [emotion,emotion]`` lines (``#`` starts a comment)."""
    polarity: dict[str, float] = {}
    emotions: dict[str, tuple[str, ...]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) not in (2, 3):
            raise ValueError(f"lexicon line {number}: expected 'lemma weight [emotions]'")
        lemma, weight = parts[0].lower(), float(parts[1])
        if not -3.0 <= weight <= 3.0:
            raise ValueError(f"lexicon line {number}: weight {weight} outside [-3, 3]")
        polarity[lemma] = weight
        if len(parts) == 3:
            tags = tuple(parts[2].split(","))
            unknown = set(tags) - set(EMOTIONS)
            if unknown:
                raise ValueError(f"lexicon line {number}: unknown emotions {sorted(unknown)}")
            emotions[lemma] = tags
    return polarity, emotions


@lru_cache(maxsize=1)
def modifiers() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_data("modifiers.json"))
    return data


@lru_cache(maxsize=8)
def base_lexicon(language: str) -> Lexicon:
    """The curated lexicon of ``language``; other languages get emoji only."""
    mods = modifiers()
    polarity: dict[str, float] = {}
    emotions: dict[str, tuple[str, ...]] = {}
    if language in LANGUAGES:
        polarity, emotions = parse_lexicon(_data(f"lexicon_{language}.txt"))
    polarity.update({k: float(v) for k, v in mods["emoji"].items()})
    emotions.update({k: (v,) for k, v in mods["emoji_emotions"].items()})
    intensifiers = {
        **{k: float(v) for k, v in mods["intensifiers"].get(language, {}).items()},
        **{k: float(v) for k, v in mods["diminishers"].get(language, {}).items()},
    }
    return Lexicon(
        language=language,
        polarity=polarity,
        emotions=emotions,
        intensifiers=intensifiers,
        negators=frozenset(mods["negators"].get(language, ())),
        contrast=frozenset(mods["contrast"].get(language, ())),
        concessive=frozenset(mods["concessive"].get(language, ())),
        coordinators=frozenset(mods["coordinators"].get(language, ())),
        negation_window=int(mods["negation_window"].get(language, 3)),
        cues={
            kind: frozenset(words.get(language, ()))
            for kind, words in mods["cues"].items()
            if isinstance(words, dict)
        },
    )
