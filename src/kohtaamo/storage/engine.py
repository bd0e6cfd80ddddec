"""Engines for SQLite (embedded, default) and PostgreSQL (production), with durability checks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "2",  # FULL: a committed transaction survives power loss too
    "foreign_keys": "1",
    "busy_timeout": "10000",
    # Per connection: ingestion looks up customers by external id in random order, and
    # the default 2 MB cache made most of those lookups read syscalls. Allocated as used.
    "cache_size": "-65536",
    "temp_store": "memory",
}


class StorageMisconfigured(RuntimeError):
    """The database would not keep what Kohtaamo acknowledges; refuse to run."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, **kwargs)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, **kwargs)
    raise StorageMisconfigured(f"unsupported database: {parsed.get_backend_name()}")


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    # Pool as large as the server's worker threads (40): connections beyond the pool are
    # opened and closed per use, and opening one runs the pragmas above.
    if make_url(url).database not in (None, "", ":memory:"):
        kwargs.setdefault("pool_size", 40)
        kwargs.setdefault("max_overflow", 20)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for name, value in SQLITE_PRAGMAS.items():
            cur.execute(f"PRAGMA {name}={value}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the lock up front: a deferred transaction that later upgrades to
        # a write lock fails at once with "database is locked" instead of waiting.
        if conn.get_execution_options().get("kohtaamo_readonly"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def check_durability(engine: Engine) -> dict[str, str]:
    """Read the settings that make acknowledged writes durable; raise if any is off."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            found = {
                "journal_mode": str(conn.exec_driver_sql("PRAGMA journal_mode").scalar()),
                "synchronous": str(conn.exec_driver_sql("PRAGMA synchronous").scalar()),
                "foreign_keys": str(conn.exec_driver_sql("PRAGMA foreign_keys").scalar()),
            }
            expected = {"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1"}
        else:
            found = {
                name: str(conn.execute(text(f"SHOW {name}")).scalar())
                for name in ("fsync", "synchronous_commit", "full_page_writes")
            }
            expected = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
        conn.rollback()
    wrong = {k: v for k, v in found.items() if v.lower() != expected[k]}
    if wrong:
        raise StorageMisconfigured(
            "database durability settings are off: "
            + ", ".join(f"{k}={v} (need {expected[k]})" for k, v in wrong.items())
        )
    return found
