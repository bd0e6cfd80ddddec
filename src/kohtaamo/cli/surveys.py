"""``kohtaamo surveys``: import survey definitions from files and export them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from kohtaamo.cli.common import friendly_errors, load_settings, open_database, operator
from kohtaamo.errors import InvalidInput
from kohtaamo.surveys import portability
from kohtaamo.surveys.catalogue import QuestionType
from kohtaamo.surveys.definition import Question, SurveyDefinition, text_in
from kohtaamo.surveys.importing import MAX_IMPORT_BYTES, ImportResult, Unmapped

app = typer.Typer(help="Surveys: import and export definitions.", no_args_is_help=True)

FileArg = Annotated[
    Path,
    typer.Argument(
        exists=True,
        dir_okay=False,
        readable=True,
        help="A Kohtaamo survey (.json), a Qualtrics export (.qsf) or a SurveyJS JSON file.",
    ),
]
OrgOption = Annotated[str, typer.Option(help="Short name of the organisation.")]


def _read(path: Path, fmt: str) -> ImportResult:
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise InvalidInput(
            "The file is too large: at most %(size)s MB is accepted.",
            field="file",
            size=MAX_IMPORT_BYTES // (1024 * 1024),
        )
    return portability.read_survey(path.read_bytes(), fmt)


def describe(question: Question, lang: str) -> str:
    """One line per question: what a reviewer checks before creating the survey."""
    parts = [f"{question.key:<24} {question.type.value:<22} {text_in(question.text, lang)}"]
    details = []
    scale = question.effective_scale()
    if scale is not None and question.type is not QuestionType.HIDDEN:
        details.append(f"scale {scale.min}–{scale.max}")
    if question.choices:
        details.append(
            "choices: " + ", ".join(f"{c.key} ({text_in(c.label, lang)})" for c in question.choices)
        )
    if question.required:
        details.append("required")
    if question.show_if is not None:
        cond = question.show_if
        value = "" if cond.value is None else f" {json.dumps(cond.value, ensure_ascii=False)}"
        details.append(f"shown if {cond.question} {cond.op}{value}")
    if details:
        parts.append(" " * 25 + "; ".join(details))
    return "\n".join(parts)


def _print_preview(result: ImportResult, definition: SurveyDefinition) -> None:
    lang = definition.default_language
    typer.echo(f"format: {result.format}")
    typer.echo(f"key: {result.key}")
    typer.echo(f"name: {result.name}")
    typer.echo(f"languages: {', '.join(definition.languages)} (default {lang})")
    count = len(definition.questions())
    typer.echo(f"{count} questions on {len(definition.pages)} pages")
    for page in definition.pages:
        typer.echo(f"\npage {page.key}")
        for question in page.questions:
            typer.echo(describe(question, lang))


def _print_unmapped(unmapped: list[Unmapped] | tuple[Unmapped, ...]) -> None:
    if not unmapped:
        return
    typer.echo(f"\nnot imported ({len(unmapped)}):")
    for item in unmapped:
        typer.echo(f"  {item.source_id} [{item.source_type}]: {item.message('en')}")


@app.command("import")
@friendly_errors
def import_cmd(
    file: FileArg,
    fmt: Annotated[
        str,
        typer.Option("--format", help="auto (from the content), kohtaamo, qsf or surveyjs."),
    ] = "auto",
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Only show what would be imported; no database is used."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    org: Annotated[
        str | None, typer.Option(help="Short name of the organisation (not with --dry-run).")
    ] = None,
    key: Annotated[
        str | None, typer.Option(help="The new survey's key (default: from the file).")
    ] = None,
) -> None:
    """Import a survey definition as a new draft survey, or preview it with --dry-run."""
    if fmt not in portability.FORMATS:
        raise InvalidInput(
            "Choose one of: %(options)s.", field="format", options=", ".join(portability.FORMATS)
        )
    result = _read(file, fmt)
    unmapped = [u.as_json() for u in result.unmapped]
    if dry_run:
        if as_json:
            document = portability.document_of_result(result)
            if key:
                document["key"] = key
            typer.echo(
                json.dumps(
                    {**document, "source_format": result.format, "unmapped": unmapped},
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            _print_preview(result, result.definition)
            _print_unmapped(result.unmapped)
        return
    if not org:
        raise InvalidInput("Name the organisation with --org, or use --dry-run.", field="org")
    with open_database(load_settings()) as db:
        actor = operator(db, org)
        with db.transaction(actor.organisation_id) as session:
            survey, notes = portability.do_import(session, actor, result, key=key)
            survey_id, survey_key = survey.id, survey.key
    everything = [*result.unmapped, *notes]
    if as_json:
        payload: dict[str, Any] = {
            "id": str(survey_id),
            "key": survey_key,
            "status": "draft",
            "source_format": result.format,
            "questions": len(result.definition.questions()),
            "unmapped": [u.as_json() for u in everything],
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"created draft survey {survey_key} ({survey_id}) with "
        f"{len(result.definition.questions())} questions from {result.format}"
    )
    _print_unmapped(everything)


@app.command("export")
@friendly_errors
def export_cmd(
    org: OrgOption,
    key: Annotated[str, typer.Option(help="The survey's key.")],
    version: Annotated[
        int | None, typer.Option(min=1, help="Version number (default: the latest).")
    ] = None,
) -> None:
    """Print a survey version as Kohtaamo JSON (importable with `surveys import`)."""
    with open_database(load_settings()) as db:
        actor = operator(db, org)
        with db.transaction(actor.organisation_id, readonly=True) as session:
            document = portability.get_export_by_key(session, actor, key, version)
    typer.echo(portability.dumps(document), nl=False)
