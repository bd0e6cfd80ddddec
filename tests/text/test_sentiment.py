"""Sentiment with negation, intensity and contrast in fi/en/sv; emotions; themes."""

from __future__ import annotations

import pytest

from kohtaamo.text.analyze import analyze
from kohtaamo.text.lexicon import base_lexicon
from kohtaamo.text.themes import default_rules, test_rule


@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [
        ("Palvelu oli hyvää", "fi", "positive"),
        ("Palvelu ei ollut hyvää", "fi", "negative"),
        ("Emme joutuneet jonottamaan", "fi", "positive"),
        ("Eivät olleet ystävällisiä", "fi", "negative"),
        ("Ei mitään ongelmia", "fi", "positive"),
        ("Asiakaspalvelija oli epäystävällinen", "fi", "negative"),
        ("The service was good", "en", "positive"),
        ("The service was not good", "en", "negative"),
        ("The food wasn't bad at all", "en", "positive"),
        ("I didn't have to wait", "en", "positive"),
        ("Personalen var trevlig", "sv", "positive"),
        ("Personalen var inte trevlig", "sv", "negative"),
        ("Inga problem alls", "sv", "positive"),
    ],
)
def test_negation(text: str, lang: str, label: str) -> None:
    assert analyze(text, lang=lang).sentiment.label == label


def test_intensifier_and_diminisher_scale_the_score() -> None:
    plain = analyze("Palvelu oli hidasta", lang="fi").sentiment.score
    strong = analyze("Palvelu oli todella hidasta", lang="fi").sentiment.score
    weak = analyze("Palvelu oli hieman hidasta", lang="fi").sentiment.score
    assert strong < plain < weak < 0
    words = analyze("Palvelu oli todella hidasta", lang="fi").sentiment.words
    assert words[0].lemma == "hidas" and "intensified" in words[0].note
    # "hirveän hyvä" is very good, "hirveä jono" is a horrible queue.
    assert analyze("Ruoka oli hirveän hyvää", lang="fi").sentiment.label == "positive"
    assert (
        analyze("very slow", lang="en").sentiment.score < analyze("slow", lang="en").sentiment.score
    )


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Jono oli pitkä, mutta palvelu oli erinomaista", "fi"),
        ("The queue was long but the service was excellent", "en"),
        ("Väntan var lång men personalen var fantastisk", "sv"),
    ],
)
def test_contrast_weighs_the_clause_after(text: str, lang: str) -> None:
    sentiment = analyze(text, lang=lang).sentiment
    assert sentiment.score > 0
    after = [w for w in sentiment.words if "after contrast" in w.note]
    before = [w for w in sentiment.words if "before contrast" in w.note]
    assert after and before


def test_mixed_and_per_theme_sentiment_in_finnish() -> None:
    a = analyze("Henkilökunta oli ihanaa mutta jono oli kamala", lang="fi")
    assert a.sentiment.label == "mixed"
    themes = {t.key: t.sentiment.label for t in a.themes}
    assert themes == {"staff_attitude": "positive", "speed_waiting": "negative"}
    assert a.emotions["joy"] > 0 and a.emotions["frustration"] > a.emotions["joy"]


def test_per_theme_sentiment_in_english_with_inflection_and_compounds() -> None:
    a = analyze("The staff were lovely but the queues were awful", lang="en")
    assert {t.key: t.sentiment.label for t in a.themes} == {
        "staff_attitude": "positive",
        "speed_waiting": "negative",
    }
    fi = analyze(
        "Asiakaspalvelijalta sain ystävällistä apua. Parkkipaikkoja oli liian vähän ja "
        "laskussa oli virhe.",
        lang="fi",
    )
    themes = {t.key: t.sentiment.label for t in fi.themes}
    assert themes["staff_attitude"] == "positive"
    assert themes["billing"] == "negative"
    assert "parking" in themes
    staff = next(t for t in fi.themes if t.key == "staff_attitude")
    assert "asiakaspalvelija" in staff.lemmas


def test_emotions() -> None:
    worried = analyze("Olen huolissani tietoturvasta ja pelkään huijausta", lang="fi").emotions
    assert worried["worry"] > 0.3 and worried["joy"] == 0
    happy = analyze("Thank you, lovely staff and a wonderful evening!", lang="en").emotions
    assert happy["joy"] > 0.5 and happy["frustration"] == 0
    let_down = analyze("Henkilökunta ei ollut ystävällinen", lang="fi").emotions
    assert let_down["disappointment"] > 0 and let_down["joy"] == 0


def test_learned_weights_layer_on_the_base() -> None:
    base = base_lexicon("fi")
    assert analyze("Tuote oli pieni", lang="fi").sentiment.label == "neutral"
    learned = base.with_weights({"pieni": -2.0}, "org-1@1")
    a = analyze("Tuote oli pieni", lang="fi", lexicon=learned)
    assert a.sentiment.label == "negative"
    assert a.lexicon_version == "base-1+org-1@1"
    assert base.polarity.get("pieni") is None  # the base is untouched


def test_rule_editing_and_test_rule() -> None:
    rule = {"key": "sauna", "group": "service", "label": {"fi": "Sauna"},
            "terms": {"fi": ["sauna", "löyly"]}, "exclude": {"fi": ["saunatonttu"]}}  # fmt: skip
    results = test_rule(rule, ["Saunassa oli hyvät löylyt", "Ruoka oli hyvää"], lang="fi")
    assert [r["matched"] for r in results] == [True, False]
    assert results[0]["sentiment"] == "positive"
    assert set(results[0]["lemmas"]) == {"sauna", "löyly"}
    with pytest.raises(ValueError):
        test_rule({"key": "", "terms": {}}, ["x"])
    keys = [r["key"] for r in default_rules()]
    assert {"information", "price", "speed_waiting", "staff_attitude", "feeling_heard"} <= set(keys)


def test_exclude_terms_keep_words_out_of_a_theme() -> None:
    a = analyze("Verkkopalvelu toimi hyvin", lang="fi")
    assert "staff_attitude" not in {t.key for t in a.themes}
    b = analyze("Asiakaspalvelu toimi hyvin", lang="fi")
    assert "staff_attitude" in {t.key for t in b.themes}
