"""``kohtaamo cases complaint-mail``: a message piped by the mail server (or read from a
file) opens one complaint case in the named organisation; a redelivery opens none; bad
input exits non-zero with a clear one-line reason and opens nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from kohtaamo.cases.models import Case
from kohtaamo.cli.main import app
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from tests.factories import Factory

MAIL = """\
From: Pekka Korhonen <pekka@kohtaamo-demo.fi>
To: reklamaatiot@kohtaamo-demo.fi
Subject: VS: Peruttu esitys
Message-ID: <cli-1@kohtaamo-demo.fi>
Content-Type: text/plain; charset="utf-8"

-----Original Message-----
From: Maija Mäkinen <maija.makinen@example.fi>
Sent: Monday, November 23, 2026 8:02 AM
Subject: Peruttu esitys

Esitys peruttiin, eikä kukaan kertonut siitä meille. Ajoimme turhaan Tampereelle.
"""


def count(db: Database) -> int:
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(Case)) or 0)


def test_a_piped_message_opens_one_case(
    runner: CliRunner, cli_env: Database, factory: Factory
) -> None:
    org = factory.organisation(slug="tapahtumatalo")
    first = runner.invoke(
        app, ["cases", "complaint-mail", "-", "--org", "tapahtumatalo"], input=MAIL
    )
    assert first.exit_code == 0, first.output
    assert "opened case #1 (maija.makinen@example.fi)" in first.stdout
    again = runner.invoke(app, ["cases", "complaint-mail", "--org", "tapahtumatalo"], input=MAIL)
    assert again.exit_code == 0, again.output
    assert "already received as case #1" in again.stdout
    with cli_env.transaction(org.id, readonly=True) as session:
        [case] = session.scalars(select(Case)).all()
        assert (case.source, case.title, case.language) == ("complaint", "Peruttu esitys", "fi")


def test_a_message_in_a_file(
    runner: CliRunner, cli_env: Database, factory: Factory, tmp_path: Path
) -> None:
    factory.organisation(slug="tapahtumatalo")
    path = tmp_path / "viesti.eml"
    path.write_bytes(MAIL.encode())
    result = runner.invoke(app, ["cases", "complaint-mail", str(path), "--org", "tapahtumatalo"])
    assert result.exit_code == 0, result.output
    assert count(cli_env) == 1


@pytest.mark.parametrize(
    ("args", "stdin", "reason"),
    [
        (["-", "--org", "tapahtumatalo"], "Subject: Hei\n\nEi lähettäjää.", "no sender address"),
        (["-", "--org", "tapahtumatalo"], "", "The message is empty"),
        (
            ["-", "--org", "tapahtumatalo"],
            "From: a@example.fi\n\n" + "x" * (1024 * 1024),
            "too large",
        ),
        (["/no/such/file.eml", "--org", "tapahtumatalo"], "", "No such file"),
        (["-", "--org", "nobody"], MAIL, "No organisation has this short name"),
    ],
)
def test_bad_input_exits_non_zero_with_a_reason(
    runner: CliRunner,
    cli_env: Database,
    factory: Factory,
    args: list[str],
    stdin: str,
    reason: str,
) -> None:
    factory.organisation(slug="tapahtumatalo")
    result = runner.invoke(app, ["cases", "complaint-mail", *args], input=stdin)
    assert result.exit_code == 1, result.output
    assert reason in result.stderr
    assert count(cli_env) == 0
