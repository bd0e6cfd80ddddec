"""Emerging themes: a phrase no theme covers that more and more comments use is found,
tested as a rise, and can be made a theme that then labels those comments.

Comments are stored and analysed through the text service, as the analysis job does.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from kohtaamo.accounts.models import Organisation
from kohtaamo.errors import Conflict, InvalidInput
from kohtaamo.jobs.models import Job
from kohtaamo.metrics.compare import compare_proportions
from kohtaamo.storage.db import Database
from kohtaamo.text import emerging, theme_rules
from kohtaamo.text.emerging import Coverage, discover, do_create_theme, phrases, suggested_key
from kohtaamo.text.models import CommentTheme, TextTheme
from kohtaamo.text.morphology import tokenize
from kohtaamo.text.service import CommentIn, analyse, submit_comments
from tests.factories import Factory

_refs = itertools.count(1)
END = datetime(2026, 6, 1, tzinfo=UTC)
START = END - timedelta(days=30)

# "latausasema" (EV charging) is in no default theme; the others name known themes.
PARKING = [
    "Latausasemia ei löytynyt lainkaan.",
    "Latausasema oli varattu taas.",
    "Latausaseman etsiminen vei puoli tuntia.",
    "Latausasemien puute on ongelma.",
]
OTHER = [
    "Henkilökunta oli ystävällistä.",
    "Jono oli pitkä mutta palvelu hyvää.",
    "Hinta oli kohtuullinen.",
    "Kiitos nopeasta toimituksesta.",
]


def store(db: Database, org: Organisation, texts: list[str], when: datetime) -> None:
    with db.transaction(org.id) as session:
        ids = submit_comments(
            session,
            [
                CommentIn(text=t, source="import", ref=f"c{next(_refs)}", answered_at=when)
                for t in texts
            ],
            analyse_later=False,
        )
        analyse(session, ids)


@pytest.fixture
def org(factory: Factory) -> Organisation:
    return factory.organisation("Kauppakeskus Oy")


def _rising_world(db: Database, org: Organisation) -> None:
    # previous period: 1 parking comment in 25; recent: 4 × 5 = 20 in 28
    store(db, org, PARKING[:1] + OTHER * 6, START - timedelta(days=10))
    store(db, org, PARKING * 5 + OTHER * 2, START + timedelta(days=5))


def test_phrases_drop_stop_words_and_sentiment_words() -> None:
    found = phrases(tokenize("Mobiili sovellus ei ollut kovin hyvä", "fi"), "fi")

    assert ("mobiili", "sovellus") in found
    assert ("sovellus",) in found
    assert all(w not in {"ei", "olla", "kovin", "hyvä"} for p in found for w in p)


def test_coverage_follows_compound_parts_like_the_matcher() -> None:
    coverage = Coverage([{"key": "staff", "terms": {"fi": ["palvelija"], "en": ["car park"]}}])

    assert coverage.covers(("asiakaspalvelija",), "fi")
    assert coverage.covers(("car", "park"), "en")
    assert not coverage.covers(("latausasema",), "fi")


def test_a_rising_uncovered_phrase_is_a_candidate(db: Database, org: Organisation) -> None:
    _rising_world(db, org)

    with db.transaction(org.id, readonly=True) as session:
        found = discover(session, START, END)

    top = found.candidates[0]
    assert (top.phrase, top.language) == ("latausasema", "fi")
    assert (top.recent, top.previous) == (20, 1)
    assert (top.recent_total, top.previous_total) == (28, 25)
    raw = compare_proportions(20, 28, 1, 25, min_n=emerging.MIN_N).p_value
    assert raw is not None and top.p_value is not None and top.p_value >= raw
    assert top.significant
    assert top.growth == pytest.approx((20 / 28) / (1 / 25) - 1)
    assert len(top.examples) == emerging.EXAMPLES
    assert all("atausasem" in e.text for e in top.examples)
    # covered phrases (theme terms such as "jono", "hinta") are never offered
    assert not {"jono", "hinta", "henkilökunta"} & {c.phrase for c in found.candidates}


def test_a_phrase_as_common_as_before_is_not_rising(db: Database, org: Organisation) -> None:
    store(db, org, PARKING * 5 + OTHER * 2, START - timedelta(days=10))
    store(db, org, PARKING * 5 + OTHER * 2, START + timedelta(days=5))

    with db.transaction(org.id, readonly=True) as session:
        found = discover(session, START, END)

    assert "latausasema" not in {c.phrase for c in found.candidates}


def test_too_few_comments_are_not_tested(db: Database, org: Organisation) -> None:
    store(db, org, PARKING, START + timedelta(days=5))

    with db.transaction(org.id, readonly=True) as session:
        top = discover(session, START, END).candidates[0]

    assert top.phrase == "latausasema"
    assert top.p_value is None and not top.significant and top.growth is None


def test_another_organisations_comments_never_count(
    db: Database, org: Organisation, factory: Factory
) -> None:
    other = factory.organisation("Muu Oy")
    _rising_world(db, other)
    store(db, org, OTHER * 4, START + timedelta(days=5))

    with db.transaction(org.id, readonly=True) as session:
        found = discover(session, START, END)

    assert found.recent_total == 16 and found.previous_total == 0
    assert "latausasema" not in {c.phrase for c in found.candidates}


def test_a_candidate_becomes_a_theme_and_labels_its_comments(
    db: Database, org: Organisation
) -> None:
    _rising_world(db, org)

    with db.transaction(org.id) as session:
        theme = do_create_theme(session, "latausasema", "fi", label="Lataus")
        assert (theme.key, theme.terms, theme.labels) == (
            "latausasema",
            {"fi": ["latausasema"]},
            {"fi": "Lataus"},
        )
        jobs = session.query(Job).filter_by(task="text.analyse").all()
        # Besides the prompt analysis of the comments using the phrase, saving a theme
        # re-applies the rules to every stored comment in the background.
        assert session.query(Job).filter_by(task="text.retheme").count() == 1
    assert len(jobs) == 1
    with db.transaction(org.id) as session:  # what the enqueued job does
        analyse(session, [uuid.UUID(i) for i in jobs[0].payload["ids"]])

    with db.transaction(org.id, readonly=True) as session:
        labelled = session.query(CommentTheme).filter_by(key="latausasema").count()
        found = discover(session, START, END)
    assert labelled == 21
    assert "latausasema" not in {c.phrase for c in found.candidates}


def test_keys_are_made_unique_and_bad_input_is_refused(db: Database, org: Organisation) -> None:
    with db.transaction(org.id) as session:
        first = do_create_theme(session, "Mobiili  sovellus", "fi")
        second = do_create_theme(session, "mobiili sovellus", "en")
        with pytest.raises(InvalidInput):
            do_create_theme(session, "x", "de")
        assert {t.key for t in session.query(TextTheme)} >= {first.key, second.key}
    assert (first.key, second.key) == ("mobiili_sovellus", "mobiili_sovellus_2")
    assert first.terms == {"fi": ["mobiili sovellus"]}
    assert suggested_key("Ääni 2") == "aani_2" and suggested_key("24h") == "t_24h"
    with db.transaction(org.id) as session, pytest.raises(Conflict):
        theme_rules.create_theme(session, theme_rules.ThemeIn(key=first.key, terms={"fi": ["x"]}))
