"""``kohtaamo demo`` analyses the seeded comments, so the text pages open with data."""

from __future__ import annotations

from sqlalchemy import func, select
from typer.testing import CliRunner

from kohtaamo.accounts.models import Organisation
from kohtaamo.cli.main import app
from kohtaamo.demo import MAIN_ORGANISATION
from kohtaamo.storage.db import Database
from kohtaamo.text.models import CommentAnalysis, CommentLemma


def test_a_seeded_demo_has_its_comments_analysed(runner: CliRunner, cli_env: Database) -> None:
    result = runner.invoke(app, ["demo", "--no-serve", "--size", "100"])
    assert result.exit_code == 0, result.output
    with cli_env.transaction() as session:
        org = session.scalar(
            select(Organisation.id).where(Organisation.slug == MAIN_ORGANISATION.slug)
        )
        organisations = list(session.scalars(select(Organisation.id)))
    with cli_env.transaction(org) as session:
        total = session.scalar(select(func.count()).select_from(CommentAnalysis))
        pending = session.scalar(
            select(func.count())
            .select_from(CommentAnalysis)
            .where(CommentAnalysis.analysed_at.is_(None))
        )
        labels = set(session.scalars(select(CommentAnalysis.sentiment).distinct()))
        lemmas = session.scalar(select(func.count()).select_from(CommentLemma))
    assert total and pending == 0
    assert {"positive", "negative"} <= labels  # analysed, not merely stored
    assert lemmas
    # The festival organisation's comments are analysed too: the line counts both.
    everyone = 0
    for organisation_id in organisations:
        with cli_env.transaction(organisation_id) as session:
            everyone += session.scalar(select(func.count()).select_from(CommentAnalysis)) or 0
    assert everyone > total
    assert f"Analysed {everyone:,} comments" in result.stdout
