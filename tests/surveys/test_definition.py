"""Structural rules of a survey definition, and answers checked against it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from kohtaamo.surveys.answers import check_answers, measures, visible
from kohtaamo.surveys.catalogue import MeasureRole
from kohtaamo.surveys.definition import SurveyDefinition, text_in
from tests.surveys.helpers import definition, definition_data


def _broken(change: Any) -> str:
    data = definition_data()
    change(data)
    with pytest.raises(ValidationError) as err:
        SurveyDefinition.model_validate(data)
    return str(err.value)


def test_rules_of_a_definition() -> None:
    assert "Two questions have the key 'nps'" in _broken(
        lambda d: d["pages"][1]["questions"].append(dict(d["pages"][0]["questions"][1]))
    )
    # show-if may only look back, so a respondent never depends on a later answer
    assert "can only depend on an earlier question" in _broken(
        lambda d: d["pages"][0]["questions"][0].update(
            show_if={"question": "feelings", "op": "answered"}
        )
    )
    assert "needs at least two choices" in _broken(
        lambda d: d["pages"][1]["questions"].append(
            {"key": "c", "type": "single_choice", "text": {"fi": "x"}, "choices": []}
        )
    )
    assert "scale is fixed" in _broken(
        lambda d: d["pages"][0]["questions"][1].update(scale={"min": 1, "max": 10})
    )
    assert "asked twice or as one comparison" in _broken(
        lambda d: d["pages"][0]["questions"][0].pop("pair_form")
    )
    assert "no text in the default language" in _broken(
        lambda d: d["pages"][0]["questions"][1].update(text={"en": "Only English"})
    )
    assert "Extra inputs" in _broken(lambda d: d.update(surprise=1))


def test_text_falls_back_to_the_default_language() -> None:
    q = definition().question("nps")
    assert q is not None
    assert text_in(q.text, "sv", "fi") == "Suosittelisitko meitä?"
    assert text_in(q.text, "en", "fi") == "Would you recommend us?"


def test_answers_are_checked_and_normalised() -> None:
    d = definition()
    clean, problems = check_answers(
        d,
        {"ease": {"expected": "4", "experienced": 2}, "nps": 9, "feelings": "joy", "store": "Tre"},
        finished=True,
    )
    assert problems == []
    assert clean == {
        "ease": {"expected": 4, "experienced": 2},
        "nps": 9,
        "feelings": ["joy"],
        "store": "Tre",
    }


@pytest.mark.parametrize(
    ("answers", "field", "words"),
    [
        ({"nps": 11}, "answers.nps", "from 0 to 10"),
        ({"nps": True}, "answers.nps", "from 0 to 10"),
        ({"feelings": ["joy", "bored"]}, "answers.feelings", "among the choices"),
        ({"why_low": "a\x00b", "nps": 3}, "answers.why_low", "control characters"),
        ({"ease": {"expected": 9, "experienced": 1}}, "answers.ease.expected", "from 1 to 5"),
        ({"other_survey_q": 1}, "answers.other_survey_q", "no such question"),
        ({"nps": 5}, "answers.ease", "needs an answer"),
    ],
)
def test_bad_answers_are_named(answers: dict[str, Any], field: str, words: str) -> None:
    _, problems = check_answers(definition(), answers, finished=True)
    assert any(p.field == field and words in p.message % p.params for p in problems), problems


def test_too_long_text_and_empty_finished_response() -> None:
    _, problems = check_answers(definition(), {"nps": 2, "why_low": "x" * 2001}, finished=False)
    assert [p.field for p in problems] == ["answers.why_low"]
    _, problems = check_answers(definition(), {"store": "x"}, finished=True)
    assert problems and all(p.field != "" for p in problems)


def test_logic_hides_and_drops_answers() -> None:
    d = definition()
    assert "why_low" not in {q.key for q in visible(d, {"nps": 9})}
    assert "why_low" in {q.key for q in visible(d, {"nps": 4})}
    clean, problems = check_answers(
        d,
        {"ease": {"expected": 3, "experienced": 3}, "nps": 9, "why_low": "nothing"},
        finished=True,
    )
    assert problems == [] and "why_low" not in clean


def test_required_only_on_pages_submitted_so_far() -> None:
    d = definition()
    _, problems = check_answers(d, {"feelings": ["joy"]}, finished=False, pages={"p2"})
    assert problems == []
    _, problems = check_answers(d, {"nps": 4}, finished=False, pages={"p1"})
    assert [p.field for p in problems] == ["answers.ease"]


def test_measures_by_role() -> None:
    d = definition()
    out = measures(d, {"ease": {"expected": 4, "experienced": 2}, "nps": 9})
    got = {(m.question, m.role, m.value, m.touchpoint) for m in out}
    assert got == {
        ("ease", MeasureRole.EXPECTATION, 4.0, "checkout"),
        ("ease", MeasureRole.EXPERIENCE, 2.0, "checkout"),
        ("nps", MeasureRole.NPS, 9.0, None),
    }
