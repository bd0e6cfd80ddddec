"""``kohtaamo text``: text analytics of comments from the command line, no database.

``kohtaamo text analyze [--lang fi|en|sv|auto] [FILE]`` reads one comment per line
(stdin when FILE is missing or "-") and prints one JSON object per line: language,
sentiment label and score with the deciding words, emotions, themes with their own
sentiment, and the redacted text (the original is never printed).
"""

from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

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
