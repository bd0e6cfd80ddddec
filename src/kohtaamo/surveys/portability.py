"""Survey definitions in and out: Kohtaamo's own JSON format, and one entrance for every
importer (Kohtaamo, Qualtrics .qsf, SurveyJS).

The Kohtaamo format wraps one version's definition with what names the survey::

    {"format": "kohtaamo-survey", "version": 1,
     "key": "checkout", "name": "Kassan kysely", "kind": "touchpoint",
     "definition": {…SurveyDefinition…}}

Reading a file (``read_survey``) never touches the database; ``do_import`` creates the
draft survey in the session's organisation.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.errors import InvalidInput, NotFound
from kohtaamo.i18n import N_
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.journeys.ingest import problems_of
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys import service
from kohtaamo.surveys.catalogue import SurveyKind
from kohtaamo.surveys.definition import KEY_PATTERN, SurveyDefinition
from kohtaamo.surveys.importing import ImportResult, Unmapped, load_json, slug
from kohtaamo.surveys.models import Survey, SurveyVersion
from kohtaamo.surveys.qsf import is_qsf, parse_qsf
from kohtaamo.surveys.schemas import SurveyIn
from kohtaamo.surveys.surveyjs import is_surveyjs, parse_surveyjs

FORMAT = "kohtaamo-survey"
FORMAT_VERSION = 1
FORMATS = ("auto", "kohtaamo", "qsf", "surveyjs")
Format = Literal["auto", "kohtaamo", "qsf", "surveyjs"]


class SurveyDocument(BaseModel):
    """The Kohtaamo export format. Unknown top-level fields are ignored (newer exports)."""

    model_config = ConfigDict(extra="ignore")

    format: Literal["kohtaamo-survey"]
    version: Literal[1]
    key: str
    name: str
    kind: SurveyKind = SurveyKind.TOUCHPOINT
    definition: SurveyDefinition


# --- out ----------------------------------------------------------------------------


def export_document(survey: Survey, version: SurveyVersion) -> dict[str, Any]:
    """One version of a survey in the Kohtaamo format (JSON-ready)."""
    definition = service.definition_of(version)
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "key": survey.key,
        "name": survey.name,
        "kind": survey.kind,
        "definition": compact(definition),
    }


def compact(definition: SurveyDefinition) -> dict[str, Any]:
    """The definition as JSON without its unset parts (None, empty texts and lists), which
    read back the same; defaults that carry meaning (required, languages) stay explicit."""

    def prune(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: prune(v) for k, v in value.items() if v is not None and v != {} and v != []}
        if isinstance(value, list):
            return [prune(v) for v in value]
        return value

    return dict(prune(definition.model_dump(mode="json")))


def document_of_result(result: ImportResult) -> dict[str, Any]:
    """A parsed import in the Kohtaamo format: what the import page carries to its confirm step."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "key": result.key,
        "name": result.name,
        "kind": result.kind.value,
        "definition": compact(result.definition),
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def get_export(
    session: Session, actor: Actor, survey_id: uuid.UUID, number: int | None = None
) -> dict[str, Any]:
    """The export of a survey's version ``number`` (default: the latest)."""
    survey = service.get_survey(session, actor, survey_id)
    version = service.get_version(session, actor, survey_id, number)
    return export_document(survey, version)


def get_export_by_key(
    session: Session, actor: Actor, key: str, number: int | None = None
) -> dict[str, Any]:
    actor.require("feedback.view")
    survey = repo.survey_by_key(session, key)
    if survey is None:
        raise NotFound("No survey has this key.", field="key")
    return get_export(session, actor, survey.id, number)


# --- in -----------------------------------------------------------------------------


def parse_kohtaamo(data: Any) -> ImportResult:
    """A Kohtaamo export, or a bare definition, as an import result."""
    if isinstance(data, dict) and "format" not in data and "pages" in data:
        data = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "key": "",
            "name": "",
            "definition": data,
        }
    if (
        isinstance(data, dict)
        and data.get("format") == FORMAT
        and data.get("version") != FORMAT_VERSION
    ):
        raise InvalidInput(
            "This file is in version %(version)s of the Kohtaamo format; this Kohtaamo reads "
            "version 1.",
            field="file",
            version=str(data.get("version"))[:20],
        )
    try:
        doc = SurveyDocument.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput("The survey file is not valid.", problems=problems_of(exc)) from exc
    title = doc.definition.title.get(doc.definition.default_language, "")
    name = (doc.name.strip() or title or "Kohtaamo")[:200]
    key = doc.key if _valid_key(doc.key) else slug(doc.key or name, "survey")
    return ImportResult("kohtaamo", doc.definition, key, name, doc.kind, ())


def detect_format(data: Any) -> str:
    if isinstance(data, dict) and (data.get("format") == FORMAT or _bare_definition(data)):
        return "kohtaamo"
    if is_qsf(data):
        return "qsf"
    if is_surveyjs(data):
        return "surveyjs"
    raise InvalidInput(
        "The file's format was not recognised: expected a Kohtaamo survey, a Qualtrics .qsf or a "
        "SurveyJS JSON file.",
        field="file",
    )


def _bare_definition(data: dict[str, Any]) -> bool:
    pages = data.get("pages")
    return (
        isinstance(pages, list)
        and bool(pages)
        and all(isinstance(p, dict) and "questions" in p and "key" in p for p in pages)
    )


def _valid_key(key: str) -> bool:
    return bool(re.match(KEY_PATTERN, key))


PARSERS = {"kohtaamo": parse_kohtaamo, "qsf": parse_qsf, "surveyjs": parse_surveyjs}


def read_survey(raw: bytes, fmt: str = "auto") -> ImportResult:
    """Parse a survey file's bytes; ``fmt`` "auto" tells the format from the content."""
    if fmt not in FORMATS:
        raise InvalidInput("Choose one of the options.", field="format")
    data = load_json(raw)
    chosen = detect_format(data) if fmt == "auto" else fmt
    return PARSERS[chosen](data)


def do_import(
    session: Session,
    actor: Actor,
    result: ImportResult,
    *,
    key: str | None = None,
    name: str | None = None,
    kind: SurveyKind | None = None,
) -> tuple[Survey, list[Unmapped]]:
    """Create a draft survey from an import; also returns what was changed on the way.

    A question naming a touchpoint this organisation does not have (a survey exported
    from another organisation) keeps its wording and loses the touchpoint, with a note.
    """
    actor.require("feedback.edit")
    known = journeys_repo.touchpoint_keys(session)
    notes: list[Unmapped] = []
    definition = result.definition
    if definition.touchpoint_keys() - known.keys():
        doc = definition.model_dump(mode="json")
        for page in doc["pages"]:
            for q in page["questions"]:
                if q.get("touchpoint") and q["touchpoint"] not in known:
                    notes.append(
                        Unmapped(
                            q["key"],
                            "touchpoint",
                            N_(
                                "The touchpoint '%(key)s' is not in this organisation's "
                                "catalogue; the question was imported without it."
                            ),
                            {"key": q["touchpoint"]},
                        )
                    )
                    q["touchpoint"] = None
        definition = SurveyDefinition.model_validate(doc)
    try:
        data = SurveyIn(
            key=key or result.key,
            name=name or result.name,
            kind=kind or result.kind,
            definition=definition,
        )
    except ValidationError as exc:
        raise InvalidInput(problems=problems_of(exc)) from exc
    return service.do_create_survey(session, actor, data), notes
