"""Emerging themes: key phrases customers use more and more that no theme covers yet,
offered as candidate themes, and one step to turn a candidate into a theme.

A key phrase is a lemma (a word's base form: "parkkipaikoista" → parkkipaikka) or two
consecutive lemmas of one clause ("mobiili sovellus"), counted once per comment. Stop
words (stopwordsiso's fi/en/sv lists), the sentiment lexicon's words and modifiers
("hyvä", "todella", "mutta") and the redaction placeholders are not key phrases: they
say how, not what. A phrase is covered when one of its words' base forms or compound
parts is a term of an enabled theme (the way the theme matcher reads terms), so
"asiakaspalvelija" is covered by a "palvelija" term.

Rising means a larger share of the recent period's comments than of the previous
period of equal length; the test is ``metrics.compare.compare_proportions`` (two-sided,
Fisher's exact test when counts are small), corrected over all phrases tested with
Benjamini–Hochberg, because many phrases are tried at once. Only the newest
``MAX_PER_PERIOD`` comments of each period are read, so the page stays fast for a
large organisation; the shares are of the comments read.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import stopwordsiso
from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.errors import InvalidInput
from kohtaamo.metrics.compare import benjamini_hochberg, compare_proportions
from kohtaamo.text import theme_rules
from kohtaamo.text.lexicon import base_lexicon
from kohtaamo.text.models import CommentAnalysis, TextTheme
from kohtaamo.text.morphology import Token, tokenize, word_forms
from kohtaamo.text.redact import PLACEHOLDERS
from kohtaamo.text.schemas import KEY_RE, CommentFilters, ThemeIn
from kohtaamo.text.search import filtered
from kohtaamo.text.tasks import enqueue_analysis

MAX_PER_PERIOD = 1000  # comments read per period (newest first)
MIN_COUNT = 3  # a phrase needs at least this many recent comments
MIN_LENGTH = 3  # shorter lemmas are mostly particles and abbreviations
MIN_N = 20  # comments per period before a difference is tested
ALPHA = 0.05
EXAMPLES = 3
REANALYSE_AT_MOST = 5000
LANGUAGES = ("fi", "en", "sv")


@dataclass(frozen=True)
class Example:
    id: uuid.UUID
    text: str  # redacted
    sentiment: str | None


@dataclass(frozen=True)
class Candidate:
    """A key phrase not covered by any theme, with its counts in the two periods."""

    phrase: str  # lemmas joined by a space
    language: str
    recent: int  # comments of the recent period that use it
    previous: int
    recent_total: int  # comments read in each period
    previous_total: int
    p_value: float | None  # BH-adjusted; None when a period had too few comments
    significant: bool
    examples: tuple[Example, ...] = field(default=())

    @property
    def recent_share(self) -> float:
        return self.recent / self.recent_total if self.recent_total else 0.0

    @property
    def previous_share(self) -> float:
        return self.previous / self.previous_total if self.previous_total else 0.0

    @property
    def growth(self) -> float | None:
        """Relative rise of the share (0.5 = half as common again); None when new."""
        if not self.previous:
            return None
        return self.recent_share / self.previous_share - 1.0

    @property
    def key(self) -> str:
        return suggested_key(self.phrase)


@dataclass(frozen=True)
class Discovery:
    candidates: list[Candidate]
    recent_total: int
    previous_total: int
    previous_start: datetime


# --- which words are key phrases ---------------------------------------------------------


@lru_cache(maxsize=4)
def _ignored(lang: str) -> frozenset[str]:
    """Stop words and the lexicon's evaluative words and modifiers of ``lang``."""
    words: set[str] = (
        {w.lower() for w in stopwordsiso.stopwords(lang)} if lang in LANGUAGES else set()
    )
    words.update(PLACEHOLDERS)
    if lang in LANGUAGES:
        lexicon = base_lexicon(lang)
        words.update(lexicon.polarity)
        words.update(lexicon.intensifiers)
        words.update(lexicon.negators | lexicon.contrast | lexicon.concessive)
        words.update(lexicon.coordinators)
    return frozenset(words)


def _keyword(token: Token, lang: str) -> str | None:
    lemma = token.lemma
    if len(lemma) < MIN_LENGTH or not lemma.isalpha():
        return None
    ignored = _ignored(lang)
    if lemma in ignored or token.text.lower() in ignored:
        return None
    return lemma


def phrases(tokens: Sequence[Token], lang: str) -> set[tuple[str, ...]]:
    """The key phrases (one or two lemmas) of one comment's tokens."""
    found: set[tuple[str, ...]] = set()
    previous: tuple[Token, str] | None = None
    for token in tokens:
        word = _keyword(token, lang)
        if word is None:
            previous = None
            continue
        found.add((word,))
        if previous is not None and previous[0].clause == token.clause and previous[1] != word:
            found.add((previous[1], word))
        previous = (token, word)
    return found


class Coverage:
    """The enabled themes' terms in each language, to tell covered phrases apart."""

    def __init__(self, rules: Iterable[dict[str, Any]]) -> None:
        self.words: dict[str, set[str]] = defaultdict(set)
        self.phrases: dict[str, set[str]] = defaultdict(set)
        for rule in rules:
            for lang, terms in rule.get("terms", {}).items():
                for term in terms:
                    term = term.strip().lower()
                    target = self.phrases if " " in term else self.words
                    target[lang].add(term)

    def covers(self, phrase: tuple[str, ...], lang: str) -> bool:
        if " ".join(phrase) in self.phrases[lang]:
            return True
        terms = self.words[lang]
        return any(not terms.isdisjoint(word_forms(word, lang)[1]) for word in phrase)


# --- discovery ---------------------------------------------------------------------------


def _comments(session: Session, start: datetime, end: datetime) -> list[Any]:
    return list(
        session.execute(
            select(
                CommentAnalysis.id,
                CommentAnalysis.language,
                CommentAnalysis.redacted_text,
                CommentAnalysis.sentiment,
            )
            .where(
                CommentAnalysis.analysed_at.is_not(None),
                CommentAnalysis.answered_at >= start,
                CommentAnalysis.answered_at < end,
            )
            .order_by(CommentAnalysis.answered_at.desc(), CommentAnalysis.id)
            .limit(MAX_PER_PERIOD)
        ).all()
    )


def _count(
    rows: Sequence[Any],
) -> tuple[Counter[tuple[str, str]], dict[tuple[str, str], list[Any]]]:
    counts: Counter[tuple[str, str]] = Counter()
    users: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in rows:
        lang = row.language if row.language in LANGUAGES else "und"
        for phrase in phrases(tokenize(row.redacted_text, lang), lang):
            key = (lang, " ".join(phrase))
            counts[key] += 1
            users[key].append(row)
    return counts, users


def discover(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    min_count: int = MIN_COUNT,
    limit: int = 20,
) -> Discovery:
    """Candidate themes of the period [``start``, ``end``) against the period of equal
    length before it: uncovered key phrases used by at least ``min_count`` recent
    comments and by a larger share of them than before, significant rises first."""
    if end <= start:
        raise InvalidInput("The period must end after it starts.", field="period")
    previous_start = start - (end - start)
    recent_rows = _comments(session, start, end)
    previous_rows = _comments(session, previous_start, start)
    recent, users = _count(recent_rows)
    previous, _ = _count(previous_rows)
    n_recent, n_previous = len(recent_rows), len(previous_rows)
    coverage = Coverage(theme_rules.org_rules(session))
    rising: list[tuple[tuple[str, str], int, int, float | None]] = []
    for (lang, text), count in recent.items():
        before = previous.get((lang, text), 0)
        if count < min_count or coverage.covers(tuple(text.split()), lang):
            continue
        if n_previous and count / n_recent <= before / n_previous:
            continue
        p = None
        if n_recent >= MIN_N and n_previous >= MIN_N:
            p = compare_proportions(count, n_recent, before, n_previous, min_n=MIN_N).p_value
        rising.append(((lang, text), count, before, p))
    tested = [i for i, r in enumerate(rising) if r[3] is not None]
    correction = benjamini_hochberg([rising[i][3] or 0.0 for i in tested], alpha=ALPHA)
    adjusted: dict[int, tuple[float, bool]] = {
        i: (correction.adjusted[k], correction.rejected[k]) for k, i in enumerate(tested)
    }
    candidates = [
        Candidate(
            phrase=text,
            language=lang,
            recent=count,
            previous=before,
            recent_total=n_recent,
            previous_total=n_previous,
            p_value=adjusted[i][0] if i in adjusted else None,
            significant=adjusted[i][1] if i in adjusted else False,
            examples=tuple(
                Example(r.id, r.redacted_text, r.sentiment) for r in users[(lang, text)][:EXAMPLES]
            ),
        )
        for i, ((lang, text), count, before, _) in enumerate(rising)
    ]
    candidates.sort(
        key=lambda c: (not c.significant, -(c.recent_share - c.previous_share), -c.recent, c.phrase)
    )
    return Discovery(_without_parts(candidates)[:limit], n_recent, n_previous, previous_start)


def _without_parts(candidates: list[Candidate]) -> list[Candidate]:
    """Drop a one-word phrase when a two-word phrase holding it is found in nearly as
    many comments: the longer phrase says more ("sovellus" under "mobiili sovellus")."""
    pairs = [c for c in candidates if " " in c.phrase]
    kept = []
    for c in candidates:
        if " " not in c.phrase and any(
            c.language == p.language and c.phrase in p.phrase.split() and p.recent >= 0.8 * c.recent
            for p in pairs
        ):
            continue
        kept.append(c)
    return kept


# --- from a candidate to a theme ---------------------------------------------------------


def suggested_key(phrase: str) -> str:
    """A theme key from a phrase: "mobiili sovellus" → "mobiili_sovellus", "ä" → "a"."""
    plain = unicodedata.normalize("NFKD", phrase.lower()).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:58] or "theme"
    return key if key[0].isalpha() else f"t_{key}"[:60]


def _free_key(session: Session, key: str) -> str:
    taken = set(session.scalars(select(TextTheme.key)))
    candidate, n = key, 2
    while candidate in taken:
        suffix = f"_{n}"
        candidate, n = key[: 60 - len(suffix)] + suffix, n + 1
    return candidate


def do_create_theme(
    session: Session, phrase: str, language: str, *, label: str | None = None
) -> TextTheme:
    """Make a candidate a theme of the organisation (through the theme service): the
    phrase is its term in ``language``, and the comments that use the phrase are
    analysed again so the new theme shows on them, not only on new comments."""
    phrase = " ".join(phrase.split()).lower()
    if language not in LANGUAGES:
        raise InvalidInput("Choose Finnish, English or Swedish.", field="language")
    if not phrase or len(phrase) > 80:
        raise InvalidInput("A theme needs at least one term.", field="phrase")
    key = _free_key(session, suggested_key(phrase))
    if not KEY_RE.match(key):
        raise InvalidInput("This phrase cannot be made a theme.", field="phrase")
    theme = theme_rules.create_theme(
        session,
        ThemeIn(
            key=key,
            group="service",
            labels={language: (label or phrase).strip()[:120] or phrase},
            terms={language: [phrase]},
        ),
    )
    ids = list(
        session.scalars(
            filtered(CommentFilters(query=phrase), (language,))
            .with_only_columns(CommentAnalysis.id)
            .limit(REANALYSE_AT_MOST)
        )
    )
    if ids:
        enqueue_analysis(session, ids)
    return theme
