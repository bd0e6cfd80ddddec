"""Test fixtures: a real database (SQLite by default, PostgreSQL when
``KOHTAAMO_TEST_DATABASE_URL`` says so), the app, and factories.

Tests commit for real, as the app does; every table is emptied after each test. That is
what lets crash, concurrency and browser tests see exactly what production would.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from kohtaamo.app import create_app
from kohtaamo.config import Settings
from kohtaamo.models import Base
from kohtaamo.storage.db import Database
from kohtaamo.storage.migrate import upgrade
from tests.factories import Factory

TEST_SECRET = "test-secret-0123456789abcdef0123456789abcdef"


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("KOHTAAMO_TEST_DATABASE_URL")
    if url:
        return url
    if os.environ.get("CI") == "true" and os.environ.get("KOHTAAMO_TEST_REQUIRE_POSTGRES"):
        pytest.fail("KOHTAAMO_TEST_DATABASE_URL is required in CI for the PostgreSQL pass")
    path: Path = tmp_path_factory.mktemp("db") / "kohtaamo-test.db"
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def _migrated(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    if db.dialect == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(db.engine)
    yield db
    db.dispose()


def _empty_all_tables(db: Database) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture
def db(_migrated: Database) -> Iterator[Database]:
    yield _migrated
    _empty_all_tables(_migrated)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        mode="test",
        database_url=database_url,
        secret_key=TEST_SECRET,
        mail_backend="memory",
        jobs_mode="off",
        login_max_failures=5,
    )


@pytest.fixture
def app(settings: Settings, db: Database) -> FastAPI:
    return create_app(settings, db)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        yield c


@pytest.fixture
def factory(db: Database) -> Factory:
    return Factory(db)


# --- Jobs and mail (owned by the jobs/mail engineer) -------------------------------------

from typing import Any  # noqa: E402


class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what arrives."""

    def __init__(self, port: int | None = None) -> None:
        import socket

        if port is None:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
        self.host = "127.0.0.1"
        self.port: int = port
        # email.message.EmailMessage, plus X-MailFrom / X-RcptTo from the envelope
        self.messages: list[Any] = []
        self._controller: Any = None

    def start(self) -> SmtpSink:
        import email
        import email.policy

        from aiosmtpd.controller import Controller

        sink = self

        class _Keep:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                message["X-MailFrom"] = envelope.mail_from
                message["X-RcptTo"] = ", ".join(envelope.rcpt_tos)
                sink.messages.append(message)
                return "250 OK"

        self._controller = Controller(_Keep(), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_runner(db: Database, settings: Settings, smtp_server: SmtpSink) -> Iterator[Any]:
    """A job runner whose mail goes to ``smtp_server``: ``smtp_runner.run_pending()``."""
    from datetime import timedelta

    from kohtaamo.jobs.runner import Runner

    smtp = settings.model_copy(
        update={
            "mail_backend": "smtp",
            "smtp_host": smtp_server.host,
            "smtp_port": smtp_server.port,
            "smtp_timeout_s": 2.0,
        }
    )
    runner = Runner(db, smtp, lease=timedelta(seconds=5), schedule=False)
    yield runner
    runner.stop()


# --- Demo data --------------------------------------------------------------------------


@pytest.fixture
def foundation_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seed only the organisations and staff: for tests of sizes that would otherwise
    write hundreds of thousands of customers' journeys just to count people."""
    from kohtaamo.demo import generator

    kept = {k: c for k, c in generator._REGISTRY.items() if k.startswith("foundation.")}
    monkeypatch.setattr(generator, "_REGISTRY", kept)
