"""One settings object for the whole application.

Values come from ``KOHTAAMO_*`` environment variables and an optional ``.env`` file.
Outside development mode the application refuses to start with the default secret.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-insecure-change-me"

Mode = Literal["development", "production", "test"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KOHTAAMO_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    mode: Mode = "development"
    secret_key: str = DEFAULT_SECRET
    database_url: str = "sqlite:///./kohtaamo.db"
    base_url: str = "http://127.0.0.1:8000"

    # Jobs: "embedded" runs them in the app process (SQLite, demo); "worker" leaves them
    # to `kohtaamo worker` processes (PostgreSQL + procrastinate).
    jobs_mode: Literal["embedded", "worker", "off"] = "embedded"

    mail_backend: Literal["smtp", "console", "memory"] = "console"
    mail_from: str = "Kohtaamo <no-reply@kohtaamo.local>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout_s: float = 10.0

    default_locale: Literal["fi", "en"] = "fi"
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    session_max_age_s: int = Field(default=12 * 3600, ge=60)
    login_max_failures: int = Field(default=5, ge=1)
    login_window_s: int = Field(default=15 * 60, ge=1)
    trusted_proxies: list[str] = Field(default_factory=list)
    # Public survey submissions per minute (0: no limit): per client address and survey,
    # and per organisation. See surveys/abuse.py.
    survey_submissions_per_client: int = Field(default=30, ge=0)
    survey_submissions_per_organisation: int = Field(default=600, ge=0)
    # The analytics store (DuckDB file; ":memory:" for tests). None: next to the SQLite
    # database, else ./kohtaamo-analytics.duckdb; in test mode, in memory.
    analytics_path: str | None = None
    # Keep the store in step from a background thread of the server. None: yes, except
    # in test mode, where readers sync before they read (see analytics.tasks).
    analytics_background_sync: bool | None = None
    analytics_poll_s: float = Field(default=2.0, gt=0)

    @property
    def is_production(self) -> bool:
        return self.mode == "production"

    @property
    def cookie_secure(self) -> bool:
        return self.base_url.startswith("https://")

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.mode == "production":
            if self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32:
                raise ValueError(
                    "KOHTAAMO_SECRET_KEY must be set to a random value of at least 32 "
                    "characters outside development mode"
                )
            if self.mail_backend == "smtp" and self.smtp_password == "":
                raise ValueError("KOHTAAMO_SMTP_PASSWORD is empty")
        return self

    def sqlite_path(self) -> Path | None:
        if not self.database_url.startswith("sqlite"):
            return None
        return Path(self.database_url.split("///", 1)[1])


@lru_cache
def get_settings() -> Settings:
    return Settings()
