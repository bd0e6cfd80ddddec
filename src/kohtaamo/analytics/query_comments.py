"""Theme and comment sentiment in the metric queries (``query_frame.sliced``): the
analysed comments (``comments``, ``comment_themes``) as a slice of the measures and as
rows of the comment pseudo-roles (``schema.COMMENT_ROLES``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final

import ibis
import ibis.expr.types as ir

from kohtaamo.analytics.schema import COMMENT_NEGATIVE_ROLE, COMMENT_ROLES
from kohtaamo.analytics.source import Source

if TYPE_CHECKING:
    from kohtaamo.analytics.query_frame import Slice

#: From the analysed comments: a measure counts under every theme (and every sentiment)
#: its response's comments carry; a comment itself under its own.
COMMENT_DIMENSIONS: Final[tuple[str, ...]] = ("theme", "comment_sentiment")


def measure_comment_keys(source: Source, org_id: str, t: ir.Table, dims: Sequence[str]) -> ir.Table:
    """Measures joined to the themes / sentiments of their response's comments (a
    response with none has the key None)."""
    wanted = [d for d in COMMENT_DIMENSIONS if d in dims]
    if not wanted:
        return t
    if "theme" in wanted:
        ct = source.comment_themes
        ct = ct.filter(ct.organisation_id == org_id)
        cols = {"theme": ct.theme, "comment_sentiment": ct.sentiment}
        right = ct.select(_cr=ct.response_id, **{d: cols[d] for d in wanted})
    else:
        c = source.comments
        c = c.filter(c.organisation_id == org_id)
        right = c.select(_cr=c.response_id, comment_sentiment=c.sentiment)
    right = right.distinct()  # a response counts once per theme, whatever its comments
    return t.left_join(right, t.response_id == right._cr).drop("_cr")


def comment_facts(
    source: Source,
    org_id: str,
    spec: Slice,
    roles: Sequence[str],
    dims: Sequence[str],
    *,
    facts: Callable[..., ir.Table],
    in_range: Callable[[ir.Table, Slice], ir.Table],
) -> ir.Table | None:
    """Comment rows as facts of the comment roles: sliced by theme, one row per theme a
    comment names with the theme's own sentiment there; otherwise one per comment."""
    roles = [r for r in roles if r in COMMENT_ROLES]
    if not roles:
        return None
    c = source.comments
    c = in_range(c.filter(c.organisation_id == org_id), spec)
    if "theme" in dims:
        ct = source.comment_themes
        ct = ct.filter(ct.organisation_id == org_id)
        ct = ct.select(_ca=ct.analysis_id, theme=ct.theme, _label=ct.sentiment, _score=ct.score)
        c = c.join(ct, c.analysis_id == ct._ca)
    else:
        c = c.mutate(_label=c.sentiment, _score=c.score)
    c = c.mutate(comment_sentiment=c._label)
    parts = []
    for role in roles:
        value = (
            (c._label == "negative").ifelse(1.0, 0.0) if role == COMMENT_NEGATIVE_ROLE else c._score
        )
        extra = {d: c[d] for d in COMMENT_DIMENSIONS if d in dims}
        no_scale = ibis.literal(None, type="int64")
        parts.append(facts(c, ibis.literal(role), value, no_scale, dims, extra))
    out = parts[0]
    for part in parts[1:]:
        out = out.union(part, distinct=False)
    return out
