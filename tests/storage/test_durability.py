"""R-03: the app refuses to run on a database that would lose acknowledged writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event

from kohtaamo.app import create_app
from kohtaamo.config import Settings
from kohtaamo.storage.db import Database
from kohtaamo.storage.engine import StorageMisconfigured, check_durability


def test_configured_database_is_durable(db: Database) -> None:
    found = check_durability(db.engine)
    if db.dialect == "sqlite":
        assert found == {"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1"}
    else:
        assert found == {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


def _sqlite_with(tmp_path: Path, **pragmas: str) -> Any:
    engine = create_engine(f"sqlite:///{tmp_path / 'drift.db'}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        for name, value in pragmas.items():
            cur.execute(f"PRAGMA {name}={value}")
        cur.close()

    return engine


DURABLE = {"journal_mode": "wal", "synchronous": "FULL", "foreign_keys": "ON"}


@pytest.mark.parametrize(
    ("drift", "named"),
    [
        ({"synchronous": "NORMAL"}, "synchronous=1"),
        ({"synchronous": "OFF"}, "synchronous=0"),
        ({"foreign_keys": "OFF"}, "foreign_keys=0"),
        ({"journal_mode": "DELETE"}, "journal_mode=delete"),
    ],
)
def test_sqlite_drift_is_refused(tmp_path: Path, drift: dict[str, str], named: str) -> None:
    engine = _sqlite_with(tmp_path, **(DURABLE | drift))
    with pytest.raises(StorageMisconfigured, match=named):
        check_durability(engine)
    engine.dispose()


def test_sqlite_durable_pragmas_pass(tmp_path: Path) -> None:
    engine = _sqlite_with(tmp_path, **DURABLE)
    assert check_durability(engine)["synchronous"] == "2"
    engine.dispose()


def test_create_app_refuses_a_non_durable_database(tmp_path: Path) -> None:
    engine = _sqlite_with(tmp_path, **(DURABLE | {"synchronous": "NORMAL"}))
    url = str(engine.url)
    settings = Settings(mode="test", database_url=url, secret_key="x" * 40)
    with pytest.raises(StorageMisconfigured, match="synchronous"):
        create_app(settings, Database(url, engine=engine))
    engine.dispose()


def test_postgres_reports_its_settings(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    found = check_durability(db.engine)
    assert set(found) == {"fsync", "synchronous_commit", "full_page_writes"}
