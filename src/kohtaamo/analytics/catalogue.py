"""The metric catalogue, declared once: what each metric is, which measure roles it reads,
how it is computed, how many answers it needs and which values it can take. The query
layer, the API, the dashboards, the targets and the docs all read it.

A metric's value is in its ``unit``: NPS on −100..100, shares in percent (0..100), means
in the points of the rating scale, counts as whole numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from kohtaamo.analytics.schema import COMMENT_NEGATIVE_ROLE, COMMENT_SCORE_ROLE, GAP_ROLE
from kohtaamo.errors import InvalidInput
from kohtaamo.i18n import N_, gettext
from kohtaamo.metrics._checks import DEFAULT_MIN_N
from kohtaamo.surveys.catalogue import MEASURE_ROLES, MeasureRole


class Unit(StrEnum):
    SCORE = "score"  # NPS: −100..100
    PERCENT = "percent"  # a share, 0..100
    POINTS = "points"  # a mean on the rating scale
    COUNT = "count"


class Kind(StrEnum):
    """How a metric is computed from the sufficient statistics of its role."""

    NPS = "nps"  # promoters 9–10 minus detractors 0–6, adjusted-Wald interval
    TOP_TWO_BOX = "top_two_box"  # share of the two highest scale points, Wilson interval
    MEAN = "mean"  # mean, Student t interval
    GAP_ABOVE = "gap_above"  # share of gaps > 0, Wilson
    GAP_EQUAL = "gap_equal"  # share of gaps == 0, Wilson
    GAP_BELOW = "gap_below"  # share of gaps < 0, Wilson
    RESPONSES = "responses"  # distinct responses
    RESPONSE_RATE = "response_rate"  # finished / sent invitations, Wilson
    SHARE = "share"  # share of values above 0 (a 1/0 role), Wilson


SHARE_KINDS: Final = frozenset(
    {
        Kind.TOP_TWO_BOX,
        Kind.GAP_ABOVE,
        Kind.GAP_EQUAL,
        Kind.GAP_BELOW,
        Kind.RESPONSE_RATE,
        Kind.SHARE,
    }
)


@dataclass(frozen=True)
class Metric:
    slug: str
    #: English msgid (translated with gettext where shown)
    label: str
    #: Swedish label, for the respondent-facing places that show a metric
    label_sv: str
    unit: Unit
    kind: Kind
    #: measure roles read; empty for response_rate (which reads invitations)
    roles: tuple[str, ...]
    #: one line for docs and the UI: how the number is computed (English msgid)
    computed: str
    higher_is_better: bool
    min_n: int
    #: the values the metric can take (targets outside are refused)
    low: float
    high: float
    #: the interval method, or "" when the statistic has none
    interval: str = ""

    def text(self, locale: str) -> str:
        if locale == "sv":
            return self.label_sv
        return gettext(locale, self.label)

    def describe(self, locale: str) -> str:
        return gettext(locale, self.computed)

    def check_target(self, value: float) -> None:
        """Refuse a target this metric can never reach."""
        if not self.low <= value <= self.high:
            raise InvalidInput(
                "A target for %(metric)s must be between %(low)s and %(high)s.",
                field="target",
                metric=self.slug,
                low=_plain(self.low),
                high=_plain(self.high),
            )


def _plain(x: float) -> float | int:
    return int(x) if x == int(x) else x


_WILSON = "wilson"
_T = "student_t"

METRICS: Final[dict[str, Metric]] = {
    m.slug: m
    for m in (
        Metric(
            "nps",
            N_("Net Promoter Score"),
            "Net Promoter Score",
            Unit.SCORE,
            Kind.NPS,
            (MeasureRole.NPS.value,),
            N_("Share of promoters (9–10) minus share of detractors (0–6), in points."),
            True,
            DEFAULT_MIN_N,
            -100.0,
            100.0,
            "adjusted_wald",
        ),
        Metric(
            "csat",
            N_("Customer satisfaction (CSAT)"),
            "Kundnöjdhet (CSAT)",
            Unit.PERCENT,
            Kind.TOP_TWO_BOX,
            (MeasureRole.CSAT.value,),
            N_("Share of satisfaction answers in the two highest boxes (4–5 of 5)."),
            True,
            DEFAULT_MIN_N,
            0.0,
            100.0,
            _WILSON,
        ),
        Metric(
            "ces",
            N_("Customer effort (CES)"),
            "Kundansträngning (CES)",
            Unit.POINTS,
            Kind.MEAN,
            (MeasureRole.CES.value,),
            N_("Mean of the effort answers (1–7, 7 = it was easy)."),
            True,
            DEFAULT_MIN_N,
            1.0,
            7.0,
            _T,
        ),
        Metric(
            "repurchase_intent",
            N_("Repurchase intent"),
            "Återköpsavsikt",
            Unit.POINTS,
            Kind.MEAN,
            (MeasureRole.REPURCHASE_INTENT.value,),
            N_("Mean of the repurchase intent answers."),
            True,
            DEFAULT_MIN_N,
            0.0,
            10.0,
            _T,
        ),
        Metric(
            "trust",
            N_("Trust"),
            "Förtroende",
            Unit.POINTS,
            Kind.MEAN,
            (MeasureRole.TRUST.value,),
            N_("Mean of the trust answers."),
            True,
            DEFAULT_MIN_N,
            0.0,
            10.0,
            _T,
        ),
        Metric(
            "expectation_gap",
            N_("Expectation gap"),
            "Förväntningsgap",
            Unit.POINTS,
            Kind.MEAN,
            (GAP_ROLE,),
            N_("Mean of experience minus expectation; above 0 the expectation was exceeded."),
            True,
            DEFAULT_MIN_N,
            -10.0,
            10.0,
            _T,
        ),
        Metric(
            "exceeded_share",
            N_("Expectations exceeded"),
            "Förväntningar överträffade",
            Unit.PERCENT,
            Kind.GAP_ABOVE,
            (GAP_ROLE,),
            N_("Share of answers where the experience was above the expectation."),
            True,
            DEFAULT_MIN_N,
            0.0,
            100.0,
            _WILSON,
        ),
        Metric(
            "met_share",
            N_("Expectations met"),
            "Förväntningar uppfyllda",
            Unit.PERCENT,
            Kind.GAP_EQUAL,
            (GAP_ROLE,),
            N_("Share of answers where the experience equalled the expectation."),
            True,
            DEFAULT_MIN_N,
            0.0,
            100.0,
            _WILSON,
        ),
        Metric(
            "short_share",
            N_("Expectations not met"),
            "Förväntningar inte uppfyllda",
            Unit.PERCENT,
            Kind.GAP_BELOW,
            (GAP_ROLE,),
            N_("Share of answers where the experience fell short of the expectation."),
            False,
            DEFAULT_MIN_N,
            0.0,
            100.0,
            _WILSON,
        ),
        Metric(
            "responses",
            N_("Responses"),
            "Svar",
            Unit.COUNT,
            Kind.RESPONSES,
            (),
            N_("Number of distinct finished responses."),
            True,
            1,
            0.0,
            float(2**53),
        ),
        Metric(
            "response_rate",
            N_("Response rate"),
            "Svarsfrekvens",
            Unit.PERCENT,
            Kind.RESPONSE_RATE,
            (),
            N_("Finished responses per invitation sent."),
            True,
            DEFAULT_MIN_N,
            0.0,
            100.0,
            _WILSON,
        ),
        Metric(
            "comment_sentiment",
            N_("Comment sentiment"),
            "Kommentarernas ton",
            Unit.POINTS,
            Kind.MEAN,
            (COMMENT_SCORE_ROLE,),
            N_(
                "Mean sentiment score of the analysed comments, from −1 (negative) to 1 "
                "(positive); by theme, the theme's own sentiment in each comment."
            ),
            True,
            DEFAULT_MIN_N,
            -1.0,
            1.0,
            _T,
        ),
        Metric(
            "negative_comment_share",
            N_("Negative comments"),
            "Negativa kommentarer",
            Unit.PERCENT,
            Kind.SHARE,
            (COMMENT_NEGATIVE_ROLE,),
            N_("Share of the analysed comments whose sentiment is negative."),
            False,
            DEFAULT_MIN_N,
            0.0,
            100.0,
            _WILSON,
        ),
    )
}

#: Roles whose answers are numbers a mean can be taken of (``mean:<role>``).
RATING_ROLES: Final[tuple[str, ...]] = (
    MeasureRole.NPS.value,
    MeasureRole.CSAT.value,
    MeasureRole.CES.value,
    MeasureRole.EXPECTATION.value,
    MeasureRole.EXPERIENCE.value,
    MeasureRole.EXPECTATION_GAP.value,
    MeasureRole.REPURCHASE_INTENT.value,
    MeasureRole.TRUST.value,
    MeasureRole.OVERALL_SATISFACTION.value,
    MeasureRole.OTHER.value,
    GAP_ROLE,
)

MEAN_PREFIX: Final = "mean:"

_MEAN_LABEL = N_("Mean of %(role)s")
_MEAN_COMPUTED = N_("Mean of the answers of this role, with a Student t interval.")


def _mean_metric(role: str) -> Metric:
    # Scales differ (CSAT 1–5, CES 1–7, NPS 0–10, custom ratings, gaps around 0): the
    # range is the widest any of them can take.
    low = -10.0 if role in (GAP_ROLE, MeasureRole.EXPECTATION_GAP.value) else 0.0
    return Metric(
        MEAN_PREFIX + role,
        _MEAN_LABEL,
        "Medelvärde",
        Unit.POINTS,
        Kind.MEAN,
        (role,),
        _MEAN_COMPUTED,
        True,
        DEFAULT_MIN_N,
        low,
        10.0 if low < 0 else 100.0,
        _T,
    )


def metric(slug: str) -> Metric:
    """The catalogue entry of ``slug`` (``mean:<role>`` for the mean of any rating role);
    an unknown slug is a 422 naming it."""
    found = METRICS.get(slug)
    if found is not None:
        return found
    if slug.startswith(MEAN_PREFIX) and slug[len(MEAN_PREFIX) :] in RATING_ROLES:
        return _mean_metric(slug[len(MEAN_PREFIX) :])
    raise InvalidInput("Unknown metric %(value)s.", field="metrics", value=slug)


def is_metric(slug: str) -> bool:
    try:
        metric(slug)
    except InvalidInput:
        return False
    return True


def role_label(role: str, locale: str) -> str:
    """A measure role's name in ``locale`` (the gap role is the expectation gap)."""
    if role == GAP_ROLE:
        return METRICS["expectation_gap"].text(locale)
    try:
        return MEASURE_ROLES[MeasureRole(role)].text(locale)
    except ValueError:
        return role


def label(slug: str, locale: str) -> str:
    """The metric's name in ``locale``; ``mean:<role>`` names its role."""
    found = metric(slug)
    if found.kind is Kind.MEAN and slug.startswith(MEAN_PREFIX):
        role = role_label(found.roles[0], locale)
        if locale == "sv":
            return f"{found.label_sv}: {role}"
        return gettext(locale, _MEAN_LABEL, role=role)
    return found.text(locale)


def listing() -> list[Metric]:
    """Every metric the API lists: the named ones, then the mean of each rating role."""
    return list(METRICS.values()) + [_mean_metric(r) for r in RATING_ROLES]
