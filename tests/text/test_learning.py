"""Per-organisation learning: an organisation's own vocabulary (a venue its customers
complain about, one they praise) is learned from the ratings next to the comments."""

from __future__ import annotations

import random

from kohtaamo.storage.db import Database
from kohtaamo.text import learning
from kohtaamo.text.service import Analyser, CommentIn, analyse, submit_comments
from tests.factories import Factory

FILLERS = ["Kävin eilen", "Olin lauantaina", "Asioin taas", "Piipahdin aamulla", "Kävin illalla"]
TAILS = ["ostoksilla.", "asioilla.", "kaupassa.", "lasten kanssa.", "töiden jälkeen."]


def _examples(n: int, seed: int) -> list[learning.Example]:
    """Neutral-looking comments; the place decides the rating (as the org's data does)."""
    rng = random.Random(seed)
    found = []
    for i in range(n):
        bad = rng.random() < 0.5
        place = "Ruttola" if bad else "Kultala"
        text = f"{rng.choice(FILLERS)} {place} {rng.choice(TAILS)}"
        found.append(learning.Example(text, not bad, f"k{seed}-{i}"))
    return found


def test_learning_picks_up_organisation_vocabulary() -> None:
    weights, figures = learning.evaluate(_examples(120, 1), _examples(60, 2), "fi")
    assert weights["ruttola"] < -0.5 < 0.5 < weights["kultala"]
    assert figures["after"]["macro_f1"] >= figures["before"]["macro_f1"] + 0.5
    assert figures["after"]["accuracy"] > 0.9


def test_words_the_ratings_do_not_explain_stay_at_the_base() -> None:
    weights, _ = learning.evaluate(_examples(120, 3), _examples(20, 4), "fi")
    assert all(abs(weights.get(w, 0.0)) < 0.5 for w in ("käydä", "eilen", "kauppa"))


def test_evidence_from_ratings() -> None:
    assert learning.evidence("nps", 6) is False and learning.evidence("nps", 9) is True
    assert learning.evidence("nps", 7) is None and learning.evidence("csat", 2) is False
    assert learning.evidence("csat", 4) is True and learning.evidence(None, 3) is None


def test_a_stored_model_is_versioned_and_used(db: Database, factory: Factory) -> None:
    org = factory.organisation()
    comments = [
        CommentIn(text=e.text, source="import", ref=e.key, survey_language="fi",
                  rating_role="nps", rating_value=10 if e.positive else 1)
        for e in _examples(160, 5)
    ]  # fmt: skip
    with db.transaction(org.id) as session:
        analyse(session, submit_comments(session, comments, analyse_later=False))
        first = learning.learn(session, "fi")
        second = learning.learn(session, "fi")
        assert first is not None and second is not None
        assert (first.version, second.version) == (1, 2) and first.training_n > 80
        assert first.evaluation["after"]["macro_f1"] > first.evaluation["before"]["macro_f1"]
        result = Analyser(session).run("Kävin Ruttola eilen.", "fi")
        assert result.sentiment.label == "negative" and result.lexicon_version.endswith("org@2")
