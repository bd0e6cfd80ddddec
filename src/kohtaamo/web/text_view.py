"""What the text pages show of a comment: its redacted text cut into spans with the
decisive words marked, its theme chips, and the labels of themes and sentiments in the
reader's language.

Highlighting is built here as a list of ``Span`` (text, kind, reason) that the template
prints one by one with autoescaping: comment text is never marked safe, so a comment
holding ``<script>`` is shown as those characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from babel import Locale

from kohtaamo.i18n import N_, gettext
from kohtaamo.text.models import TextTheme
from kohtaamo.text.schemas import CommentOut
from kohtaamo.web.charts_text import SENTIMENT_LABELS

# The words as the tokenizer sees them (letters with inner hyphens and apostrophes).
WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")

NOTES = {
    "negated": N_("negated"),
    "intensified": N_("intensified"),
    "diminished": N_("diminished"),
    "after contrast": N_("after a contrast, weighs more"),
    "before contrast": N_("before a contrast, weighs less"),
    "concession": N_("in a concession, weighs less"),
}
UNKNOWN_LANGUAGE = N_("Unknown language")


@dataclass(frozen=True)
class Span:
    text: str
    kind: str = ""  # "" plain, "positive" or "negative" for a decisive word
    reason: str = ""  # why the word counted (the title text of the mark)


@dataclass(frozen=True)
class Chip:
    key: str
    label: str
    sentiment: str
    sentiment_label: str


@dataclass(frozen=True)
class CommentView:
    comment: CommentOut
    spans: list[Span]
    chips: list[Chip]
    sentiment_label: str
    touchpoint: str
    language: str


def sentiment_label(locale: str, label: str | None) -> str:
    return gettext(locale, SENTIMENT_LABELS[label]) if label in SENTIMENT_LABELS else ""


def language_label(locale: str, code: str) -> str:
    """A language's name in the reader's language ("englanti" in Finnish), from CLDR: a
    msgid "English" would also translate the language switch's own "English"."""
    if code in ("fi", "en", "sv"):
        return str(Locale.parse(code).get_display_name(locale))
    return gettext(locale, UNKNOWN_LANGUAGE) if code == "und" else code


def theme_label(theme: TextTheme | Mapping[str, Any], locale: str) -> str:
    """The theme's name in the reader's language, else in English, else its key."""
    if isinstance(theme, TextTheme):
        labels, key = theme.labels, theme.key
    else:
        labels, key = theme.get("labels") or theme.get("label") or {}, theme["key"]
    return str(labels.get(locale) or labels.get("en") or labels.get("fi") or key)


def _reason(locale: str, weight: float, note: str) -> str:
    parts = [gettext(locale, "positive") if weight > 0 else gettext(locale, "negative")]
    parts += [gettext(locale, NOTES[n]) if n in NOTES else n for n in note.split("+") if n]
    return ", ".join(parts)


def highlight(text: str, words: Iterable[Mapping[str, Any]], locale: str) -> list[Span]:
    """``text`` as spans, the decisive ``words`` (as stored with the analysis) marked
    positive or negative with their reason. A word written twice takes the stored
    entries in turn; the analysis does not keep positions, so this matches by form."""
    entries: dict[str, list[tuple[float, str]]] = {}
    for w in words:
        weight = float(w.get("weight") or 0.0)
        if weight:
            key = str(w.get("word", "")).lower()
            entries.setdefault(key, []).append((weight, str(w.get("note") or "")))
    spans: list[Span] = []
    last = 0
    used: dict[str, int] = {}
    for match in WORD_RE.finditer(text):
        key = match.group().lower()
        found = entries.get(key)
        if not found:
            continue
        index = min(used.get(key, 0), len(found) - 1)
        used[key] = index + 1
        weight, note = found[index]
        if match.start() > last:
            spans.append(Span(text[last : match.start()]))
        kind = "positive" if weight > 0 else "negative"
        spans.append(Span(match.group(), kind, _reason(locale, weight, note)))
        last = match.end()
    if last < len(text):
        spans.append(Span(text[last:]))
    return spans


def comment_view(
    comment: CommentOut,
    locale: str,
    themes: Mapping[str, str],
    touchpoints: Mapping[str, str],
) -> CommentView:
    """One comment as the browser shows it. ``themes``: key → label; ``touchpoints``:
    id → name."""
    chips = [
        Chip(
            key=str(t.get("key")),
            label=themes.get(str(t.get("key")), str(t.get("key"))),
            sentiment=str(t.get("sentiment") or "neutral"),
            sentiment_label=sentiment_label(locale, t.get("sentiment")),
        )
        for t in comment.themes
    ]
    return CommentView(
        comment=comment,
        spans=highlight(comment.text, comment.words, locale),
        chips=chips,
        sentiment_label=sentiment_label(locale, comment.sentiment),
        touchpoint=touchpoints.get(str(comment.touchpoint_id), "") if comment.touchpoint_id else "",
        language=language_label(locale, comment.language),
    )
