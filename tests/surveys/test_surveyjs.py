"""Importing a SurveyJS survey: element types, localisable strings, visibleIf, the
unmapped report, and odd or broken input.

``data/lipunosto.surveyjs.json`` is a survey as SurveyJS Creator saves it: English
default texts with Finnish (some Swedish, one German) translations, two pages, a panel.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kohtaamo.errors import InvalidInput
from kohtaamo.surveys.catalogue import MeasureRole, QuestionType
from kohtaamo.surveys.definition import Question
from kohtaamo.surveys.importing import ImportResult
from kohtaamo.surveys.surveyjs import parse_surveyjs

DATA = Path(__file__).parent / "data"
TEXT = (DATA / "lipunosto.surveyjs.json").read_text("utf-8")


def fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TEXT)
    return data


@pytest.fixture(scope="module")
def result() -> ImportResult:
    return parse_surveyjs(fixture())


def q(result: ImportResult, key: str) -> Question:
    found = result.definition.question(key)
    assert found is not None, key
    return found


def test_pages_panels_and_order(result: ImportResult) -> None:
    d = result.definition
    assert [p.key for p in d.pages] == ["experience", "more"]
    assert d.pages[0].title == {"en": "Your visit", "fi": "Käyntisi"}
    assert [[q.key for q in p.questions] for p in d.pages] == [
        ["visit_reason", "channels", "nps", "nps_reason", "ease"],
        # the panel's two questions in place; html and file left out
        ["agree_info", "agree_staff", "contact_ok", "email", "city", "value", "follow_up", "ref"],
    ]
    assert (result.format, result.key, result.name) == (
        "surveyjs",
        "ticket_purchase_feedback",
        "Ticket purchase feedback",
    )


def test_localisable_strings(result: ImportResult) -> None:
    d = result.definition
    assert (d.default_language, d.languages) == ("en", ["fi", "en", "sv"])
    assert d.title == {
        "en": "Ticket purchase feedback",
        "fi": "Lipunoston palaute",
        "sv": "Respons på biljettköpet",
    }
    assert d.intro["fi"] == "Vastaaminen vie noin kaksi minuuttia."
    assert d.thanks == {"en": "Thank you for your feedback!", "fi": "Kiitos palautteestasi!"}
    assert q(result, "visit_reason").text["sv"] == (
        "Vad var det huvudsakliga skälet till ditt besök?"
    )
    assert set(q(result, "channels").text) == {"en", "fi"}  # German left out


def test_choice_questions(result: ImportResult) -> None:
    reason = q(result, "visit_reason")
    assert reason.type is QuestionType.SINGLE_CHOICE and reason.required
    assert [(c.key, c.label.get("fi")) for c in reason.choices] == [
        ("ticket", "Lipun osto"),
        ("info", "Tiedon etsiminen"),
        ("service", "Asiakaspalvelu"),
        ("other", "Jokin muu"),  # showOtherItem with its own text
    ]
    channels = q(result, "channels")
    assert channels.type is QuestionType.MULTIPLE_CHOICE and channels.max_choices == 2
    assert [c.key for c in channels.choices] == ["web", "app", "phone"]
    city = q(result, "city")  # dropdown with plain string choices
    assert city.type is QuestionType.SINGLE_CHOICE
    assert (city.choices[0].key, city.choices[0].label) == ("helsinki", {"en": "Helsinki"})
    value = q(result, "value")  # a rating with worded steps keeps them as choices
    assert value.type is QuestionType.SINGLE_CHOICE
    assert [c.key for c in value.choices] == ["low", "ok", "high"]


def test_ratings_nps_and_matrix(result: ImportResult) -> None:
    nps = q(result, "nps")
    assert nps.type is QuestionType.NPS and nps.measure_role() is MeasureRole.NPS
    assert nps.scale is not None
    assert nps.scale.min_label == {"en": "Not at all likely", "fi": "En lainkaan todennäköisesti"}
    ease = q(result, "ease")
    assert ease.type is QuestionType.RATING
    assert ease.scale is not None and (ease.scale.min, ease.scale.max) == (1, 7)
    assert ease.scale.max_label["fi"] == "Erittäin helppoa"
    for key, text in (
        ("agree_info", "Tiedot olivat selkeitä"),
        ("agree_staff", "Henkilökunta osasi auttaa minua"),
    ):
        row = q(result, key)
        assert row.type is QuestionType.RATING and row.text["fi"] == text
        assert row.scale is not None and (row.scale.min, row.scale.max) == (1, 5)
        assert row.scale.min_label["en"] == "Strongly disagree"
        assert row.help["fi"] == "Kuinka samaa mieltä olet?"


def test_text_boolean_and_hidden(result: ImportResult) -> None:
    reason = q(result, "nps_reason")
    assert reason.type is QuestionType.TEXT and reason.max_length == 1000
    assert q(result, "email").type is QuestionType.TEXT
    assert q(result, "contact_ok").type is QuestionType.YES_NO
    assert q(result, "ref").type is QuestionType.HIDDEN  # visible: false


def test_visible_if_becomes_show_if(result: ImportResult) -> None:
    def cond(key: str) -> tuple[object, ...] | None:
        c = q(result, key).show_if
        return None if c is None else (c.question, c.op, c.value)

    assert cond("nps_reason") == ("nps", "le", 6)
    assert cond("email") == ("contact_ok", "eq", True)
    assert cond("city") == ("visit_reason", "eq", "ticket")
    assert cond("follow_up") is None  # "and" is too complex


def test_the_unmapped_report(result: ImportResult) -> None:
    report = {(u.source_id, u.source_type): u.message("en") for u in result.unmapped}
    assert set(report) == {
        ("visit_reason", "radiogroup"),
        ("intro_note", "html"),
        ("follow_up", "visibleIf"),
        ("attachment", "file"),
        ("triggers", "triggers"),
        ("de", "locale"),
    }
    assert "comment box" in report[("visit_reason", "radiogroup")]
    assert "not a question" in report[("intro_note", "html")]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("{visit_reason} = 'info'", ("visit_reason", "eq", "info")),
        ('{visit_reason} != "info"', ("visit_reason", "ne", "info")),
        ("{visit_reason} anyof ['info', 'service']", ("visit_reason", "in", ["info", "service"])),
        ("{channels} contains 'web'", ("channels", "eq", "web")),
        ("{nps} >= 9", ("nps", "ge", 9)),
        ("{ease} < 3", ("ease", "lt", 3)),
        ("{nps} notempty", ("nps", "answered", None)),
        ("{nps} empty", ("nps", "not_answered", None)),
        ("{visit_reason} = 'unknown-choice'", None),
        ("{nobody} = 1", None),
        ("{nps} <= 'x'", None),
        ("age({birthdate}) > 18", None),
        ("{nps} > 8 or {nps} < 2", None),
    ],
)
def test_visible_if_expressions(expression: str, expected: tuple[object, ...] | None) -> None:
    data = fixture()
    data["pages"][0]["elements"].append(
        {"type": "comment", "name": "probe", "title": "Probe", "visibleIf": expression}
    )
    found = parse_surveyjs(data).definition.question("probe")
    assert found is not None
    c = found.show_if
    assert (None if c is None else (c.question, c.op, c.value)) == expected


def test_old_format_with_top_level_questions_and_a_finnish_locale() -> None:
    data = {
        "locale": "fi",
        "title": "Palaute",
        "questions": [
            {
                "type": "rating",
                "name": "NPS score",
                "title": "Suosittelisitko?",
                "rateMin": 0,
                "rateMax": 10,
            },
            {"type": "rating", "name": "wide", "title": "Laaja", "rateMin": 0, "rateMax": 100},
            {"type": "rating", "name": "steps", "title": "Askel", "rateStep": 2},
            {"type": "matrix", "name": "m", "title": "M", "columns": ["a"], "rows": ["r"]},
        ],
    }
    found = parse_surveyjs(data)
    assert found.definition.default_language == "fi"
    assert [(q.key, q.type) for q in found.definition.questions()] == [
        ("nps_score", QuestionType.NPS)
    ]
    assert {u.source_id for u in found.unmapped} == {"wide", "steps", "m"}


@pytest.mark.parametrize("data", [None, [], {"title": "x"}, {"pages": "x"}])
def test_not_surveyjs(data: Any) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_surveyjs(data)
    assert "not a SurveyJS survey" in err.value.message


@pytest.mark.parametrize(
    "pages",
    [
        [],
        [None, 1, "x"],
        [{"elements": [{"type": "html", "name": "h"}]}],
        [{"elements": [{"type": "radiogroup", "name": "r", "choices": ["only"]}]}],
        [{"elements": [None, {"type": None}, {"name": 5, "type": ["x"]}]}],
    ],
)
def test_nothing_to_import_is_a_clear_error(pages: list[Any]) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_surveyjs({"pages": pages})
    assert err.value.message == "No question in the file could be imported."


JUNK: list[Any] = [None, "x", 7, [1, {"value": None}], {"default": 5, "zz": []}, True, 1e308]


def test_junk_in_any_element_property_is_never_a_crash() -> None:
    base = fixture()
    outcomes = {"ok": 0, "invalid": 0}
    for p, page in enumerate(base["pages"]):
        for e, element in enumerate(page["elements"]):
            for name in element:
                for junk in JUNK:
                    data = fixture()
                    data["pages"][p]["elements"][e][name] = junk
                    try:
                        parse_surveyjs(data)
                    except InvalidInput:
                        outcomes["invalid"] += 1
                    else:
                        outcomes["ok"] += 1
    assert outcomes["ok"] > 200


def test_deeply_nested_panels_are_cut_off() -> None:
    panel: dict[str, Any] = {"type": "comment", "name": "deep", "title": "Deep"}
    for n in range(500):
        panel = {"type": "panel", "name": f"p{n}", "elements": [panel]}
    data = fixture()
    data["pages"][0]["elements"].append(panel)
    found = parse_surveyjs(data)
    assert found.definition.question("deep") is None
    assert any("nested" in u.message("en") for u in found.unmapped)
