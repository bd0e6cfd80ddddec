"""``kohtaamo analytics``: the analytics store (DuckDB) kept from the operational database.

The running server keeps the store in step by itself and owns its file; these commands
open the file themselves, so they need the server stopped (they say so if it is not).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from kohtaamo.analytics.store import AnalyticsStore, StoreBusy, store_path
from kohtaamo.analytics.sync import Progress as ProgressFn
from kohtaamo.analytics.sync import SyncResult, rebuild, sync
from kohtaamo.cli.common import friendly_errors, load_settings, open_database
from kohtaamo.config import Settings
from kohtaamo.storage.db import Database

app = typer.Typer(help="The analytics store: rebuild, sync, status.", no_args_is_help=True)


class _Skip(Exception):
    pass


@contextmanager
def _store(settings: Settings, *, required: bool = True) -> Iterator[AnalyticsStore]:
    try:
        store = AnalyticsStore(store_path(settings))
    except StoreBusy as exc:
        if not required:
            typer.echo(f"Analytics store not filled now: {exc}", err=True)
            raise _Skip from exc
        typer.secho(f"error: {exc}", err=True, fg="red")
        raise typer.Exit(1) from exc
    try:
        yield store
    finally:
        store.close()


@contextmanager
def _progress() -> Iterator[ProgressFn]:
    """A bar per phase on a terminal; elsewhere a line per finished phase."""
    console = Console(stderr=True)
    if not console.is_terminal:

        def plain(phase: str, done: int, total: int | None) -> None:
            if total is not None and done >= total:
                typer.echo(f"  {phase}: {done:,}", err=True)

        yield plain
        return
    columns = (TextColumn("  {task.description:<12}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console) as bars:
        tasks: dict[str, TaskID] = {}

        def rich(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bars.add_task(phase, total=total)
            bars.update(tasks[phase], completed=done, total=total)

        yield rich


def _report(result: SyncResult, store: AnalyticsStore) -> None:
    rows = store.status()["rows"]
    typer.echo(
        f"{result.measures_added:,} measures added, {result.erasures_applied:,} erasures "
        f"applied in {result.seconds:.1f} s; the store holds {rows['measures']:,} measures "  # type: ignore[index]
        f"(watermark {result.watermark})."
    )


def fill_store(
    settings: Settings, db: Database, *, full: bool = False, required: bool = True
) -> None:
    """Sync (or rebuild) the store with a progress bar; ``kohtaamo demo`` calls it with
    ``required=False``: if a server holds the store, that server fills it."""
    run: Callable[..., SyncResult] = rebuild if full else sync
    try:
        with _store(settings, required=required) as store:
            with _progress() as report:
                result = run(store, db, progress=report)
            _report(result, store)
    except _Skip:
        return


@app.command("rebuild")
@friendly_errors
def rebuild_command() -> None:
    """Drop the store and copy everything again from the operational database."""
    settings = load_settings()
    typer.echo(f"Analytics store: {store_path(settings)}")
    with open_database(settings) as db:
        fill_store(settings, db, full=True)


@app.command("sync")
@friendly_errors
def sync_command() -> None:
    """Copy what is new (responses, erasures, dimension changes) into the store."""
    settings = load_settings()
    typer.echo(f"Analytics store: {store_path(settings)}")
    with open_database(settings) as db:
        fill_store(settings, db)


@app.command("status")
@friendly_errors
def status_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Rows per table, watermarks and when the store was last synced."""
    settings = load_settings()
    with _store(settings) as store:
        status = store.status()
    if as_json:
        typer.echo(json.dumps(status, indent=2, sort_keys=True))
        return
    state: dict[str, str] = status["state"]  # type: ignore[assignment]
    rows: dict[str, int] = status["rows"]  # type: ignore[assignment]
    typer.echo(f"Analytics store: {status['path']}")
    for table, count in rows.items():
        typer.echo(f"  {table:<12} {count:>12,} rows")
    typer.echo(f"  measure watermark:   {state.get('measures_watermark', '-')}")
    typer.echo(f"  erasure watermark:   {state.get('tombstones_watermark', '-')}")
    typer.echo(f"  last sync (UTC):     {state.get('synced_at', 'never')}")
