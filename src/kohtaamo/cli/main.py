"""``kohtaamo``: the command line of Kohtaamo."""

from __future__ import annotations

import typer

from kohtaamo.cli import (
    accounts,
    analytics,
    analyze,
    backup,
    cases,
    db,
    demo,
    events,
    journeys,
    serve,
    surveys,
    text,
    worker,
)

app = typer.Typer(
    help="Kohtaamo: customer experience management.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(accounts.org_app, name="org")
app.add_typer(accounts.user_app, name="user")
app.add_typer(accounts.apikey_app, name="apikey")
app.add_typer(events.events_app, name="events")
app.add_typer(events.customers_app, name="customers")
app.add_typer(journeys.app, name="journeys")
app.add_typer(surveys.app, name="surveys")
app.add_typer(analyze.app, name="analyze")
app.add_typer(analytics.app, name="analytics")
app.add_typer(text.app, name="text")
app.add_typer(cases.app, name="cases")
serve.register(app)
demo.register(app)
worker.register(app)
backup.register(app)


if __name__ == "__main__":  # pragma: no cover
    app()
