"""Emotions of a comment from the lexicon's emotion tags: joy, trust, surprise,
disappointment, frustration (with anger) and worry, each a score in [0, 1].

They come from the same contributions as sentiment, so negation is already known:
a negated joy or trust word ("ei ystävällinen", "not helpful") is disappointment, a
negated negative word ("ei ongelmia") is no emotion at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from kohtaamo.text.lexicon import EMOTIONS
from kohtaamo.text.sentiment import Contribution

SCALE = 3.0  # evidence 3 (one strong word, intensified) → 0.63; saturates towards 1


def emotions(found: Iterable[Contribution]) -> dict[str, float]:
    """Scores per emotion (every emotion present, 0.0 when no evidence)."""
    evidence = dict.fromkeys(EMOTIONS, 0.0)
    for contribution in found:
        if not contribution.emotions:
            continue
        strength = abs(contribution.local) or 1.0
        if contribution.negated:
            if contribution.local < 0 and any(e in ("joy", "trust") for e in contribution.emotions):
                evidence["disappointment"] += strength * 0.5
            continue
        for emotion in contribution.emotions:
            evidence[emotion] += strength
    return {name: round(1.0 - math.exp(-value / SCALE), 3) for name, value in evidence.items()}
