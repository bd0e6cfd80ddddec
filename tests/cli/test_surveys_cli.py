"""``kohtaamo surveys import|export``: a preview that needs no database, drafts created in
the named organisation, exports that read back, and clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kohtaamo.cli.main import app
from kohtaamo.storage.db import Database
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys import service
from kohtaamo.surveys.catalogue import SurveyStatus
from kohtaamo.surveys.importing import MAX_IMPORT_BYTES
from tests.factories import Factory
from tests.journeys.helpers import owner

DATA = Path(__file__).resolve().parent.parent / "surveys" / "data"
QSF = str(DATA / "tapahtumatalo.qsf")
SURVEYJS = str(DATA / "lipunosto.surveyjs.json")


@pytest.fixture
def no_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Settings that point at databases nobody can open."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KOHTAAMO_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")


def test_dry_run_prints_the_survey_without_a_database(runner: CliRunner, no_database: None) -> None:
    result = runner.invoke(app, ["surveys", "import", QSF, "--dry-run"])

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "format: qsf" in out and "12 questions on 4 pages" in out
    lines = [line.split()[:2] for line in out.splitlines() if line and not line.startswith(" ")]
    keys = [pair for pair in lines if len(pair) == 2 and pair[1] in TYPES]
    assert keys[:5] == [
        ["store", "hidden"],
        ["channel", "hidden"],
        ["q1", "single_choice"],
        ["q2", "multiple_choice"],
        ["nps", "nps"],
    ]
    assert "choices: 1 (Lipun osto), 2 (Tiedon etsiminen)" in out
    assert "scale 1–7; required" in out
    assert 'shown if q1 eq "3"' in out
    assert "not imported (7):" in out
    assert "QID7 [DB/TB]: Descriptive text is not a question" in out


TYPES = {
    "hidden", "single_choice", "multiple_choice", "nps", "text", "rating", "yes_no", "csat",
}  # fmt: skip


def test_dry_run_as_json(runner: CliRunner, no_database: None) -> None:
    result = runner.invoke(
        app, ["surveys", "import", SURVEYJS, "--dry-run", "--json", "--key", "lippu"]
    )

    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["format"], doc["version"], doc["key"], doc["source_format"]) == (
        "kohtaamo-survey",
        1,
        "lippu",
        "surveyjs",
    )
    first = doc["definition"]["pages"][0]["questions"][0]
    assert (first["key"], first["type"]) == ("visit_reason", "single_choice")
    assert {u["source_id"] for u in doc["unmapped"]} >= {"intro_note", "attachment"}


def test_import_creates_a_draft_in_the_organisation(
    runner: CliRunner, cli_env: Database, factory: Factory
) -> None:
    org = factory.organisation(slug="tapahtumatalo")

    result = runner.invoke(
        app, ["surveys", "import", QSF, "--org", "tapahtumatalo", "--key", "lipunosto"]
    )

    assert result.exit_code == 0, result.output
    assert "created draft survey lipunosto" in result.stdout
    assert "with 12 questions from qsf" in result.stdout
    assert "not imported (7):" in result.stdout
    with cli_env.transaction(org.id, readonly=True) as session:
        survey = repo.survey_by_key(session, "lipunosto")
        assert survey is not None and survey.status == SurveyStatus.DRAFT
        version = service.get_version(session, owner(org), survey.id)
        assert len(service.definition_of(version).questions()) == 12


def test_export_prints_json_that_imports_again(
    runner: CliRunner, cli_env: Database, factory: Factory
) -> None:
    factory.organisation(slug="a-oy")
    factory.organisation(slug="b-oy")
    made = runner.invoke(app, ["surveys", "import", SURVEYJS, "--org", "a-oy", "--json"])
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["key"] == "ticket_purchase_feedback"

    exported = runner.invoke(
        app, ["surveys", "export", "--org", "a-oy", "--key", "ticket_purchase_feedback"]
    )

    assert exported.exit_code == 0, exported.output
    doc = json.loads(exported.stdout)
    assert (doc["format"], doc["name"]) == ("kohtaamo-survey", "Ticket purchase feedback")
    path = Path("survey.json")
    path.write_text(exported.stdout, "utf-8")
    again = runner.invoke(app, ["surveys", "import", str(path), "--org", "b-oy"])
    assert again.exit_code == 0, again.output
    assert "from kohtaamo" in again.stdout and "not imported" not in again.stdout
    second = runner.invoke(
        app, ["surveys", "export", "--org", "b-oy", "--key", "ticket_purchase_feedback"]
    )
    assert json.loads(second.stdout) == doc


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["surveys", "import", QSF], "Name the organisation with --org"),
        (["surveys", "import", QSF, "--org", "nope"], "No organisation has this short name"),
        (["surveys", "import", QSF, "--format", "csv", "--dry-run"], "Choose one of: auto"),
        (["surveys", "import", QSF, "--format", "surveyjs", "--dry-run"], "not a SurveyJS survey"),
        (["surveys", "export", "--org", "acme", "--key", "nope"], "No survey has this key"),
    ],
)
def test_refusals(
    runner: CliRunner, cli_env: Database, factory: Factory, args: list[str], words: str
) -> None:
    factory.organisation(slug="acme")
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert words in result.stderr
    assert "Traceback" not in result.output


def test_a_taken_key_and_a_missing_version(
    runner: CliRunner, cli_env: Database, factory: Factory
) -> None:
    factory.organisation(slug="acme")
    args = ["surveys", "import", QSF, "--org", "acme", "--key", "k"]
    assert runner.invoke(app, args).exit_code == 0
    taken = runner.invoke(app, args)
    assert taken.exit_code == 1 and "already exists" in taken.stderr
    missing = runner.invoke(
        app, ["surveys", "export", "--org", "acme", "--key", "k", "--version", "2"]
    )
    assert missing.exit_code == 1 and "No such survey version" in missing.stderr


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "The file is empty"),
        (b'{"hello": 1}', "format was not recognised"),
        (b" " * (MAX_IMPORT_BYTES + 1), "too large"),
    ],
)
def test_bad_files(
    runner: CliRunner, no_database: None, tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "survey.json"
    path.write_bytes(content)
    result = runner.invoke(app, ["surveys", "import", str(path), "--dry-run"])
    assert result.exit_code == 1
    assert words in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_file(runner: CliRunner, no_database: None) -> None:
    result = runner.invoke(app, ["surveys", "import", "nowhere.qsf", "--dry-run"])
    assert result.exit_code == 2
    assert "does not exist" in result.output
