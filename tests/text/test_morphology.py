"""Finnish forms reach one lemma through Voikko; English and Swedish through simplemma."""

from __future__ import annotations

import pytest

from kohtaamo.text.language import detect
from kohtaamo.text.morphology import tokenize, word_forms


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("jono", "jono"),
        ("jonossa", "jono"),
        ("jonoon", "jono"),
        ("jonoista", "jono"),
        ("asiakaspalvelusta", "asiakaspalvelu"),
        ("asiakaspalveluun", "asiakaspalvelu"),
        ("Asiakas-palvelu", "asiakaspalvelu"),
        ("palvelukin", "palvelu"),  # clitic -kin
        ("hyväkään", "hyvä"),  # clitic -kään
        ("kalliimpi", "kallis"),
        ("odotin", "odottaa"),
        ("eivät", "ei"),
        ("emme", "ei"),
    ],
)
def test_finnish_forms_reach_the_lemma(word: str, lemma: str) -> None:
    lemmas, forms = word_forms(word, "fi")
    assert lemma in lemmas
    assert lemma in forms


def test_compound_parts_and_derivational_bases() -> None:
    lemmas, _forms = word_forms("asiakaspalvelijoiden", "fi")
    assert lemmas[0] == "asiakaspalvelija"
    assert {"palvelija", "asiakas"} <= set(lemmas)
    # "jonotus" and "jonottamiseen" meet at the verb; sentiment never uses the base.
    assert "jonottaa" in word_forms("jonotus", "fi")[1]
    assert "jonottaa" not in word_forms("jonotus", "fi")[0]
    assert word_forms("jonottamiseen", "fi")[0][0] == "jonottaa"


def test_english_and_swedish_lemmas() -> None:
    assert word_forms("queues", "en")[0][0] == "queue"
    assert word_forms("waited", "en")[0][0] == "wait"
    assert word_forms("didn't", "en")[0] == ("not",)
    assert word_forms("köerna", "sv")[0][0] == "kö"
    assert word_forms("personalen", "sv")[0][0] == "personal"


def test_tokens_know_their_sentence_and_clause() -> None:
    tokens = tokenize("Jono oli pitkä, mutta palvelu hyvä. Kiitos! 👍", "fi")
    assert [t.text for t in tokens] == [
        "Jono",
        "oli",
        "pitkä",
        "mutta",
        "palvelu",
        "hyvä",
        "Kiitos",
        "👍",
    ]
    assert [t.sentence for t in tokens] == [0, 0, 0, 0, 0, 0, 1, 2]
    assert tokens[3].clause == tokens[2].clause + 1


def test_language_detection_with_prior() -> None:
    assert detect("Henkilökunta oli todella ystävällinen ja palvelu nopeaa").language == "fi"
    assert detect("The staff were friendly and the service was quick").language == "en"
    assert detect("Personalen var trevlig och hjälpsam").language == "sv"
    assert detect("ok", prior="sv").language == "sv"  # too short to tell: the survey's
    assert detect("", prior=None).language == "und"
    assert detect("😀😀", prior="fi").language == "fi"
    # Not configured: the closest configured language, never an error.
    assert detect("Das Essen war sehr gut", languages=("fi", "en")).language in ("fi", "en")
    assert detect("Hyvä palvelu", languages=("xx",)).language == "und"
    assert detect("Hyvä palvelu", languages=("fi",)).language == "fi"
