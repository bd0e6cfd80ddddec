from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

from kohtaamo.accounts import passwords
from kohtaamo.storage.db import Database


@pytest.fixture
def cli_env(
    database_url: str, db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> Database:
    """Commands read their settings from the environment, as in real use: point them at
    the test database (emptied after each test through ``db``), in a directory without a
    stray ``.env``."""
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    for name in ("KOHTAAMO_MODE", "KOHTAAMO_SECRET_KEY", "KOHTAAMO_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KOHTAAMO_DATABASE_URL", database_url)
    # Commands that create users hash passwords; test-strength argon2 keeps them quick.
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    return db


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
