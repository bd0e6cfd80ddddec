"""The shape of the analytics store: one fact table of measures and a few small
dimension tables. This is the contract between the sync (which fills it from the
operational database), the query layer (ibis expressions over these names, the same on
DuckDB, PostgreSQL and Spark) and the benchmarks (which generate rows of this shape).

Ids are canonical UUID strings (``str(uuid)``); times are UTC without a zone.

``measures``: one row per number a finished, unflagged response contributed
(``survey_measures``), plus one derived row of role ``gap`` per expectation–experience
answer: experience − expectation for the two-scale form, answer − scale midpoint for the
"compared with what you expected" form. A gap above 0 means the expectation was
exceeded, 0 met, below 0 fell short. (``measure_id``, ``role``) is unique.

The customer's ``segment`` is copied as it was when the measure reached the store;
every other customer attribute is joined from ``customers``.

``comments``: one row per analysed comment answer of a finished response (text
analytics' ``comment_analyses``), with the response's context as ``measures`` carries
it (``language`` is the response's, ``comment_language`` the one detected in the text)
and the comment's overall sentiment label and score in [-1, 1]. ``comment_themes``: one
row per theme a comment names, with the theme's own sentiment there. A re-analysis
replaces a comment's rows (``analysed_at`` tells the sync which changed).
"""

from __future__ import annotations

from typing import Final

# (column, DuckDB type). Keep the order: the sync appends Arrow batches in this order.
MEASURES: Final[tuple[tuple[str, str], ...]] = (
    ("organisation_id", "VARCHAR"),
    ("measure_id", "BIGINT"),
    ("response_id", "VARCHAR"),
    ("survey_id", "VARCHAR"),
    ("question_key", "VARCHAR"),
    ("role", "VARCHAR"),
    ("value", "DOUBLE"),
    ("scale_min", "INTEGER"),
    ("scale_max", "INTEGER"),
    ("touchpoint_id", "VARCHAR"),  # NULL: a question about the whole relationship
    ("customer_id", "VARCHAR"),  # NULL: anonymous
    ("answered_at", "TIMESTAMP"),
    ("language", "VARCHAR"),  # fi | en | sv
    ("response_channel", "VARCHAR"),  # link | email | widget | qr | api | kiosk
    ("segment", "VARCHAR"),
)

TOUCHPOINTS: Final[tuple[tuple[str, str], ...]] = (
    ("organisation_id", "VARCHAR"),
    ("touchpoint_id", "VARCHAR"),
    ("key", "VARCHAR"),
    ("name_fi", "VARCHAR"),
    ("name_en", "VARCHAR"),
    ("name_sv", "VARCHAR"),
    ("channel", "VARCHAR"),
    ("factor_group", "VARCHAR"),  # content | functional | psychological
    ("team_id", "VARCHAR"),
    ("team_name", "VARCHAR"),
    ("critical", "BOOLEAN"),
)

# A touchpoint may sit on several journeys and stages: slicing by journey or stage
# counts a measure once in each.
PLACEMENTS: Final[tuple[tuple[str, str], ...]] = (
    ("organisation_id", "VARCHAR"),
    ("touchpoint_id", "VARCHAR"),
    ("journey_id", "VARCHAR"),
    ("journey_key", "VARCHAR"),
    ("journey_name", "VARCHAR"),
    ("stage_id", "VARCHAR"),
    ("stage_position", "INTEGER"),
    ("stage_name_fi", "VARCHAR"),
    ("stage_name_en", "VARCHAR"),
)

CUSTOMERS: Final[tuple[tuple[str, str], ...]] = (
    ("organisation_id", "VARCHAR"),
    ("customer_id", "VARCHAR"),
    ("segment", "VARCHAR"),
    ("region", "VARCHAR"),
    ("plan", "VARCHAR"),
    ("customer_since", "DATE"),
    ("purchases", "INTEGER"),
    ("lifetime_value", "DOUBLE"),
    ("attributes", "VARCHAR"),  # the profile's typed attributes as a JSON object
)

SURVEYS: Final[tuple[tuple[str, str], ...]] = (
    ("organisation_id", "VARCHAR"),
    ("survey_id", "VARCHAR"),
    ("key", "VARCHAR"),
    ("name", "VARCHAR"),
    ("kind", "VARCHAR"),  # touchpoint | relationship
)

# Invitations sent, for response rates (finished responses / invitations sent).
INVITATIONS: Final[tuple[tuple[str, str], ...]] = (
    ("organisation_id", "VARCHAR"),
    ("invitation_id", "VARCHAR"),
    ("survey_id", "VARCHAR"),
    ("sent_at", "TIMESTAMP"),
    ("finished", "BOOLEAN"),
)

COMMENTS: Final[tuple[tuple[str, str], ...]] = (
    ("organisation_id", "VARCHAR"),
    ("analysis_id", "VARCHAR"),
    ("response_id", "VARCHAR"),
    ("survey_id", "VARCHAR"),
    ("touchpoint_id", "VARCHAR"),
    ("customer_id", "VARCHAR"),
    ("answered_at", "TIMESTAMP"),
    ("language", "VARCHAR"),  # the response's: fi | en | sv
    ("response_channel", "VARCHAR"),
    ("segment", "VARCHAR"),
    ("comment_language", "VARCHAR"),  # detected in the text; "und" when unsure
    ("sentiment", "VARCHAR"),  # negative | neutral | positive | mixed
    ("score", "DOUBLE"),  # -1..1
    ("analysed_at", "TIMESTAMP"),
)

COMMENT_THEMES: Final[tuple[tuple[str, str], ...]] = (
    ("organisation_id", "VARCHAR"),
    ("analysis_id", "VARCHAR"),
    ("response_id", "VARCHAR"),
    ("theme", "VARCHAR"),  # the theme's key
    ("sentiment", "VARCHAR"),  # the theme's sentiment inside the comment
    ("score", "DOUBLE"),
)

TABLES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "measures": MEASURES,
    "touchpoints": TOUCHPOINTS,
    "placements": PLACEMENTS,
    "customers": CUSTOMERS,
    "surveys": SURVEYS,
    "invitations": INVITATIONS,
    "comments": COMMENTS,
    "comment_themes": COMMENT_THEMES,
}

GAP_ROLE: Final = "gap"

#: Pseudo-roles the query layer reads from ``comments``/``comment_themes`` (not from
#: ``measures``): the sentiment score, and 1/0 for a negative comment.
COMMENT_SCORE_ROLE: Final = "comment_score"
COMMENT_NEGATIVE_ROLE: Final = "comment_negative"
COMMENT_ROLES: Final = frozenset({COMMENT_SCORE_ROLE, COMMENT_NEGATIVE_ROLE})
