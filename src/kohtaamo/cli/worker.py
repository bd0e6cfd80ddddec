"""``kohtaamo worker``: run background jobs outside the web process."""

from __future__ import annotations

import asyncio
import signal
import threading
from datetime import timedelta
from typing import Annotated

import typer

from kohtaamo.cli.common import friendly_errors, load_settings, open_database
from kohtaamo.jobs.runner import Runner, worker_name


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


@friendly_errors
def worker(
    embedded: Annotated[
        bool,
        typer.Option(
            "--embedded",
            help="Run the in-process runner as a standalone worker (any database, no queue).",
        ),
    ] = False,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Jobs run at once.")] = 4,
    lease: Annotated[
        float,
        typer.Option(
            min=0.5,
            help="Seconds a job may run before another worker may take it over.",
        ),
    ] = 300.0,
    poll: Annotated[float, typer.Option(min=0.05, help="Seconds between checks for jobs.")] = 1.0,
    import_: Annotated[
        list[str],
        typer.Option("--import", help="Also load tasks from this module (repeatable)."),
    ] = [],  # noqa: B006
) -> None:
    """Run background jobs until stopped (SIGTERM/Ctrl-C finishes the current ones)."""
    settings = load_settings()
    modules = tuple(import_)
    with open_database(settings) as db:
        if embedded:
            runners = [
                Runner(
                    db,
                    settings,
                    lease=timedelta(seconds=lease),
                    poll_interval=poll,
                    extra_task_modules=modules,
                    schedule=i == 0,
                )
                for i in range(concurrency)
            ]
            _run_embedded(runners)
            return
        if db.dialect != "postgresql":
            typer.secho(
                "The embedded mode needs no worker: `kohtaamo serve` runs jobs itself on "
                "SQLite. Use --embedded to run them in a separate process anyway.",
                err=True,
                fg="yellow",
            )
            raise typer.Exit(2)
        from kohtaamo.jobs import worker as queue_worker  # procrastinate: production only

        name = worker_name("worker")
        typer.echo(f"worker {name} started (procrastinate, concurrency {concurrency})")
        asyncio.run(
            queue_worker.serve(
                db,
                settings,
                name=name,
                concurrency=concurrency,
                lease=timedelta(seconds=lease),
                poll_interval=poll,
                extra_task_modules=modules,
            )
        )


def _run_embedded(runners: list[Runner]) -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    for runner in runners:
        runner.start()
    typer.echo(f"worker {runners[0].name} started (embedded, {len(runners)} thread(s))")
    try:
        stop.wait()
    finally:
        for runner in runners:
            runner.stop()
