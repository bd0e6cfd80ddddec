"""Importing a Qualtrics export (.qsf): each question type, languages, display logic, the
unmapped report, and files that are odd or broken.

``data/tapahtumatalo.qsf`` is written the way Qualtrics writes exports: a Finnish
survey with English (and one German) translations, two blocks in the flow, a trash
block, embedded data, page breaks and display logic.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from kohtaamo.errors import InvalidInput
from kohtaamo.surveys.catalogue import MeasureRole, QuestionType
from kohtaamo.surveys.definition import Question, SurveyDefinition
from kohtaamo.surveys.importing import ImportResult
from kohtaamo.surveys.qsf import parse_qsf

DATA = Path(__file__).parent / "data"


def fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "tapahtumatalo.qsf").read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def result() -> ImportResult:
    return parse_qsf(fixture())


def q(result: ImportResult, key: str) -> Question:
    found = result.definition.question(key)
    assert found is not None, key
    return found


def test_blocks_and_page_breaks_become_pages(result: ImportResult) -> None:
    pages = [[q.key for q in page.questions] for page in result.definition.pages]
    assert pages == [
        ["store", "channel", "q1", "q2"],  # embedded data first, where links set it
        ["nps", "q4", "q9"],
        ["q5", "q6_info", "q6_staff", "q6_pay"],  # QID12 (0–100 slider) left out
        ["q8"],  # the descriptive text, rank order and timer left out
    ]
    assert "q99" not in {q.key for q in result.definition.questions()}  # in the trash block
    assert result.name == "Tapahtumatalo – lipunoston palaute"
    assert result.key == "tapahtumatalo_lipunoston_palaute"
    assert result.format == "qsf"


def test_languages_default_finnish_with_english_translations(result: ImportResult) -> None:
    d = result.definition
    assert (d.default_language, d.languages) == ("fi", ["fi", "en"])
    assert d.title == {"fi": "Tapahtumatalo – lipunoston palaute"}
    assert q(result, "q1").text == {
        "fi": "Mikä oli käyntisi pääasiallinen syy?",
        "en": "What was the main reason for your visit?",
    }
    # HTML in the source becomes plain text
    assert q(result, "q2").text["en"] == "Which channels did you use with us?"
    # a question without translations stays Finnish only
    assert q(result, "q8").text == {
        "fi": "Sähköpostiosoitteesi, jos haluat vastauksen (vapaaehtoinen)"
    }


def test_multiple_choice_single_and_multi(result: ImportResult) -> None:
    q1, q2, q9 = q(result, "q1"), q(result, "q2"), q(result, "q9")
    assert q1.type is QuestionType.SINGLE_CHOICE and q1.required
    assert [(c.key, c.label["fi"], c.label["en"]) for c in q1.choices] == [
        ("1", "Lipun osto", "Buying a ticket"),
        ("2", "Tiedon etsiminen", "Looking for information"),
        ("3", "Asiakaspalvelu", "Customer service"),
        ("4", "Muu, mikä?", "Something else, what?"),
    ]
    # MAHR (horizontal multiple answer) with recode values as choice keys
    assert q2.type is QuestionType.MULTIPLE_CHOICE and not q2.required
    assert [c.key for c in q2.choices] == ["web", "app", "phone", "store"]
    assert q2.choices[3].label == {"fi": "Myymälä", "en": "Store"}
    # SAHR: single answer, horizontal
    assert q9.type is QuestionType.SINGLE_CHOICE
    assert [c.label["en"] for c in q9.choices] == ["Yes", "No"]


def test_nps_text_entry_and_slider(result: ImportResult) -> None:
    nps = q(result, "nps")
    assert nps.type is QuestionType.NPS and nps.required
    assert nps.measure_role() is MeasureRole.NPS
    assert set(nps.text) == {"fi", "en"}  # German dropped
    q4, q8 = q(result, "q4"), q(result, "q8")
    assert (q4.type, q8.type) == (QuestionType.TEXT, QuestionType.TEXT)
    q5 = q(result, "q5")
    assert q5.type is QuestionType.RATING and q5.required
    assert q5.scale is not None
    assert (q5.scale.min, q5.scale.max) == (1, 7)
    assert q5.scale.min_label == {"fi": "Erittäin vaikeaa", "en": "Very difficult"}
    assert q5.scale.max_label == {"fi": "Erittäin helppoa", "en": "Very easy"}


def test_likert_matrix_rows_become_ratings(result: ImportResult) -> None:
    rows = [q(result, key) for key in ("q6_info", "q6_staff", "q6_pay")]
    assert [r.text["en"] for r in rows] == [
        "The information was clear",
        "The staff could help me",
        "Paying was easy",
    ]
    for row in rows:
        assert row.type is QuestionType.RATING
        assert row.scale is not None and (row.scale.min, row.scale.max) == (1, 5)
        assert row.scale.min_label["fi"] == "Täysin eri mieltä"
        assert row.scale.max_label["en"] == "Strongly agree"
        assert row.help["fi"] == "Kuinka samaa mieltä olet seuraavista väittämistä?"


def test_embedded_data_becomes_hidden_fields(result: ImportResult) -> None:
    for key in ("store", "channel"):
        assert q(result, key).type is QuestionType.HIDDEN


def test_simple_display_logic_becomes_show_if(result: ImportResult) -> None:
    cond = q(result, "q4").show_if  # shown if "Asiakaspalvelu" (choice 3) was selected
    assert cond is not None and (cond.question, cond.op, cond.value) == ("q1", "eq", "3")
    cond = q(result, "q8").show_if  # embedded data channel = web
    assert cond is not None and (cond.question, cond.op, cond.value) == ("channel", "eq", "web")
    assert q(result, "q9").show_if is None  # two conditions joined with Or: not mapped


def test_the_unmapped_report(result: ImportResult) -> None:
    report = {(u.source_id, u.source_type): u.message("en") for u in result.unmapped}
    assert set(report) == {
        ("QID1/4", "TextEntry"),
        ("QID9", "DisplayLogic"),
        ("QID12", "Slider/HSLIDER"),
        ("QID7", "DB/TB"),
        ("QID10", "RO/DND"),
        ("QID11", "Timing/PageTimer"),
        ("DE", "Language"),
    }
    assert "Descriptive text" in report[("QID7", "DB/TB")]
    assert "0–100" in report[("QID12", "Slider/HSLIDER")]
    assert "too complex" in report[("QID9", "DisplayLogic")]
    assert "DE" in report[("DE", "Language")]
    fi = {u.source_id: u.message("fi") for u in result.unmapped}
    assert fi["QID12"]  # translatable; the text itself is the lead's catalogue to fill


def test_the_result_is_a_valid_definition(result: ImportResult) -> None:
    again = SurveyDefinition.model_validate(result.definition.model_dump(mode="json"))
    assert again == result.definition


# --- variants of the format ---------------------------------------------------------


def _element(data: dict[str, Any], kind: str) -> dict[str, Any]:
    found: dict[str, Any] = next(e for e in data["SurveyElements"] if e["Element"] == kind)
    return found


def _sq(data: dict[str, Any], qid: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        e["Payload"]
        for e in data["SurveyElements"]
        if e["Element"] == "SQ" and e["PrimaryAttribute"] == qid
    )
    return found


def test_blocks_as_a_dict_and_no_flow() -> None:
    data = fixture()
    blocks = _element(data, "BL")
    blocks["Payload"] = {str(i): b for i, b in enumerate(blocks["Payload"])}
    data["SurveyElements"].remove(_element(data, "FL"))

    found = parse_qsf(data)

    keys = [q.key for q in found.definition.questions()]
    assert keys[:2] == ["q1", "q2"] and "q99" not in keys  # no trash, no flow: no hidden
    assert "store" not in keys


def test_english_default_with_finnish_translation() -> None:
    data = fixture()
    data["SurveyEntry"]["SurveyLanguage"] = "EN"
    for element in data["SurveyElements"]:
        if element["Element"] == "SQ" and isinstance(element["Payload"]["Language"], dict):
            langs = element["Payload"]["Language"]
            langs["FI"] = langs.pop("EN")
    found = parse_qsf(data)
    q1 = found.definition.question("q1")
    assert q1 is not None and found.definition.default_language == "en"
    # the base texts are now read as English, the former English ones as Finnish
    assert q1.text == {
        "en": "Mikä oli käyntisi pääasiallinen syy?",
        "fi": "What was the main reason for your visit?",
    }


def test_an_unsupported_default_language_is_read_as_english_and_reported() -> None:
    data = fixture()
    data["SurveyEntry"]["SurveyLanguage"] = "DE"
    found = parse_qsf(data)
    assert found.definition.default_language == "en"
    assert any(u.source_type == "SurveyLanguage" for u in found.unmapped)


def test_numeric_slider_logic_and_nps_choice_logic() -> None:
    data = fixture()
    _sq(data, "QID8")["DisplayLogic"] = {
        "0": {
            "0": {
                "LogicType": "Question",
                "QuestionID": "QID5",
                "LeftOperand": "q://QID5/ChoiceNumericEntryValue/1",
                "Operator": "LessThanOrEqual",
                "RightOperand": "3",
                "Type": "Expression",
            },
            "Type": "If",
        },
        "Type": "BooleanExpression",
    }
    _sq(data, "QID4")["DisplayLogic"]["0"]["0"]["LeftOperand"] = "q://QID3/SelectableChoice/6"
    found = parse_qsf(data)
    q8, q4 = found.definition.question("q8"), found.definition.question("q4")
    assert q8 is not None and q8.show_if is not None
    assert (q8.show_if.question, q8.show_if.op, q8.show_if.value) == ("q5", "le", 3)
    assert q4 is not None and q4.show_if is not None
    assert (q4.show_if.question, q4.show_if.op, q4.show_if.value) == ("nps", "eq", 6)


def test_logic_on_a_later_or_skipped_question_is_reported() -> None:
    data = fixture()
    # QID1 made to depend on QID3, which comes after it
    _sq(data, "QID1")["DisplayLogic"] = copy.deepcopy(_sq(data, "QID4")["DisplayLogic"])
    _sq(data, "QID1")["DisplayLogic"]["0"]["0"]["LeftOperand"] = "q://QID3/SelectableChoice/1"
    found = parse_qsf(data)
    q1 = found.definition.question("q1")
    assert q1 is not None and q1.show_if is None
    assert ("QID1", "DisplayLogic") in {(u.source_id, u.source_type) for u in found.unmapped}


def test_duplicate_export_tags_get_unique_keys() -> None:
    data = fixture()
    _sq(data, "QID2")["DataExportTag"] = "Q1"
    keys = [q.key for q in parse_qsf(data).definition.questions()]
    assert "q1" in keys and "q1_2" in keys


# --- broken input -------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "text",
        {"SurveyEntry": {}},
        {"SurveyElements": []},
        {"SurveyEntry": 1, "SurveyElements": []},
    ],
)
def test_not_a_qsf(data: Any) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_qsf(data)
    assert "not a Qualtrics survey file" in err.value.message


def test_a_qsf_without_questions() -> None:
    data = fixture()
    data["SurveyElements"] = [e for e in data["SurveyElements"] if e["Element"] != "SQ"]
    with pytest.raises(InvalidInput) as err:
        parse_qsf(data)
    assert err.value.message == "No question in the file could be imported."


JUNK: list[Any] = [None, "x", [1, "a"], {"1": None}, 1e308]
# One question of each kind the importer maps, plus the blocks and the flow.
MUTATED = {"BL", "FL", "QID1", "QID3", "QID4", "QID5", "QID6", "QID8"}


def test_junk_in_any_field_is_reported_never_a_crash() -> None:
    """Fields replaced by junk: a result or InvalidInput, never another exception."""
    text = (DATA / "tapahtumatalo.qsf").read_text("utf-8")
    base = json.loads(text)
    outcomes = {"ok": 0, "invalid": 0}
    for i, element in enumerate(base["SurveyElements"]):
        if element["Element"] not in MUTATED and element["PrimaryAttribute"] not in MUTATED:
            continue
        payload = element.get("Payload")
        fields = list(payload) if isinstance(payload, dict) else []
        for name in ["Payload", *fields]:
            for junk in JUNK:
                data = json.loads(text)
                target = data["SurveyElements"][i]
                if name == "Payload":
                    target[name] = junk
                else:
                    target["Payload"][name] = junk
                try:
                    found = parse_qsf(data)
                except InvalidInput:
                    outcomes["invalid"] += 1
                else:
                    assert found.definition.questions()
                    outcomes["ok"] += 1
    assert outcomes["ok"] > 300


def test_deeply_nested_flow_is_cut_off() -> None:
    data = fixture()
    flow = _element(data, "FL")["Payload"]
    nested: dict[str, Any] = {"Type": "Branch", "FlowID": "FL_deep", "Flow": flow["Flow"]}
    for _ in range(500):
        nested = {"Type": "Group", "FlowID": "FL_g", "Flow": [nested]}
    flow["Flow"] = [nested, {"ID": "BL_0ByLhJ3vB8sY0Ke", "Type": "Block", "FlowID": "FL_9"}]
    found = parse_qsf(data)
    assert found.definition.questions()[0].key == "q1"
    assert ("Flow", "Flow") in {(u.source_id, u.source_type) for u in found.unmapped}
