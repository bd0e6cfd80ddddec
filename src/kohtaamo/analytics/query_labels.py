"""Display names for the value ids a metric query returns as cell keys."""

from __future__ import annotations

import uuid

import ibis.expr.types as ir

from kohtaamo.analytics.query_frame import check_dimension
from kohtaamo.analytics.source import Source
from kohtaamo.i18n import N_, gettext, language_name
from kohtaamo.journeys.catalogue import CHANNELS, FACTOR_GROUPS
from kohtaamo.surveys.catalogue import LANGUAGES
from kohtaamo.text.themes import default_rules

SENTIMENTS = {
    "negative": N_("Negative"),
    "neutral": N_("Neutral"),
    "positive": N_("Positive"),
    "mixed": N_("Mixed"),
}


def _pairs(source: Source, expr: ir.Table) -> dict[str, str]:
    df = source.execute(expr)
    return {str(k): str(v) for k, v in zip(df["k"], df["v"], strict=True) if k is not None and v}


def dimension_labels(
    source: Source, org_id: str | uuid.UUID, dimension: str, locale: str
) -> dict[str, str]:
    """``{value id: name}`` for the values of ``dimension`` this organisation has (names
    in ``locale`` where the data have them); values without a name are left out, so the
    caller shows the id itself."""
    check_dimension(dimension)
    org = str(org_id)
    fi = locale == "fi"
    if dimension == "touchpoint":
        t = source.touchpoints
        t = t.filter(t.organisation_id == org)
        name = t.name_fi if fi else t.name_en
        return _pairs(source, t.select(k=t.touchpoint_id, v=name.fill_null(t.key)))
    if dimension == "team":
        t = source.touchpoints
        t = t.filter(t.organisation_id == org)
        return _pairs(source, t.select(k=t.team_id, v=t.team_name).distinct())
    if dimension in ("journey", "stage"):
        p = source.placements
        p = p.filter(p.organisation_id == org)
        if dimension == "journey":
            return _pairs(source, p.select(k=p.journey_id, v=p.journey_name).distinct())
        stage = p.stage_name_fi if fi else p.stage_name_en
        return _pairs(source, p.select(k=p.stage_id, v=stage).distinct())
    if dimension == "survey":
        s = source.surveys
        s = s.filter(s.organisation_id == org)
        return _pairs(source, s.select(k=s.survey_id, v=s.name))
    if dimension == "channel":
        return {c.value: label.text(locale) for c, label in CHANNELS.items()}
    if dimension == "factor_group":
        return {g.value: label.text(locale) for g, label in FACTOR_GROUPS.items()}
    if dimension == "comment_sentiment":
        return {k: gettext(locale, v) for k, v in SENTIMENTS.items()}
    if dimension == "theme":
        # The default taxonomy's names; an organisation's own themes show their key.
        found: dict[str, str] = {}
        for rule in default_rules():
            names = rule.get("label", {})
            name = names.get(locale) or names.get("en") or names.get("fi")
            if name:
                found[rule["key"]] = str(name)
        return found
    if dimension == "language":
        return {code: language_name(code) for code in LANGUAGES}
    return {}
