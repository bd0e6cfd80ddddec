"""``kohtaamo analytics rebuild|sync|status`` against the test database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text as sql
from typer.testing import CliRunner

from kohtaamo.analytics.store import AnalyticsStore
from kohtaamo.cli.main import app
from kohtaamo.storage.db import Database
from tests.analytics.sync_helpers import make_survey, submit
from tests.factories import Factory


@pytest.fixture
def store_file(cli_env: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "store.duckdb"
    monkeypatch.setenv("KOHTAAMO_ANALYTICS_PATH", str(path))
    return path


def _max_id(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(sql("SELECT max(id) FROM survey_measures")).scalar_one())


def _status(runner: CliRunner) -> dict[str, object]:
    result = runner.invoke(app, ["analytics", "status", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_sync_rebuild_and_status(
    runner: CliRunner, cli_env: Database, store_file: Path, factory: Factory
) -> None:
    f = make_survey(cli_env, factory.organisation())
    submit(cli_env, f)
    result = runner.invoke(app, ["analytics", "sync"])
    assert result.exit_code == 0, result.output
    assert "7 measures added" in result.stdout
    status = _status(runner)
    assert status["rows"]["measures"] == 7  # type: ignore[index]
    assert status["state"]["measures_watermark"] == str(_max_id(cli_env))  # type: ignore[index]
    assert "synced_at" in status["state"]  # type: ignore[operator]

    submit(cli_env, f)
    result = runner.invoke(app, ["analytics", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "14 measures added" in result.stdout
    text = runner.invoke(app, ["analytics", "status"])
    assert "measures" in text.stdout and "14" in text.stdout
    assert f"watermark:   {_max_id(cli_env)}" in text.stdout


def test_a_store_held_by_a_server_is_a_clear_error(
    runner: CliRunner, cli_env: Database, store_file: Path
) -> None:
    # The running server: another process. DuckDB locks within a process too only for
    # other processes, so hold it in a child.
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, duckdb; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); "
            "sys.stdin.read()",
            str(store_file),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        result = runner.invoke(app, ["analytics", "rebuild"])
        assert result.exit_code == 1
        assert "open in another process" in result.output
    finally:
        holder.communicate("", timeout=30)
    AnalyticsStore(store_file).close()  # free again
