"""``kohtaamo backup`` and ``kohtaamo restore``: online backups of the operational
database (see :mod:`kohtaamo.storage.backup`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kohtaamo.analytics.store import MEMORY, store_path
from kohtaamo.cli.common import load_settings
from kohtaamo.storage.backup import BackupError
from kohtaamo.storage.backup import backup as make_backup
from kohtaamo.storage.backup import restore as restore_backup


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)


def _say(line: str) -> None:
    typer.echo(line, err=True)


def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup (a new file).")],
) -> None:
    """Write a consistent backup of the database while the server keeps running."""
    settings = load_settings()
    try:
        result = make_backup(settings.database_url, file, progress=_say)
    except BackupError as exc:
        typer.secho(f"error: {exc}", err=True, fg="red")
        raise typer.Exit(1) from exc
    typer.echo(f"{result.path}\t{result.kind}\t{result.bytes}")


def restore(
    file: Annotated[Path, typer.Argument(help="A file written by `kohtaamo backup`.")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite the existing database.")
    ] = False,
) -> None:
    """Bring a backup back as the configured database (stop the server first)."""
    settings = load_settings()
    store = store_path(settings)
    try:
        restore_backup(
            file,
            settings.database_url,
            replace=replace,
            analytics_path=None if store == MEMORY else Path(store),
            progress=_say,
        )
    except BackupError as exc:
        typer.secho(f"error: {exc}", err=True, fg="red")
        raise typer.Exit(1) from exc
    typer.echo("restored; run `kohtaamo db upgrade` if the backup is from an older version")
