"""Settings: environment variables, and no production start with default secrets."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kohtaamo.config import DEFAULT_SECRET, Settings


def test_environment_variables_configure_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOHTAAMO_DATABASE_URL", "postgresql+psycopg://k@db/kohtaamo")
    monkeypatch.setenv("KOHTAAMO_MAX_BODY_BYTES", "4096")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://k@db/kohtaamo"
    assert settings.max_body_bytes == 4096


@pytest.mark.parametrize("secret", [DEFAULT_SECRET, "too-short"])
def test_production_refuses_default_or_weak_secrets(secret: str) -> None:
    with pytest.raises(ValidationError, match="KOHTAAMO_SECRET_KEY"):
        Settings(mode="production", secret_key=secret)


def test_production_starts_with_a_real_secret() -> None:
    settings = Settings(mode="production", secret_key="x" * 40, base_url="https://cx.example.com")
    assert settings.is_production
    assert settings.cookie_secure


def test_development_keeps_the_default_secret_for_the_demo() -> None:
    assert Settings(mode="development").secret_key == DEFAULT_SECRET


def test_cli_refuses_to_start_with_a_default_secret_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from kohtaamo.cli.main import app

    monkeypatch.setenv("KOHTAAMO_MODE", "production")
    monkeypatch.delenv("KOHTAAMO_SECRET_KEY", raising=False)
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "KOHTAAMO_SECRET_KEY" in result.output
