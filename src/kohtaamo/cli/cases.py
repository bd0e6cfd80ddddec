"""``kohtaamo cases``: complaints that arrive by e-mail, piped in by the mail server.

An MTA alias such as ``reklamaatiot: "|kohtaamo cases complaint-mail - --org acme"``
hands each message to this command; it opens one complaint case per Message-ID (a
retried delivery finds the case it opened) and exits non-zero with a one-line reason
when the message cannot be used (the MTA then bounces or retries it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kohtaamo.cases import complaint_mail as mail
from kohtaamo.cases.complaint_mail import MAX_BYTES
from kohtaamo.cli.common import friendly_errors, load_settings, open_database, operator
from kohtaamo.errors import InvalidInput

app = typer.Typer(help="Cases: complaints by e-mail.", no_args_is_help=True)

OrgOption = Annotated[str, typer.Option(help="Short name of the organisation.")]


def _read(source: str) -> bytes:
    if source == "-":
        raw = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        path = Path(source)
        if not path.is_file():
            raise InvalidInput("No such file: %(path)s.", field="file", path=source)
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise InvalidInput("The message is too large: at most %(size)s MB.", field="file", size=1)
    return raw


@app.command("complaint-mail")
@friendly_errors
def complaint_mail(
    org: OrgOption,
    source: Annotated[
        str, typer.Argument(help="A file holding one raw e-mail (RFC 822), or - for stdin.")
    ] = "-",
) -> None:
    """Open a complaint case from one raw e-mail (forwarded by a colleague or not)."""
    raw = _read(source)
    settings = load_settings()
    with open_database(settings) as db:
        actor = operator(db, org)
        with db.transaction(actor.organisation_id) as session:
            case, created = mail.receive(session, raw, actor=actor)
            number, contact = case.number, case.contact_email
    verb = "opened" if created else "already received as"
    typer.echo(f"Complaint {verb} case #{number} ({contact}).")
