"""``kohtaamo worker``: what it says where it is not needed, and its connection string."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kohtaamo.cli.main import app
from kohtaamo.jobs.worker import conninfo
from kohtaamo.storage.db import Database
from tests.jobs.conftest import subprocess_env


def test_on_sqlite_the_worker_explains_that_none_is_needed(
    jobs_db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if jobs_db.dialect != "sqlite":
        pytest.skip("on PostgreSQL the worker is needed")
    for name, value in subprocess_env(database_url).items():
        if name.startswith("KOHTAAMO_"):
            monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code == 2
    assert "embedded mode needs no worker" in result.output.lower()
    assert "--embedded" in result.output


def test_conninfo_is_a_libpq_uri() -> None:
    url = "postgresql+psycopg://kohtaamo:s%40lasana@db.internal:5433/kohtaamo?sslmode=require"
    assert (
        conninfo(url)
        == "postgresql://kohtaamo:s%40lasana@db.internal:5433/kohtaamo?sslmode=require"
    )
    with pytest.raises(ValueError):
        conninfo("sqlite:///kohtaamo.db")
