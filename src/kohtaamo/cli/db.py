"""``kohtaamo db``: the database schema."""

from __future__ import annotations

import typer

from kohtaamo.cli.common import friendly_errors, load_settings, open_database
from kohtaamo.storage.migrate import current_revision

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
@friendly_errors
def upgrade_cmd() -> None:
    """Create the database or bring its schema up to date."""
    settings = load_settings()
    with open_database(settings) as db:
        typer.echo(f"database at revision {current_revision(db.engine)}")
