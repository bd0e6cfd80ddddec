"""Online backups and restores of the operational database.

SQLite is copied through its Online Backup API in one step: the copy is one read
transaction, so it is a consistent snapshot while writers go on (in WAL mode they are not
blocked), never a ``cp`` of a live file that could miss pages still in the ``-wal``.
PostgreSQL is dumped with ``pg_dump --format=custom``, which reads one snapshot, and
restored with ``pg_restore``; both programs come with the server packages.

The analytics store is not part of a backup: it is a copy that the server rebuilds from
the operational database (:mod:`kohtaamo.analytics.sync`), so a restore removes a store
that would be ahead of the restored rows.
"""

from __future__ import annotations

import glob
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

Progress = Callable[[str], None]


class BackupError(RuntimeError):
    """A backup or restore that could not be made; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    kind: str  # sqlite | postgresql
    bytes: int


def _quiet(_line: str) -> None:
    return None


def _sqlite_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(database)


def _pg_program(name: str) -> str:
    """``pg_dump``/``pg_restore`` from PATH, else the newest Debian server's."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise BackupError(f"{name} was not found: install the PostgreSQL client programs")
    return candidates[-1]


def _libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq understands it (no ``+psycopg`` driver part)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def backup(url: str, dest: Path, *, progress: Progress = _quiet) -> BackupResult:
    """Write a consistent copy of the database at ``url`` to ``dest`` (not overwritten)."""
    if dest.exists():
        raise BackupError(f"{dest} exists already; a backup never overwrites a file")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    if url.startswith("sqlite"):
        source_path = _sqlite_file(url)
        if not source_path.exists():
            raise BackupError(f"there is no database at {source_path}")
        progress(f"copying {source_path} through the SQLite backup API")
        source = sqlite3.connect(source_path)
        target = sqlite3.connect(partial)
        try:
            # One step (pages=-1): one read transaction, hence one consistent snapshot.
            source.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        finally:
            target.close()
            source.close()
        _check_sqlite(partial)
        kind = "sqlite"
    elif url.startswith("postgresql"):
        progress("dumping with pg_dump (one snapshot)")
        _run(
            [
                _pg_program("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--file",
                str(partial),
                _libpq_url(url),
            ]
        )
        kind = "postgresql"
    else:
        raise BackupError(f"cannot back up a database of this kind: {make_url(url).drivername}")
    partial.rename(dest)  # a file named like the backup is always a whole backup
    size = dest.stat().st_size
    progress(f"backup written: {dest} ({size} bytes)")
    return BackupResult(dest, kind, size)


def restore(
    source: Path,
    url: str,
    *,
    replace: bool = False,
    analytics_path: Path | None = None,
    progress: Progress = _quiet,
) -> None:
    """Bring the backup ``source`` back as the database at ``url``.

    An existing database is replaced only with ``replace``. Afterwards the copy's
    integrity is checked; migrations are left to the caller (``kohtaamo db upgrade`` or
    the next start), so a backup of an older version restores as it was.
    """
    if not source.is_file():
        raise BackupError(f"there is no backup at {source}")
    if url.startswith("sqlite"):
        target = _sqlite_file(url)
        if target.exists() and not replace:
            raise BackupError(f"{target} exists; pass --replace to overwrite it")
        _check_sqlite(source)
        progress(f"restoring {source} into {target}")
        staged = target.with_name(target.name + ".restoring")
        staged.unlink(missing_ok=True)
        shutil.copyfile(source, staged)
        connection = sqlite3.connect(staged)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
        finally:
            connection.close()
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        staged.replace(target)
        _check_sqlite(target)
    elif url.startswith("postgresql"):
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                tables = conn.execute(
                    text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
                ).scalar_one()
        finally:
            engine.dispose()
        if tables and not replace:
            raise BackupError("the target database has tables; pass --replace to overwrite it")
        progress(f"restoring {source} with pg_restore")
        _run(
            [
                _pg_program("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                _libpq_url(url),
                str(source),
            ]
        )
    else:
        raise BackupError(f"cannot restore a database of this kind: {make_url(url).drivername}")
    if analytics_path is not None and analytics_path.exists():
        # The store may hold rows newer than the restored database; the server rebuilds it.
        analytics_path.unlink()
        Path(str(analytics_path) + ".wal").unlink(missing_ok=True)
        progress(f"removed the analytics store {analytics_path}; the server rebuilds it")
    progress("restore finished")


def _check_sqlite(path: Path) -> None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database: {exc}") from exc
    finally:
        connection.close()
    if result is None or result[0] != "ok":
        raise BackupError(f"{path} fails the integrity check: {result}")


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        # Never echo the command: its URL may carry the password.
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[:2000]}")
