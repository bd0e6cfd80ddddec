"""The question bank: complete in three languages, the right measure roles, and usable
as it is in a survey whose answers produce the measures the analytics read."""

from __future__ import annotations

import pytest

from kohtaamo.errors import InvalidInput
from kohtaamo.journeys.catalogue import FactorGroup
from kohtaamo.surveys.answers import check_answers, measures
from kohtaamo.surveys.bank import BANK_BY_KEY, QUESTION_BANK, bank_items, bank_question
from kohtaamo.surveys.catalogue import LANGUAGES, MeasureRole, PairForm, QuestionType
from kohtaamo.surveys.definition import Question, SurveyDefinition


def test_every_factor_group_has_statements() -> None:
    for group in FactorGroup:
        items = bank_items(group)
        assert len(items) >= 3, group
        assert all(item.question.type is QuestionType.RATING for item in items)
    keys = {item.key for item in bank_items(FactorGroup.CONTENT)}
    assert {"info_clear", "price_as_expected", "offer_met_needs"} <= keys
    keys = {item.key for item in bank_items(FactorGroup.FUNCTIONAL)}
    assert {"easy_to_find", "easy_to_pay", "fast_delivery", "staff_could_help"} <= keys
    keys = {item.key for item in bank_items(FactorGroup.PSYCHOLOGICAL)}
    assert {"felt_trustworthy", "felt_welcome", "data_felt_safe"} <= keys


def test_every_text_is_in_finnish_english_and_swedish() -> None:
    for item in QUESTION_BANK:
        q = item.question
        texts = [q.text, q.help, q.expected_label, q.experienced_label]
        if q.scale is not None:
            texts += [q.scale.min_label, q.scale.max_label]
        for text in texts:
            if text:
                assert set(text) == set(LANGUAGES), item.key
                assert len(set(text.values())) == 3, (item.key, text)  # translated, not copied
        assert item.text("sv") == q.text["sv"]


def test_keys_are_unique_and_are_the_question_keys() -> None:
    assert len(BANK_BY_KEY) == len(QUESTION_BANK)
    for key, item in BANK_BY_KEY.items():
        assert item.question.key == key


@pytest.mark.parametrize(
    ("key", "qtype", "role"),
    [
        ("nps", QuestionType.NPS, MeasureRole.NPS),
        ("csat", QuestionType.CSAT, MeasureRole.CSAT),
        ("ces", QuestionType.CES, MeasureRole.CES),
        ("repurchase_intent", QuestionType.RATING, MeasureRole.REPURCHASE_INTENT),
        ("trust", QuestionType.RATING, MeasureRole.TRUST),
        ("overall_satisfaction", QuestionType.CSAT, MeasureRole.OVERALL_SATISFACTION),
        ("expectation_gap", QuestionType.EXPECTATION_EXPERIENCE, MeasureRole.EXPECTATION_GAP),
        ("comment", QuestionType.TEXT, MeasureRole.COMMENT),
        ("emotions", QuestionType.EMOTION, MeasureRole.EMOTION),
        ("info_clear", QuestionType.RATING, MeasureRole.EXPERIENCE),
        ("felt_trustworthy", QuestionType.RATING, MeasureRole.TRUST),
    ],
)
def test_templates_measure_what_they_say(key: str, qtype: QuestionType, role: MeasureRole) -> None:
    item = BANK_BY_KEY[key]
    assert (item.question.type, item.role) == (qtype, role)


def test_the_pair_in_both_forms() -> None:
    double = BANK_BY_KEY["expectation_experience"].question
    assert double.pair_form is PairForm.DOUBLE
    assert double.expected_label["fi"] == "Mitä odotit"
    compared = BANK_BY_KEY["expectation_gap"].question
    assert compared.pair_form is PairForm.COMPARED
    scale = compared.effective_scale()
    assert scale is not None and (scale.min, scale.max) == (-2, 2)


def test_bank_question_under_a_new_key_at_a_touchpoint() -> None:
    q = bank_question("easy_to_pay", new_key="checkout.pay", touchpoint="checkout")
    assert (q.key, q.touchpoint) == ("checkout.pay", "checkout")
    assert q.text == BANK_BY_KEY["easy_to_pay"].question.text
    assert BANK_BY_KEY["easy_to_pay"].question.touchpoint is None  # the bank is unchanged
    assert bank_question("nps") is BANK_BY_KEY["nps"].question


def test_bank_question_refusals() -> None:
    with pytest.raises(InvalidInput) as err:
        bank_question("no-such-item")
    assert err.value.problems[0].field == "key"
    with pytest.raises(InvalidInput) as err:
        bank_question("nps", new_key="Not A Key")
    assert err.value.problems[0].field == "key"


def _answer(q: Question) -> object:
    if q.type is QuestionType.EXPECTATION_EXPERIENCE and q.pair_form is PairForm.DOUBLE:
        return {"expected": 4, "experienced": 5}
    if q.type is QuestionType.TEXT:
        return "Kassajono oli pitkä."
    if q.type is QuestionType.EMOTION:
        return ["joy"]
    scale = q.effective_scale()
    assert scale is not None, q.key
    return scale.max


def test_a_survey_of_the_whole_bank_yields_every_measure() -> None:
    questions = [bank_question(item.key, touchpoint="checkout") for item in QUESTION_BANK]
    definition = SurveyDefinition.model_validate(
        {"title": {"fi": "Pankki"}, "pages": [{"key": "p1", "questions": questions}]}
    )
    answers = {q.key: _answer(q) for q in questions}

    clean, problems = check_answers(definition, answers, finished=True)
    found = measures(definition, clean)

    assert problems == []
    roles = {m.role for m in found}
    assert roles >= {
        MeasureRole.NPS,
        MeasureRole.CSAT,
        MeasureRole.CES,
        MeasureRole.EXPECTATION,
        MeasureRole.EXPERIENCE,
        MeasureRole.EXPECTATION_GAP,
        MeasureRole.REPURCHASE_INTENT,
        MeasureRole.TRUST,
        MeasureRole.OVERALL_SATISFACTION,
    }
    assert all(m.touchpoint == "checkout" for m in found)
    nps = next(m for m in found if m.role is MeasureRole.NPS)
    assert (nps.value, nps.scale_min, nps.scale_max) == (10.0, 0, 10)
