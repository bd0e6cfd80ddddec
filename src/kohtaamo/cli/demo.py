"""``kohtaamo demo``: a database with the demo organisation, served, in one command.

The README's first command (``./dev demo``) runs this on a fresh machine, so it must work
with nothing configured: an embedded SQLite file (``./kohtaamo.db``) is created or
migrated, seeded once, and served; the printout says where to go and how to sign in.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from sqlalchemy.engine import make_url

from kohtaamo.cli.analytics import fill_store
from kohtaamo.cli.common import friendly_errors, load_settings, open_database
from kohtaamo.cli.serve import ensure_port_free, run_server
from kohtaamo.cli.text import analyse_demo
from kohtaamo.demo import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    MANAGER_EMAIL,
    ORGANISATIONS,
    DemoSummary,
    demo_exists,
    parse_size,
    seed_demo,
)
from kohtaamo.demo.generator import ProgressFn
from kohtaamo.storage.db import Database


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def _check_size(value: str) -> str:
    try:
        parse_size(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    return value


@friendly_errors
def demo(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    size: Annotated[
        str,
        typer.Option(
            callback=_check_size,
            metavar="SIZE",
            help="small (2,000 customers), medium (50,000), large (1,000,000) "
            "or a number of customers. Used only when the demo is created.",
        ),
    ] = "small",
    seed: Annotated[int, typer.Option(help="Random seed: the same seed makes the same data.")] = 42,
    reset: Annotated[
        bool,
        typer.Option("--reset", help="Delete the SQLite database file first and start afresh."),
    ] = False,
    serve: Annotated[
        bool,
        typer.Option("--serve/--no-serve", help="Serve after seeding; --no-serve only seeds."),
    ] = True,
) -> None:
    """Try Kohtaamo: create or upgrade the database, add the demo organisation if it is
    missing, print how to sign in and serve it on http://127.0.0.1:8000.

    The database is ./kohtaamo.db unless KOHTAAMO_DATABASE_URL names another. --reset
    deletes only a SQLite file that holds nothing but the demo.
    """
    settings = load_settings()
    if settings.is_production:
        _fail("the demo publishes its password; it will not run with KOHTAAMO_MODE=production")
    db_file = settings.sqlite_path()
    if db_file is not None and db_file.name in ("", ":memory:"):
        _fail("the demo needs a database file, e.g. KOHTAAMO_DATABASE_URL=sqlite:///./kohtaamo.db")
    if reset:
        _reset(db_file)
    if serve:
        ensure_port_free(host, port)  # before the seeding, not after it
    where = db_file.resolve() if db_file else make_url(settings.database_url)
    typer.echo(f"Database: {where}")
    with open_database(settings) as db:
        if demo_exists(db):
            typer.echo(
                "The demo organisation is already there; keeping it "
                "(--reset makes it afresh, e.g. with another --size)."
            )
        else:
            _seed(db, size, seed)
            _analyse_comments(db)
        fill_store(settings, db, required=False)  # the dashboards read the analytics store
    url = _url(host, port)
    _print_sign_in(url, serving=serve)
    if serve:
        if "base_url" not in settings.model_fields_set:
            settings = settings.model_copy(update={"base_url": url.rstrip("/")})
        run_server(settings, host, port)


def _fail(message: str) -> NoReturn:
    typer.secho(f"error: {message}", err=True, fg="red")
    raise typer.Exit(1)


def _reset(db_file: Path | None) -> None:
    if db_file is None:
        _fail(
            "--reset deletes only SQLite database files; "
            "drop and create the PostgreSQL database yourself"
        )
    if not db_file.exists():
        typer.echo(f"Reset: there is no database at {db_file.resolve()} yet.")
        return
    _refuse_foreign_database(db_file)
    for path in (db_file, *(db_file.with_name(db_file.name + s) for s in ("-wal", "-shm"))):
        if path.exists():
            path.unlink()
            typer.echo(f"Reset: deleted {path.resolve()}")


def _refuse_foreign_database(db_file: Path) -> None:
    """--reset asks no questions, so it deletes only a database that holds nothing but
    the demo: never someone's real organisations or a file that is not Kohtaamo's."""
    demo_slugs = {org.slug for org in ORGANISATIONS}
    try:
        with closing(sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)) as conn:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            slugs = (
                {row[0] for row in conn.execute("SELECT slug FROM organisations")}
                if "organisations" in tables
                else set()
            )
    except sqlite3.DatabaseError:
        return  # unreadable or corrupt: exactly what a reset is for
    if tables and "alembic_version" not in tables:
        _fail(f"{db_file} is not a Kohtaamo database; not deleting it")
    if slugs - demo_slugs:
        others = ", ".join(sorted(slugs - demo_slugs))
        _fail(f"{db_file} holds organisations that are not the demo's ({others}); not deleting it")


def _seed(db: Database, size: str, seed: int) -> DemoSummary:
    typer.echo(f"Creating the demo organisations (size {size}, seed {seed})…")
    with _progress() as report:
        try:
            summary = seed_demo(db, size=parse_size(size), seed=seed, progress=report)
        except BaseException:
            typer.secho(
                "error: creating the demo failed and the database is incomplete; "
                "`kohtaamo demo --reset` starts afresh",
                err=True,
                fg="red",
            )
            raise
    made = ", ".join(f"{count:,} {step}" for step, count in summary.counts.items())
    typer.echo(f"Created in {summary.seconds:.1f} s: {made}.")
    return summary


def _analyse_comments(db: Database) -> None:
    """The seeded comments were stored before any server listened for new answers:
    analyse them and fit each organisation's text model now, so the text pages have data."""
    started = time.perf_counter()
    with _progress() as report:
        counts = analyse_demo(db, [o.slug for o in ORGANISATIONS], report)
    typer.echo(
        f"Analysed {sum(counts.values()):,} comments in {time.perf_counter() - started:.1f} s."
    )


@contextmanager
def _progress() -> Iterator[ProgressFn]:
    """Bars on a terminal; elsewhere (scripts, logs) a line per finished step or tenth."""
    console = Console(stderr=True)
    if not console.is_terminal:
        printed: dict[str, int] = {}

        def plain(step: str, done: int, total: int) -> None:
            tenth = done * 10 // total if total else 10
            if done and tenth > printed.get(step, 0) and (tenth == 10 or total >= 10_000):
                printed[step] = tenth
                typer.echo(f"  {step}: {done:,}/{total:,}", err=True)

        yield plain
        return
    columns = (TextColumn("  {task.description:<16}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console) as bars:
        tasks: dict[str, TaskID] = {}

        def rich(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bars.add_task(step, total=total)
            bars.update(tasks[step], completed=done, total=total)

        yield rich


def _url(host: str, port: int) -> str:
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"  # listening everywhere; the browser on this machine uses loopback
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def _print_sign_in(url: str, *, serving: bool) -> None:
    names = {org.slug: org.name for org in ORGANISATIONS}
    lead = "Open" if serving else "Start it with `kohtaamo serve`, open"
    typer.echo("")
    typer.secho(f"{lead} {url} and sign in as the demo manager:", bold=True)
    typer.echo(f"  e-mail:    {MANAGER_EMAIL}")
    typer.echo(f"  password:  {DEMO_PASSWORD}")
    typer.echo("")
    typer.echo("Every role has a login with the same password:")
    for login in DEMO_LOGINS:
        roles = ", ".join(f"{role.value} in {names[slug]}" for slug, role in login.roles)
        typer.echo(f"  {login.email:<32} {login.name:<18} {roles}")
    if serving:
        typer.echo("")
        typer.echo("Stop with Ctrl+C.")
