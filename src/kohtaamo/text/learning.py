"""Per-organisation learning: adapt the sentiment lexicon to an organisation's own
vocabulary from the ratings its customers gave next to their comments.

Evidence: a comment with NPS ≤ 6 or CSAT 1–2 is negative, NPS ≥ 9 or CSAT 4–5
positive; the rest is not used. The model is an L2-regularised logistic regression
of that label on the base lexicon's score plus the presence of each lemma seen at
least ``min_count`` times. The base score is an unpenalised offset, so a lemma gets a
weight only where the base lexicon explains the rating badly, and the penalty shrinks
every adjustment toward zero (= the curated base). A weight is then turned into
lexicon units (the change in the raw sum that moves the score as much) and capped,
so a learned model is a short, readable list: "'kalevankulma' −1.6".

Each fit is stored as a new ``text_models`` version with its training n and the
held-out accuracy and macro-F1 of the base and of the adapted lexicon.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kohtaamo.storage.tenancy import require_tenant
from kohtaamo.text.analyze import analyze
from kohtaamo.text.lexicon import Lexicon, base_lexicon
from kohtaamo.text.models import CommentAnalysis, TextModel

MIN_COUNT = 5
MIN_TRAINING = 40
L2 = 2.0
MAX_WEIGHT = 2.5
HELD_OUT_SHARE = 0.25


@dataclass(frozen=True)
class Example:
    text: str
    positive: bool
    key: str  # stable id: decides the held-out split


def evidence(role: str | None, value: float | None) -> bool | None:
    """True (positive), False (negative) or None (no evidence) from a rating."""
    if role is None or value is None:
        return None
    if role == "nps":
        return True if value >= 9 else False if value <= 6 else None
    if role == "csat":
        return True if value >= 4 else False if value <= 2 else None
    return None


def _held_out(key: str) -> bool:
    digest = hashlib.sha256(key.encode()).digest()
    return digest[0] < 256 * HELD_OUT_SHARE


def scores(labels: Sequence[bool], predicted: Sequence[str]) -> dict[str, float]:
    """Accuracy and macro-F1 over positive/negative; a neutral or mixed prediction
    counts as wrong for both classes."""
    n = len(labels)
    if not n:
        return {"n": 0, "accuracy": 0.0, "macro_f1": 0.0}
    truth = ["positive" if y else "negative" for y in labels]
    accuracy = sum(t == p for t, p in zip(truth, predicted, strict=True)) / n
    f1s = []
    for cls in ("positive", "negative"):
        tp = sum(t == cls and p == cls for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != cls and p == cls for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == cls and p != cls for t, p in zip(truth, predicted, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return {"n": n, "accuracy": round(accuracy, 4), "macro_f1": round(sum(f1s) / 2, 4)}


def _predict(examples: Sequence[Example], lexicon: Lexicon) -> list[str]:
    return [
        analyze(e.text, lang=lexicon.language, lexicon=lexicon).sentiment.label for e in examples
    ]


def fit_weights(
    examples: Sequence[Example], language: str, *, min_count: int = MIN_COUNT, l2: float = L2
) -> dict[str, float]:
    """Per-lemma adjustments (lexicon units) learned from ``examples``."""
    base = base_lexicon(language)
    analyses = [analyze(e.text, lang=language, lexicon=base) for e in examples]
    # Modifiers are never scored as polar words, so a weight on them would do nothing.
    modifiers = (base.negators | base.contrast | base.concessive | base.coordinators) | set(
        base.intensifiers
    )
    counts: dict[str, int] = {}
    for a in analyses:
        for lemma in a.lemmas:
            if lemma.isalpha() and lemma not in modifiers:
                counts[lemma] = counts.get(lemma, 0) + 1
    vocabulary = sorted(lemma for lemma, c in counts.items() if c >= min_count)
    if not vocabulary:
        return {}
    column = {lemma: j for j, lemma in enumerate(vocabulary)}
    x = np.zeros((len(examples), len(vocabulary)))
    for i, a in enumerate(analyses):
        for lemma in a.lemmas:
            j = column.get(lemma)
            if j is not None:
                x[i, j] = 1.0
    s = np.array([a.sentiment.score for a in analyses])
    y = np.array([1.0 if e.positive else 0.0 for e in examples])
    k = len(vocabulary)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        a, b, w = theta[0], theta[1], theta[2:]
        z = a + b * s + x @ w
        p = 1.0 / (1.0 + np.exp(-z))
        eps = 1e-12
        value = -np.sum(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)) + l2 * w @ w
        r = p - y
        grad = np.concatenate(([r.sum()], [r @ s], x.T @ r + 2 * l2 * w))
        return float(value), grad

    start = np.zeros(k + 2)
    start[1] = 1.0
    result = minimize(loss, start, jac=True, method="L-BFGS-B")
    b = max(float(result.x[1]), 0.5)  # the base score's slope; floor keeps units sane
    # At a raw sum near 0, d(score)/d(raw) = 1/2: a logit change w equals a score change
    # w / b, i.e. a raw (lexicon) change of 2w / b.
    weights = {
        lemma: round(float(np.clip(2 * w / b, -MAX_WEIGHT, MAX_WEIGHT)), 3)
        for lemma, w in zip(vocabulary, result.x[2:], strict=True)
        if abs(2 * w / b) >= 0.1
    }
    return weights


def evaluate(
    train: Sequence[Example], test: Sequence[Example], language: str, **options: Any
) -> tuple[dict[str, float], dict[str, Any]]:
    """Fit on ``train``; held-out figures on ``test`` before and after."""
    weights = fit_weights(train, language, **options)
    base = base_lexicon(language)
    adapted = base.with_weights(weights, "candidate")
    labels = [e.positive for e in test]
    before = scores(labels, _predict(test, base))
    after = scores(labels, _predict(test, adapted))
    return weights, {"held_out": len(test), "before": before, "after": after}


def examples_of(session: Session, language: str) -> list[Example]:
    rows = session.execute(
        select(
            CommentAnalysis.id,
            CommentAnalysis.redacted_text,
            CommentAnalysis.rating_role,
            CommentAnalysis.rating_value,
        ).where(
            CommentAnalysis.language == language,
            CommentAnalysis.rating_role.is_not(None),
            CommentAnalysis.analysed_at.is_not(None),
        )
    ).all()
    found = []
    for row in rows:
        label = evidence(row.rating_role, row.rating_value)
        if label is not None:
            found.append(Example(row.redacted_text, label, str(row.id)))
    return found


def learn(session: Session, language: str, **options: Any) -> TextModel | None:
    """Fit and store a new model version of ``language`` from the organisation's rated
    comments; None when there are too few of them."""
    examples = examples_of(session, language)
    if len(examples) < MIN_TRAINING:
        return None
    train = [e for e in examples if not _held_out(e.key)]
    test = [e for e in examples if _held_out(e.key)]
    weights, figures = evaluate(train, test, language, **options)
    latest = session.scalar(
        select(func.max(TextModel.version)).where(TextModel.language == language)
    )
    model = TextModel(
        organisation_id=require_tenant(session),
        language=language,
        version=(latest or 0) + 1,
        weights=weights,
        training_n=len(train),
        evaluation=figures,
    )
    session.add(model)
    session.flush()
    return model
