"""``kohtaamo demo``: seeds once, says how to sign in, resets only what is safe to delete."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kohtaamo.cli.main import app
from kohtaamo.demo import DEMO_LOGINS, demo_exists
from kohtaamo.storage.db import Database
from tests.demo.helpers import content


def test_demo_seeds_and_prints_how_to_sign_in(runner: CliRunner, cli_env: Database) -> None:
    result = runner.invoke(app, ["demo", "--no-serve"])

    assert result.exit_code == 0, result.output
    assert demo_exists(cli_env)
    out = result.stdout
    assert "http://127.0.0.1:8000/" in out
    assert "manager@elamys.example" in out and "kohtaamo-demo" in out
    for login in DEMO_LOGINS:
        assert login.email in out
    assert "staff: 3/3" in result.stderr  # progress, on stderr so scripts can keep stdout


def test_demo_keeps_an_existing_demo(runner: CliRunner, cli_env: Database) -> None:
    assert runner.invoke(app, ["demo", "--no-serve"]).exit_code == 0
    before = content(cli_env)

    result = runner.invoke(app, ["demo", "--no-serve", "--size", "medium"])

    assert result.exit_code == 0, result.output
    assert "already there" in result.stdout
    assert content(cli_env) == before
    assert "manager@elamys.example" in result.stdout


@pytest.mark.usefixtures("foundation_only")
def test_demo_size_and_seed(runner: CliRunner, cli_env: Database) -> None:
    result = runner.invoke(app, ["demo", "--no-serve", "--size", "100000", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "size 100000, seed 7" in result.stdout
    assert len(content(cli_env)["users"]) == 7 + 21  # round(sqrt(100000) / 15) extra staff


@pytest.mark.parametrize("size", ["huge", "3", "-1"])
def test_demo_refuses_a_bad_size(runner: CliRunner, cli_env: Database, size: str) -> None:
    result = runner.invoke(app, ["demo", "--no-serve", "--size", size])
    assert result.exit_code == 2
    assert "--size" in result.output
    assert not demo_exists(cli_env)


def test_demo_refuses_a_port_in_use_before_seeding(runner: CliRunner, cli_env: Database) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["demo", "--port", str(port)])

    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert not demo_exists(cli_env)


def test_demo_refuses_production_mode(
    runner: CliRunner, cli_env: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOHTAAMO_MODE", "production")
    monkeypatch.setenv("KOHTAAMO_SECRET_KEY", "x" * 40)
    result = runner.invoke(app, ["demo", "--no-serve"])
    assert result.exit_code == 1
    assert "production" in result.stderr
    assert not demo_exists(cli_env)


# --- --reset: only SQLite files, and only the demo's ----------------------------------


@pytest.fixture
def sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_env: Database) -> Path:
    path = tmp_path / "demo.db"
    monkeypatch.setenv("KOHTAAMO_DATABASE_URL", f"sqlite:///{path}")
    return path


@pytest.mark.usefixtures("foundation_only")
def test_reset_starts_afresh(runner: CliRunner, sqlite_file: Path) -> None:
    assert runner.invoke(app, ["demo", "--no-serve", "--size", "100"]).exit_code == 0

    result = runner.invoke(app, ["demo", "--no-serve", "--reset", "--size", "200000"])

    assert result.exit_code == 0, result.output
    assert f"Reset: deleted {sqlite_file}" in result.stdout
    assert "Creating the demo organisations (size 200000" in result.stdout
    db = Database(f"sqlite:///{sqlite_file}")
    try:
        assert len(content(db)["users"]) == 7 + 30
    finally:
        db.dispose()


def test_reset_without_a_database_just_seeds(runner: CliRunner, sqlite_file: Path) -> None:
    result = runner.invoke(app, ["demo", "--no-serve", "--reset"])
    assert result.exit_code == 0, result.output
    assert "no database at" in result.stdout
    assert sqlite_file.exists()


def test_reset_refuses_a_database_with_real_organisations(
    runner: CliRunner, sqlite_file: Path
) -> None:
    assert runner.invoke(app, ["org", "create", "Real Oy", "--slug", "real"]).exit_code == 0

    result = runner.invoke(app, ["demo", "--no-serve", "--reset"])

    assert result.exit_code == 1
    assert "not the demo's (real)" in result.stderr
    assert sqlite_file.exists()


def test_reset_refuses_a_file_that_is_not_kohtaamos(runner: CliRunner, sqlite_file: Path) -> None:
    with sqlite3.connect(sqlite_file) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")

    result = runner.invoke(app, ["demo", "--no-serve", "--reset"])

    assert result.exit_code == 1
    assert "not a Kohtaamo database" in result.stderr
    assert sqlite_file.exists()


def test_reset_refuses_postgresql(
    runner: CliRunner, cli_env: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOHTAAMO_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none")
    result = runner.invoke(app, ["demo", "--no-serve", "--reset"])
    assert result.exit_code == 1
    assert "only SQLite" in result.stderr
