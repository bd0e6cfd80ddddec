"""R-05: an online backup taken while events keep arriving restores into a database that
passes its integrity check, boots the app, and holds every event acknowledged before the
backup began and nothing that was never acknowledged. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from kohtaamo.app import create_app
from kohtaamo.cli.main import app as cli
from kohtaamo.config import Settings
from kohtaamo.journeys import ingest
from kohtaamo.journeys.models import InteractionEvent
from kohtaamo.storage.backup import BackupError, backup, restore
from kohtaamo.storage.db import Database
from kohtaamo.storage.engine import check_durability
from tests.conftest import TEST_SECRET
from tests.factories import Factory
from tests.journeys.helpers import Catalogue, seed

AT = (datetime.now(UTC) - timedelta(hours=1)).isoformat()


class Writer(threading.Thread):
    """Sends one event at a time and records its key once the call has returned: the
    moment the caller was told it is stored."""

    def __init__(self, db: Database, cat: Catalogue) -> None:
        super().__init__(daemon=True)
        self.db, self.cat = db, cat
        self.acked: list[str] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        n = 0
        try:
            while not self.stop.is_set():
                key = f"e-{n}"
                item = {
                    "id": key,
                    "customer": f"c-{n % 7}",
                    "touchpoint": "website",
                    "occurred_at": AT,
                }
                result = ingest.ingest_events(self.db, self.cat.actor, [item])
                assert result.outcomes[0].status in {"stored", "duplicate"}
                self.acked.append(key)
                n += 1
        except BaseException as exc:
            self.error = exc

    def wait_for(self, count: int) -> None:
        for _ in range(600):
            if len(self.acked) >= count or self.error is not None:
                return
            self.stop.wait(0.05)


@pytest.fixture
def target_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind to restore into."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"kohtaamo_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _keys(url: str, org: uuid.UUID) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(InteractionEvent.event_key).where(InteractionEvent.organisation_id == org)
            )
            return {r[0] for r in rows}
    finally:
        engine.dispose()


def test_backup_during_writes_restores_exactly_the_acknowledged(
    db: Database, database_url: str, target_url: str, factory: Factory, tmp_path: Path
) -> None:
    cat = seed(db, factory.organisation())
    writer = Writer(db, cat)
    writer.start()
    writer.wait_for(40)
    before = set(writer.acked)
    lines: list[str] = []
    result = backup(database_url, tmp_path / "kohtaamo.backup", progress=lines.append)
    writer.wait_for(len(before) + 20)  # writes went on after the snapshot
    writer.stop.set()
    writer.join(30)
    assert writer.error is None, writer.error
    acked = set(writer.acked)
    assert len(before) >= 40 and len(acked) > len(before)
    assert result.bytes > 0 and lines and "backup written" in lines[-1]

    restore(result.path, target_url, progress=lines.append)
    restored = _keys(target_url, cat.org.id)
    assert before <= restored, "an event acknowledged before the backup is missing"
    assert restored <= acked, "the backup holds an event that was never acknowledged"
    assert restored < _keys(database_url, cat.org.id)  # writes after the snapshot stay out

    restored_db = Database(target_url)
    try:
        check_durability(restored_db.engine)
        if restored_db.dialect == "sqlite":
            with restored_db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        settings = Settings(
            mode="test",
            database_url=target_url,
            secret_key=TEST_SECRET,
            mail_backend="memory",
            jobs_mode="off",
        )
        with TestClient(create_app(settings, restored_db)) as client:
            assert client.get("/login").status_code == 200
    finally:
        restored_db.dispose()


def test_backup_never_overwrites_and_restore_never_replaces_silently(
    db: Database, database_url: str, target_url: str, factory: Factory, tmp_path: Path
) -> None:
    seed(db, factory.organisation())
    dest = tmp_path / "one.backup"
    backup(database_url, dest)
    with pytest.raises(BackupError, match="never overwrites"):
        backup(database_url, dest)
    restore(dest, target_url)
    with pytest.raises(BackupError, match="--replace"):
        restore(dest, target_url)
    restore(dest, target_url, replace=True)
    with pytest.raises(BackupError, match="no backup"):
        restore(tmp_path / "missing.backup", target_url)


def test_cli_backup_and_restore(
    db: Database,
    database_url: str,
    target_url: str,
    factory: Factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cat = seed(db, factory.organisation())
    ingest.ingest_events(
        db,
        cat.actor,
        [{"id": "cli-1", "customer": "c", "touchpoint": "website", "occurred_at": AT}],
    )
    runner = CliRunner()
    dest = tmp_path / "cli.backup"
    monkeypatch.setenv("KOHTAAMO_DATABASE_URL", database_url)
    made = runner.invoke(cli, ["backup", str(dest)])
    assert made.exit_code == 0, made.output
    again = runner.invoke(cli, ["backup", str(dest)])
    assert again.exit_code == 1 and "never overwrites" in again.output

    monkeypatch.setenv("KOHTAAMO_DATABASE_URL", target_url)
    monkeypatch.setenv("KOHTAAMO_ANALYTICS_PATH", str(tmp_path / "store.duckdb"))
    (tmp_path / "store.duckdb").write_bytes(b"stale")
    done = runner.invoke(cli, ["restore", str(dest)])
    assert done.exit_code == 0, done.output
    assert not (tmp_path / "store.duckdb").exists()  # rebuilt by the server, never stale
    assert _keys(target_url, cat.org.id) == {"cli-1"}
