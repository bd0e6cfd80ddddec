"""The pipeline on bad input: never an error, never a lost comment; and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kohtaamo.cli.main import app
from kohtaamo.text.analyze import MAX_ANALYSED, analyze


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "😀😀😀", "🤷", "12345", "!!!"])
def test_empty_and_symbol_only_texts(text: str) -> None:
    a = analyze(text, prior="fi")
    assert a.sentiment.label in ("neutral", "positive")
    assert set(a.emotions) == {"joy", "trust", "surprise", "disappointment", "frustration", "worry"}
    assert a.redacted_text == text


def test_emoji_carry_sentiment() -> None:
    assert analyze("😡😡", prior="fi").sentiment.label == "negative"
    assert analyze("👍", prior="fi").sentiment.label == "positive"


def test_control_characters_and_bidi_overrides_are_neutralised() -> None:
    text = "Palvelu\u202e oli\x00 huonoa\u200b ja\x07 hidasta \u2066ok\u2069"
    a = analyze(text, lang="fi")
    assert a.sentiment.label == "negative"
    for char in ("\u202e", "\x00", "\u200b", "\x07", "\u2066"):
        assert char not in a.redacted_text


def test_html_is_text() -> None:
    text = '<script>alert("x")</script><b>Palvelu</b> oli <i>erinomaista</i>'
    a = analyze(text, lang="fi")
    assert a.redacted_text == text  # kept as written; templates escape it
    assert a.sentiment.label == "positive"


def test_long_text_is_capped_but_kept() -> None:
    text = ("Jono oli pitkä ja palvelu hidasta. " * 400) + "Soita 040 123 4567."
    a = analyze(text, lang="fi")
    assert len(text) > MAX_ANALYSED and a.truncated
    assert a.sentiment.label == "negative"
    assert a.redacted_text.endswith("Soita [phone].")  # redaction covers the whole text


def test_mixed_languages_and_unconfigured_languages() -> None:
    a = analyze("Palvelu oli hyvää. The queue was awful though.", prior="fi")
    assert a.language in ("fi", "en")
    b = analyze("Le personnel était très aimable", languages=("fi", "en"))
    assert b.language in ("fi", "en")
    c = analyze("Hyvä", languages=("xx",))
    assert c.language == "und" and c.sentiment.label == "neutral"


def test_redaction_happens_before_analysis() -> None:
    a = analyze("Olin tyytyväinen, sähköposti maija@example.fi, hetu 131052-308T", lang="fi")
    assert a.redacted_text == "Olin tyytyväinen, sähköposti [email], hetu [hetu]"
    assert a.redactions == {"email": 1, "hetu": 1}
    assert "maija" not in json.dumps(a.to_dict())


def test_cli_reads_lines_and_writes_json_lines(tmp_path: Path) -> None:
    runner = CliRunner()
    source = tmp_path / "comments.txt"
    source.write_text(
        "Henkilökunta oli ihanaa mutta jono oli kamala\nSoita 040 123 4567\n\n", "utf-8"
    )
    result = runner.invoke(app, ["text", "analyze", "--lang", "fi", str(source)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == 3
    assert rows[0]["language"] == "fi" and rows[0]["sentiment"]["label"] == "mixed"
    assert {t["key"]: t["sentiment"] for t in rows[0]["themes"]} == {
        "staff_attitude": "positive",
        "speed_waiting": "negative",
    }
    assert set(rows[0]["emotions"]) >= {"joy", "frustration", "worry"}
    assert rows[1]["redacted_text"] == "Soita [phone]"
    assert rows[2]["sentiment"]["label"] == "neutral"

    piped = runner.invoke(app, ["text", "analyze"], input="The staff were rude\n")
    assert piped.exit_code == 0
    row = json.loads(piped.output)
    assert row["language"] == "en" and row["sentiment"]["label"] == "negative"

    missing = runner.invoke(app, ["text", "analyze", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2
