"""Storing and analysing an organisation's comments.

A comment arrives through :func:`submit_comments` (survey answers come from the glue in
``kohtaamo.analytics.text_comments``; imports, case messages and observations call it
directly): its personal data is redacted at once, the original is kept only when the
organisation's settings say so, and the analysis job is enqueued in the same
transaction. :func:`analyse` does the analysis (the job, and the batch over history)
and is idempotent: running it again replaces the results and the lemmas.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.tenancy import require_tenant
from kohtaamo.text import repository as repo
from kohtaamo.text.analyze import Analysis, analyze, clean
from kohtaamo.text.lexicon import Lexicon, base_lexicon
from kohtaamo.text.models import CommentAnalysis, CommentLemma, CommentTheme, TextSettings
from kohtaamo.text.redact import redact
from kohtaamo.text.schemas import TextSettingsIn
from kohtaamo.text.tasks import ANALYSE_TASK, enqueue_analysis
from kohtaamo.text.theme_rules import org_rules
from kohtaamo.text.themes import Matcher, Rule

__all__ = ["ANALYSE_TASK", "CommentIn", "analyse", "on_analysed", "submit_comments"]
SOURCES = ("response", "import", "case_message", "observation")
MAX_LEMMA = 80
BATCH = 200


@dataclass(frozen=True)
class CommentIn:
    """One comment to store: a survey answer (``response_id`` + ``question_key``) or
    another text keyed by ``ref`` within its ``source``."""

    text: str
    source: str = "response"
    response_id: uuid.UUID | None = None
    question_key: str | None = None
    ref: str | None = None
    survey_id: uuid.UUID | None = None
    touchpoint_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    survey_language: str | None = None
    answered_at: datetime | None = None
    rating_role: str | None = None  # "nps" | "csat"
    rating_value: float | None = None


def settings_of(session: Session) -> TextSettings:
    """The organisation's text settings (defaults, unsaved, when it has none)."""
    found = repo.settings(session)
    if found is None:
        return TextSettings(
            organisation_id=require_tenant(session),
            keep_originals=False,
            languages=["fi", "en", "sv"],
            use_learned=True,
        )
    return found


def update_settings(session: Session, data: TextSettingsIn) -> TextSettings:
    """Save the settings. Turning ``keep_originals`` off forgets the stored originals."""
    found = repo.settings(session)
    if found is None:
        found = TextSettings(organisation_id=require_tenant(session))
        session.add(found)
    found.keep_originals = data.keep_originals
    found.languages = list(data.languages)
    found.use_learned = data.use_learned
    session.flush()
    if not data.keep_originals:
        repo.forget_originals(session)
    return found


def submit_comments(
    session: Session, comments: Iterable[CommentIn], *, analyse_later: bool = True
) -> list[uuid.UUID]:
    """Store (or replace) comments redacted, and enqueue their analysis in this
    transaction. Empty comments are skipped. Returns the analysis ids."""
    settings = settings_of(session)
    organisation_id = require_tenant(session)
    rows: list[CommentAnalysis] = []
    comments = list(comments)
    for comment in comments:
        if comment.source not in SOURCES:
            raise ValueError(f"unknown comment source {comment.source!r}")
    stored = repo.existing_many(session, comments)  # one query, not one per comment
    for comment in comments:
        cleaned = clean(comment.text or "")
        if not cleaned.strip():
            continue
        key = repo.key_of(comment)
        row = stored.get(key)
        if row is None:
            row = CommentAnalysis(organisation_id=organisation_id, source=comment.source)
            session.add(row)
            stored[key] = row  # the same comment twice in one call is one row
        row.response_id = comment.response_id
        row.question_key = comment.question_key
        row.ref = comment.ref
        row.survey_id = comment.survey_id
        row.touchpoint_id = comment.touchpoint_id
        row.customer_id = comment.customer_id
        row.survey_language = comment.survey_language
        row.rating_role = comment.rating_role
        row.rating_value = comment.rating_value
        row.answered_at = comment.answered_at or utcnow()
        row.redacted_text = redact(cleaned).text
        row.original_text = cleaned if settings.keep_originals else None
        row.analysed_at = None
        rows.append(row)
    session.flush()
    ids = list(dict.fromkeys(row.id for row in rows))
    if ids and analyse_later:
        enqueue_analysis(session, ids)
    return ids


AnalysedHook = Callable[[Session, Sequence[uuid.UUID]], None]
_analysed_hooks: list[AnalysedHook] = []


def on_analysed(hook: AnalysedHook) -> Callable[[], None]:
    """Run ``hook(session, ids)`` inside the transaction that stores analyses, after
    they are written (higher layers enqueue work there, e.g. case rules on negative
    comments). Registering the same hook twice keeps one. Returns unregister."""
    if hook not in _analysed_hooks:
        _analysed_hooks.append(hook)
    return lambda: _analysed_hooks.remove(hook) if hook in _analysed_hooks else None


class _Matchers(dict[str, Matcher]):
    """The organisation's theme rules compiled per language on first use: compiling
    Swedish loads simplemma's Swedish dictionary (~5 s), wasted without Swedish text."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        super().__init__()
        self.rules = rules

    def __contains__(self, language: object) -> bool:
        return language in ("fi", "en", "sv")

    def __missing__(self, language: str) -> Matcher:
        matcher = self[language] = Matcher(self.rules, language)
        return matcher


class Analyser:
    """An organisation's analysis set-up, built once per job or batch: its languages,
    learned lexicons and compiled theme rules."""

    def __init__(self, session: Session) -> None:
        settings = settings_of(session)
        self.languages = tuple(settings.languages) or ("fi", "en", "sv")
        self.matchers = _Matchers(org_rules(session))
        self.lexicons: dict[str, Lexicon] = {}
        if settings.use_learned:
            for model in repo.latest_models(session):
                self.lexicons[model.language] = base_lexicon(model.language).with_weights(
                    model.weights, f"org@{model.version}"
                )

    def run(self, text: str, prior: str | None) -> Analysis:
        return analyze(
            text,
            languages=self.languages,
            prior=prior,
            lexicons=self.lexicons,
            matchers=self.matchers,
        )


def analyse(session: Session, ids: Sequence[uuid.UUID], analyser: Analyser | None = None) -> int:
    """Analyse the stored comments ``ids`` (again), replacing earlier results."""
    analyser = analyser or Analyser(session)
    organisation_id = require_tenant(session)
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start : start + BATCH])
        rows = session.scalars(select(CommentAnalysis).where(CommentAnalysis.id.in_(chunk))).all()
        session.execute(delete(CommentLemma).where(CommentLemma.analysis_id.in_(chunk)))
        session.execute(delete(CommentTheme).where(CommentTheme.analysis_id.in_(chunk)))
        lemma_rows: list[dict[str, Any]] = []
        theme_rows: list[dict[str, Any]] = []
        now = utcnow()
        for row in rows:
            result = analyser.run(row.redacted_text, row.survey_language)
            _store(row, result, now)
            lemma_rows.extend(
                {"organisation_id": organisation_id, "analysis_id": row.id, "lemma": lemma}
                for lemma in dict.fromkeys(f[:MAX_LEMMA] for f in result.forms)
            )
            theme_rows.extend(
                {
                    "organisation_id": organisation_id,
                    "analysis_id": row.id,
                    "key": hit.key,
                    "sentiment": hit.sentiment.label,
                    "score": round(hit.sentiment.score, 4),
                }
                for hit in result.themes
            )
            done += 1
        session.flush()
        if lemma_rows:
            session.execute(insert(CommentLemma), lemma_rows)
        if theme_rows:
            session.execute(insert(CommentTheme), theme_rows)
        analysed = [row.id for row in rows]
        for hook in list(_analysed_hooks):
            hook(session, analysed)
    return done


def _store(row: CommentAnalysis, result: Analysis, now: datetime) -> None:
    data = result.to_dict()
    row.language = result.language
    row.sentiment = result.sentiment.label
    row.score = round(result.sentiment.score, 4)
    row.emotions = {k: round(v, 3) for k, v in result.emotions.items()}
    row.words = data["sentiment"]["words"]
    row.themes = data["themes"]
    row.lexicon_version = result.lexicon_version[:80]
    row.analysed_at = now


def remove_comment(session: Session, source: str, ref: str) -> bool:
    """Forget a non-survey comment (e.g. an erased case message)."""
    row = session.scalar(
        select(CommentAnalysis).where(CommentAnalysis.source == source, CommentAnalysis.ref == ref)
    )
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
