"""The organisation's theme rules: seeded from the default taxonomy on first use,
edited in the theme editor (add and exclude terms), tried on real comments before they
are saved (``try_rule``). Saving a theme re-applies the rules to the stored comments in
the background (``text.retheme``, see :mod:`kohtaamo.text.retheme`); deleting one takes
it off the comments at once."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kohtaamo.errors import Conflict, NotFound
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.tenancy import require_tenant
from kohtaamo.text.models import CommentAnalysis, CommentTheme, TextTheme
from kohtaamo.text.schemas import ThemeIn
from kohtaamo.text.tasks import enqueue_retheme
from kohtaamo.text.themes import default_rules, test_rule


def _as_rule(theme: TextTheme) -> dict[str, Any]:
    return {
        "key": theme.key,
        "group": theme.group,
        "label": dict(theme.labels),
        "terms": {k: list(v) for k, v in theme.terms.items()},
        "exclude": {k: list(v) for k, v in theme.exclude.items()},
    }


def seed(session: Session) -> None:
    """Copy the default taxonomy into the organisation's rules, once."""
    if session.scalar(select(func.count()).select_from(TextTheme)):
        return
    organisation_id = require_tenant(session)
    for position, rule in enumerate(default_rules()):
        session.add(
            TextTheme(
                organisation_id=organisation_id,
                key=rule["key"],
                group=rule.get("group", "service"),
                labels=dict(rule.get("label", {})),
                terms=dict(rule.get("terms", {})),
                exclude=dict(rule.get("exclude", {})),
                enabled=True,
                position=position,
            )
        )
    session.flush()


def list_themes(session: Session) -> list[TextTheme]:
    """Every theme of the organisation (seeding the defaults on first use)."""
    seed(session)
    return list(session.scalars(select(TextTheme).order_by(TextTheme.position, TextTheme.key)))


def org_rules(session: Session) -> list[dict[str, Any]]:
    """The enabled rules the analysis uses: the organisation's, or the defaults when it
    has never opened the editor (reading does not seed)."""
    themes = list(session.scalars(select(TextTheme).order_by(TextTheme.position, TextTheme.key)))
    if not themes:
        return default_rules()
    return [_as_rule(t) for t in themes if t.enabled]


def get_theme(session: Session, theme_id: uuid.UUID) -> TextTheme:
    theme = session.scalar(select(TextTheme).where(TextTheme.id == theme_id))
    if theme is None:
        raise NotFound("No such theme.")
    return theme


def create_theme(session: Session, data: ThemeIn) -> TextTheme:
    seed(session)
    if session.scalar(select(TextTheme).where(TextTheme.key == data.key)) is not None:
        raise Conflict("A theme with this key already exists.", field="key")
    position = session.scalar(select(func.max(TextTheme.position))) or 0
    theme = TextTheme(organisation_id=require_tenant(session), key=data.key, position=position + 1)
    _apply(theme, data)
    session.add(theme)
    session.flush()
    _reapply(session)
    return theme


def update_theme(session: Session, theme_id: uuid.UUID, data: ThemeIn) -> TextTheme:
    theme = get_theme(session, theme_id)
    if data.key != theme.key:
        clash = session.scalar(select(TextTheme).where(TextTheme.key == data.key))
        if clash is not None:
            raise Conflict("A theme with this key already exists.", field="key")
        theme.key = data.key
    _apply(theme, data)
    session.flush()
    _reapply(session)
    return theme


def _reapply(session: Session) -> None:
    """Re-apply the rules to the organisation's stored comments, in the background."""
    total = session.scalar(select(func.count()).select_from(CommentAnalysis)) or 0
    if total:
        enqueue_retheme(session, total)


def delete_theme(session: Session, theme_id: uuid.UUID) -> int:
    """Delete a theme and take it off the comments that named it (their analysis time
    moves on, so the analytics store replaces them); returns how many comments."""
    theme = get_theme(session, theme_id)
    key = theme.key
    named = list(
        session.scalars(
            select(CommentAnalysis)
            .join(CommentTheme, CommentTheme.analysis_id == CommentAnalysis.id)
            .where(CommentTheme.key == key)
        )
    )
    session.execute(delete(CommentTheme).where(CommentTheme.key == key))
    now = utcnow()
    for row in named:
        row.themes = [t for t in row.themes if t.get("key") != key]
        row.analysed_at = now
    session.delete(theme)
    session.flush()
    return len(named)


def comments_naming(session: Session, theme_id: uuid.UUID) -> int:
    """How many comments name the theme (what deleting it changes)."""
    theme = get_theme(session, theme_id)
    found = session.scalar(
        select(func.count()).select_from(CommentTheme).where(CommentTheme.key == theme.key)
    )
    return int(found or 0)


def _apply(theme: TextTheme, data: ThemeIn) -> None:
    theme.group = data.group
    theme.labels = {str(k): v for k, v in data.labels.items()}
    theme.terms = {k: list(v) for k, v in data.terms.items()}
    theme.exclude = {k: list(v) for k, v in data.exclude.items()}
    theme.enabled = data.enabled


def try_rule(session: Session, data: ThemeIn, *, limit: int = 200) -> dict[str, Any]:
    """Try an unsaved rule on the organisation's latest ``limit`` comments: how many it
    matches, and each match with its terms and the theme's sentiment there."""
    rows = session.execute(
        select(CommentAnalysis.id, CommentAnalysis.redacted_text, CommentAnalysis.language)
        .where(CommentAnalysis.analysed_at.is_not(None))
        .order_by(CommentAnalysis.answered_at.desc())
        .limit(limit)
    ).all()
    matches = []
    for row in rows:
        result = test_rule(data.rule(), [row.redacted_text], lang=row.language)[0]
        if result["matched"]:
            matches.append({"id": row.id, **result})
    return {"tried": len(rows), "matched": len(matches), "matches": matches}
