"""The Kohtaamo survey format: export, read back, format detection, refusals, and
creating a draft survey from any import (touchpoints of another organisation dropped)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from kohtaamo.errors import Conflict, InvalidInput, NotFound
from kohtaamo.storage.db import Database
from kohtaamo.surveys import portability, service
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys.catalogue import SurveyKind, SurveyStatus
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.importing import MAX_IMPORT_BYTES, ImportResult
from kohtaamo.surveys.schemas import SurveyIn
from tests.factories import Factory
from tests.journeys.helpers import owner
from tests.surveys.helpers import SurveyFixture, definition, definition_data, make_survey

DATA = Path(__file__).parent / "data"


@pytest.fixture
def made(db: Database, factory: Factory) -> SurveyFixture:
    return make_survey(db, factory.organisation("Tapahtumatalo Oy"))


def _export(db: Database, made: SurveyFixture, number: int | None = None) -> dict[str, Any]:
    with db.transaction(made.org.id, readonly=True) as session:
        return portability.get_export(session, made.actor, made.survey_id, number)


def test_export_has_the_documented_shape(db: Database, made: SurveyFixture) -> None:
    doc = _export(db, made)

    assert list(doc) == ["format", "version", "key", "name", "kind", "definition"]
    assert (doc["format"], doc["version"], doc["key"], doc["name"], doc["kind"]) == (
        "kohtaamo-survey",
        1,
        "checkout",
        "Kassan kysely",
        "touchpoint",
    )
    first = doc["definition"]["pages"][0]["questions"][0]
    # unset parts are left out; meaningful defaults stay
    assert "help" not in first and "choices" not in first and "show_if" not in first
    assert first["required"] is True and doc["definition"]["default_language"] == "fi"


def test_export_reads_back_to_the_same_definition(db: Database, made: SurveyFixture) -> None:
    text = portability.dumps(_export(db, made))

    result = portability.read_survey(text.encode())

    assert result.format == "kohtaamo"
    assert result.definition == definition()
    assert (result.key, result.name, result.kind, result.unmapped) == (
        "checkout",
        "Kassan kysely",
        SurveyKind.TOUCHPOINT,
        (),
    )


def test_export_of_a_version(db: Database, made: SurveyFixture) -> None:
    changed = definition_data()
    changed["title"]["fi"] = "Uusi otsikko"
    with db.transaction(made.org.id) as session:
        service.do_save_definition(
            session, made.actor, made.survey_id, SurveyDefinition.model_validate(changed)
        )
    assert _export(db, made)["definition"]["title"]["fi"] == "Uusi otsikko"
    assert _export(db, made, 1)["definition"]["title"]["fi"] == "Miten ostos sujui?"
    with pytest.raises(NotFound):
        _export(db, made, 7)


def test_export_is_scoped_to_the_tenant(
    db: Database, factory: Factory, made: SurveyFixture
) -> None:
    other = factory.organisation("Muu Oy")
    with db.transaction(other.id, readonly=True) as session, pytest.raises(NotFound):
        portability.get_export(session, owner(other), made.survey_id)
    with db.transaction(other.id, readonly=True) as session, pytest.raises(NotFound):
        portability.get_export_by_key(session, owner(other), "checkout")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("tapahtumatalo.qsf", "qsf"), ("lipunosto.surveyjs.json", "surveyjs")],
)
def test_the_format_is_told_from_the_content(name: str, fmt: str) -> None:
    raw = (DATA / name).read_bytes()
    assert portability.read_survey(raw).format == fmt
    assert portability.read_survey(b"\xef\xbb\xbf" + raw, fmt).format == fmt  # with a BOM


def test_a_bare_definition_is_a_kohtaamo_survey() -> None:
    result = portability.read_survey(json.dumps(definition_data()).encode())
    assert result.format == "kohtaamo"
    assert result.definition == definition()
    assert (result.key, result.name) == ("miten_ostos_sujui", "Miten ostos sujui?")


@pytest.mark.parametrize(
    ("raw", "fmt", "words"),
    [
        (b"", "auto", "The file is empty."),
        (b"\xff\xfe\x00x", "auto", "not UTF-8"),
        (b'{"pages": [', "auto", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "auto", "nested too deeply"),
        (b'{"hello": "world"}', "auto", "format was not recognised"),
        (b"42", "auto", "format was not recognised"),
        (b'{"pages": []}', "qsf", "not a Qualtrics survey file"),
        (b'{"SurveyEntry": {}, "SurveyElements": []}', "surveyjs", "not a SurveyJS survey"),
        (b'{"format": "kohtaamo-survey", "version": 2}', "auto", "version 2"),
        (b'{"format": "kohtaamo-survey", "version": 1, "key": "k"}', "auto", "not valid"),
        (b"{}", "csv", "Choose one of the options."),
    ],
)
def test_refusals_are_clear(raw: bytes, fmt: str, words: str) -> None:
    with pytest.raises(InvalidInput) as err:
        portability.read_survey(raw, fmt)
    assert words in str(err.value) + " ".join(p.message for p in err.value.problems)


def test_a_too_large_file_is_refused_before_parsing() -> None:
    raw = b" " * MAX_IMPORT_BYTES + b"{}"
    with pytest.raises(InvalidInput) as err:
        portability.read_survey(raw)
    assert err.value.message == "The file is too large: at most %(size)s MB is accepted."
    assert err.value.params == {"size": 4}


def test_an_invalid_definition_lists_its_problems() -> None:
    data = {"format": "kohtaamo-survey", "version": 1, "key": "k", "name": "n"}
    data["definition"] = definition_data() | {"pages": []}
    with pytest.raises(InvalidInput) as err:
        portability.read_survey(json.dumps(data).encode())
    assert [p.field for p in err.value.problems] == ["definition.pages"]


def test_an_invalid_key_in_the_file_is_made_valid() -> None:
    data = {"format": "kohtaamo-survey", "version": 1, "key": "Kassa Kysely!", "name": "n"}
    data["definition"] = definition_data()
    assert portability.read_survey(json.dumps(data).encode()).key == "kassa_kysely"


# --- creating the draft --------------------------------------------------------------


def test_do_import_creates_a_draft(db: Database, factory: Factory) -> None:
    org = factory.organisation()
    result = portability.read_survey((DATA / "tapahtumatalo.qsf").read_bytes())
    with db.transaction(org.id) as session:
        survey, notes = portability.do_import(session, owner(org), result, name="Lipunosto")
        survey_id = survey.id
    with db.transaction(org.id, readonly=True) as session:
        found = repo.survey(session, survey_id)
        assert found is not None
        assert (found.key, found.name, found.status, found.live_version) == (
            "tapahtumatalo_lipunoston_palaute",
            "Lipunosto",
            SurveyStatus.DRAFT,
            None,
        )
        version = service.get_version(session, owner(org), survey_id)
        assert version.number == 1 and version.published_at is None
        assert service.definition_of(version) == result.definition
    assert notes == []


def test_do_import_drops_unknown_touchpoints_with_a_note(
    db: Database, made: SurveyFixture, factory: Factory
) -> None:
    exported = portability.dumps(_export(db, made)).encode()
    other = factory.organisation("Muu Oy")  # has no touchpoint "checkout"
    result = portability.read_survey(exported)
    with db.transaction(other.id) as session:
        survey, notes = portability.do_import(session, owner(other), result)
        version = service.get_version(session, owner(other), survey.id)
        imported = service.definition_of(version)
    assert imported.touchpoint_keys() == set()
    assert [(n.source_id, n.source_type) for n in notes] == [("ease", "touchpoint")]
    assert "checkout" in notes[0].message("en")
    # in its own organisation the touchpoint is kept
    with db.transaction(made.org.id) as session:
        again, notes = portability.do_import(session, made.actor, result, key="checkout-2")
        kept = service.definition_of(service.get_version(session, made.actor, again.id))
    assert kept.touchpoint_keys() == {"checkout"} and notes == []


def test_do_import_refusals(db: Database, made: SurveyFixture) -> None:
    result = portability.read_survey(portability.dumps(_export(db, made)).encode())
    with db.transaction(made.org.id) as session, pytest.raises(Conflict):
        portability.do_import(session, made.actor, result)  # "checkout" is taken
    with db.transaction(made.org.id) as session, pytest.raises(InvalidInput) as err:
        portability.do_import(session, made.actor, result, key="Not a key")
    assert err.value.problems[0].field == "key"


def test_import_results_are_plain_values() -> None:
    result = ImportResult("kohtaamo", definition(), "k", "n")
    with pytest.raises(ValidationError):
        SurveyIn(key="k", name="", definition=result.definition)
