"""``kohtaamo text``: text analytics of comments from the command line, no database.

``kohtaamo text analyze [--lang fi|en|sv|auto] [FILE]`` reads one comment per line
(stdin when FILE is missing or "-") and prints one JSON object per line: language,
sentiment label and score with the deciding words, emotions, themes with their own
sentiment, and the redacted text (the original is never printed).

``kohtaamo text reanalyze [--org SLUG]`` stores and analyses again every survey comment
of one or every organisation (after a lexicon, rule or model change, or to catch up).
``kohtaamo text learn [--org SLUG]`` fits a new per-organisation sentiment model from
the ratings next to the comments and prints its held-out figures before and after.
"""

from __future__ import annotations

import enum
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import select

from kohtaamo.accounts.models import Organisation
from kohtaamo.analytics import text_comments
from kohtaamo.cli.common import friendly_errors, load_settings, open_database
from kohtaamo.storage.db import Database
from kohtaamo.text import learning, repository, service
from kohtaamo.text.analyze import analyze
from kohtaamo.text.morphology import MorphologyUnavailable

app = typer.Typer(help="Text analytics of open comments: language, sentiment, themes.")


class Lang(enum.StrEnum):
    AUTO = "auto"
    FI = "fi"
    EN = "en"
    SV = "sv"


@app.command("analyze")
def analyze_command(
    file: Annotated[
        str | None, typer.Argument(help="A UTF-8 text file, one comment a line; - or none: stdin.")
    ] = None,
    lang: Annotated[
        Lang, typer.Option("--lang", help="The comments' language, or auto to detect it.")
    ] = Lang.AUTO,
    prior: Annotated[
        str | None,
        typer.Option("--prior", help="Language that decides short texts when detecting."),
    ] = None,
) -> None:
    """Analyse comments, one a line, and print JSON lines."""
    if file in (None, "-"):
        lines = sys.stdin
    else:
        path = Path(str(file))
        if not path.is_file():
            typer.echo(f"No such file: {path}", err=True)
            raise typer.Exit(2)
        lines = path.open(encoding="utf-8", errors="replace")
    try:
        for line in lines:
            comment = line.rstrip("\r\n")
            result = analyze(comment, lang=None if lang is Lang.AUTO else lang.value, prior=prior)
            typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    except MorphologyUnavailable as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    finally:
        if lines is not sys.stdin:
            lines.close()


def _organisations(db: Database, slug: str | None) -> list[tuple[str, object]]:
    """(slug, id) of the organisation named, or of every one (not tenant data)."""
    with db.transaction() as session:
        stmt = select(Organisation.slug, Organisation.id).order_by(Organisation.slug)
        if slug is not None:
            stmt = stmt.where(Organisation.slug == slug)
        found = [(row.slug, row.id) for row in session.execute(stmt)]
    if slug is not None and not found:
        typer.secho(f"error: no organisation {slug!r}", err=True, fg="red")
        raise typer.Exit(1)
    return found


def reanalyze_organisation(
    db: Database,
    organisation_id: object,
    progress: Progress | None = None,
    report: Callable[[int, int], None] | None = None,
) -> int:
    """Store every survey comment of one organisation and analyse all its comments;
    ``progress`` (a rich Progress) or ``report(done, total)`` hears how far it got."""
    with db.transaction(organisation_id) as session:  # type: ignore[arg-type]
        for batch in text_comments.history(session):
            service.submit_comments(session, batch, analyse_later=False)
        ids = repository.analysis_ids(session)
        analyser = service.Analyser(session)  # compiled once, not once a batch
    bar = progress.add_task("comments", total=len(ids)) if progress is not None else None
    step = service.BATCH
    for start in range(0, len(ids), step):
        with db.transaction(organisation_id) as session:  # type: ignore[arg-type]
            service.analyse(session, ids[start : start + step], analyser)
        done = min(start + step, len(ids))
        if progress is not None and bar is not None:
            progress.update(bar, completed=done)
        if report is not None:
            report(done, len(ids))
    return len(ids)


def learn_organisation(db: Database, organisation_id: object) -> list[dict[str, Any]]:
    """Fit the organisation's sentiment model in each language it has rated comments
    in; a summary of each new model (language, version, n, weights, evaluation)."""
    summaries = []
    for language in ("fi", "en", "sv"):
        with db.transaction(organisation_id) as session:  # type: ignore[arg-type]
            model = learning.learn(session, language)
            if model is not None:
                summaries.append(
                    {
                        "language": language,
                        "version": model.version,
                        "n": model.training_n,
                        "weights": len(model.weights),
                        "evaluation": model.evaluation,
                    }
                )
    return summaries


def analyse_demo(
    db: Database, slugs: Sequence[str], report: Callable[[str, int, int], None] | None = None
) -> dict[str, int]:
    """``kohtaamo demo``'s text step: the seeded comments were stored before any server
    listened, so analyse them in bulk and fit each organisation's model once, so that
    the text pages have data when the demo opens. Returns comments analysed per slug."""
    analysed: dict[str, int] = {}
    with db.transaction() as session:
        stmt = select(Organisation.slug, Organisation.id).where(Organisation.slug.in_(slugs))
        found = {row.slug: row.id for row in session.execute(stmt)}
    for slug in slugs:
        if slug not in found:
            continue
        step = f"comments {slug}"
        tell = (lambda done, total, step=step: report(step, done, total)) if report else None
        analysed[slug] = reanalyze_organisation(db, found[slug], report=tell)
        learn_organisation(db, found[slug])
    return analysed


Org = Annotated[str | None, typer.Option("--org", help="Only this organisation (its slug).")]


@app.command("reanalyze")
@friendly_errors
def reanalyze_command(org: Org = None) -> None:
    """Analyse again every comment of one or every organisation."""
    with open_database(load_settings()) as db:
        for slug, organisation_id in _organisations(db, org):
            console = Console(stderr=True)
            columns = (TextColumn(f"  {slug:<20}"), BarColumn(), MofNCompleteColumn())
            with Progress(*columns, console=console, disable=not console.is_terminal) as bars:
                n = reanalyze_organisation(db, organisation_id, bars)
            typer.echo(f"{slug}: {n:,} comments analysed")


@app.command("learn")
@friendly_errors
def learn_command(org: Org = None) -> None:
    """Learn each organisation's sentiment weights from its rated comments."""
    with open_database(load_settings()) as db:
        for slug, organisation_id in _organisations(db, org):
            for model in learn_organisation(db, organisation_id):
                before, after = model["evaluation"]["before"], model["evaluation"]["after"]
                typer.echo(
                    f"{slug} {model['language']} v{model['version']}: n={model['n']}, "
                    f"{model['weights']} weights; held-out macro-F1 "
                    f"{before['macro_f1']:.3f} -> {after['macro_f1']:.3f}, accuracy "
                    f"{before['accuracy']:.3f} -> {after['accuracy']:.3f}"
                )
