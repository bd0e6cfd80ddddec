"""``kohtaamo events|customers``: import and export interaction events and customer profiles."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from kohtaamo.cli.common import friendly_errors, load_settings, open_database, operator
from kohtaamo.i18n import gettext
from kohtaamo.journeys import imports

events_app = typer.Typer(help="Interaction events: import and export.", no_args_is_help=True)
customers_app = typer.Typer(help="Customer profiles next to CRM data.", no_args_is_help=True)

FileArg = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The file to import.")
]
OrgOption = Annotated[str, typer.Option(help="Short name of the organisation.")]
DelimiterOption = Annotated[
    str, typer.Option(help="auto, comma, semicolon or tab (auto reads the header line).")
]
EncodingOption = Annotated[
    str, typer.Option(help="auto (UTF-8 with or without BOM, else Latin-1) or a codec name.")
]
PROGRESS_EVERY = 10_000


def _progress(label: str) -> imports.Progress:
    shown = [0]

    def show(done: int) -> None:
        if done - shown[0] >= PROGRESS_EVERY:
            shown[0] = done
            typer.echo(f"{label}: {done:,} rows…", err=True)

    return show


def _print_report(report: imports.ImportReport, what: str) -> None:
    for problem in report.problems:
        try:
            message = gettext("en", problem.message, **problem.params)
        except (KeyError, ValueError):
            message = problem.message
        typer.echo(f"line {problem.line}: {problem.field}: {message}", err=True)
    typer.echo(
        f"{report.rows:,} rows read: {report.stored:,} {what} stored, "
        f"{report.duplicates:,} already there, {report.rejected:,} rejected."
    )
    typer.echo(
        f"Stored in {report.batches} batches of up to {imports.BATCH_ROWS:,} rows; "
        "each batch is stored completely or not at all.",
        err=True,
    )


@events_app.command("import")
@friendly_errors
def import_events(
    file: FileArg,
    org: OrgOption,
    delimiter: DelimiterOption = "auto",
    encoding: EncodingOption = "auto",
) -> None:
    """Import interaction events from CSV: event_id, customer_id, touchpoint, timestamp
    (ISO 8601 with a time zone); optional journey, journey_instance, channel_detail,
    order_value. Unknown customers get a bare profile; bad rows are reported by line."""
    with open_database(load_settings()) as db:
        actor = operator(db, org)
        report = imports.import_events_csv(
            db, actor, file, delimiter=delimiter, encoding=encoding, progress=_progress("events")
        )
    _print_report(report, "events")
    if report.rows and report.rejected == report.rows:
        raise typer.Exit(1)


@events_app.command("import-log")
@friendly_errors
def import_log(
    file: FileArg,
    org: OrgOption,
    create_touchpoints: Annotated[
        bool,
        typer.Option(
            "--create-touchpoints",
            help="Create unknown activities as touchpoints in channel 'other'.",
        ),
    ] = False,
) -> None:
    """Import a standard event log (XES, or CSV with case id, activity, timestamp): the case
    id is the customer, the activity the touchpoint key. Importing a log again stores
    nothing twice."""
    with open_database(load_settings()) as db:
        actor = operator(db, org)
        report = imports.import_event_log(
            db, actor, file, create_touchpoints=create_touchpoints, progress=_progress("events")
        )
    _print_report(report, "events")
    if report.rows and report.rejected == report.rows:
        raise typer.Exit(1)


@events_app.command("export")
@friendly_errors
def export_events(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="Where to write; '-' for stdout.")],
    org: OrgOption,
    format: Annotated[str, typer.Option(help="xes or csv.")] = "xes",
) -> None:
    """Write the organisation's events as an event log that process-mining tools read."""
    if format not in ("xes", "csv"):
        typer.secho("error: --format must be xes or csv", err=True, fg="red")
        raise typer.Exit(2)
    fmt: Literal["xes", "csv"] = "xes" if format == "xes" else "csv"
    with open_database(load_settings()) as db:
        actor = operator(db, org)
        with db.transaction(actor.organisation_id, readonly=True) as session:
            chunks = imports.export_event_log(session, actor, fmt)
            if str(file) == "-":
                for chunk in chunks:
                    sys.stdout.write(chunk)
            else:
                with file.open("w", encoding="utf-8", newline="") as out:
                    for chunk in chunks:
                        out.write(chunk)
                typer.echo(f"wrote {file}", err=True)


@customers_app.command("import")
@friendly_errors
def import_customers(
    file: FileArg,
    org: OrgOption,
    delimiter: DelimiterOption = "auto",
    encoding: EncodingOption = "auto",
) -> None:
    """Create or update customers from CSV: external_id, then any of segment, region, plan,
    customer_since, purchases, lifetime_value, locale; columns named consent:<name> are
    consents (yes/no); any other column becomes a free attribute. Empty cells change
    nothing."""
    with open_database(load_settings()) as db:
        actor = operator(db, org)
        report = imports.import_customers_csv(
            db, actor, file, delimiter=delimiter, encoding=encoding, progress=_progress("customers")
        )
    _print_report(report, "customers")
    if report.rows and report.rejected == report.rows:
        raise typer.Exit(1)
