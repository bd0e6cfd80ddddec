"""The metric catalogue: every entry complete and consistent, unknown slugs refused,
labels in every language, targets checked against the metric's range."""

from __future__ import annotations

import pytest

from kohtaamo.analytics.catalogue import (
    METRICS,
    RATING_ROLES,
    SHARE_KINDS,
    Kind,
    Unit,
    is_metric,
    label,
    listing,
    metric,
)
from kohtaamo.errors import InvalidInput
from kohtaamo.metrics._checks import DEFAULT_MIN_N

ISSUE_METRICS = {
    "nps", "csat", "ces", "repurchase_intent", "trust", "expectation_gap",
    "exceeded_share", "met_share", "short_share", "responses", "response_rate",
}  # fmt: skip


def test_the_catalogue_has_every_metric_of_the_issue_and_each_is_complete() -> None:
    assert set(METRICS) >= ISSUE_METRICS
    for slug, m in METRICS.items():
        assert m.slug == slug
        assert m.label and m.label_sv and m.computed
        assert m.min_n >= 1 and m.low < m.high
        assert (m.kind in SHARE_KINDS) == (m.unit is Unit.PERCENT)
        if m.unit is Unit.PERCENT:
            assert (m.low, m.high) == (0.0, 100.0) and m.interval == "wilson"
        # Only counts and the response rate read no measure role.
        assert bool(m.roles) == (m.kind not in (Kind.RESPONSES, Kind.RESPONSE_RATE))
    assert METRICS["nps"].interval == "adjusted_wald"
    assert (METRICS["nps"].low, METRICS["nps"].high) == (-100.0, 100.0)
    assert METRICS["nps"].min_n == DEFAULT_MIN_N
    assert not METRICS["short_share"].higher_is_better
    assert METRICS["expectation_gap"].roles == ("gap",)


def test_the_mean_of_any_rating_role_is_a_metric() -> None:
    for role in RATING_ROLES:
        m = metric(f"mean:{role}")
        assert m.kind is Kind.MEAN and m.roles == (role,) and m.unit is Unit.POINTS
    assert {m.slug for m in listing()} >= {f"mean:{r}" for r in RATING_ROLES} | set(METRICS)
    for bad in ("mean:comment", "mean:emotion", "mean:", "NPS", "nps "):
        assert not is_metric(bad)


def test_an_unknown_metric_is_a_422_naming_it() -> None:
    with pytest.raises(InvalidInput) as caught:
        metric("happiness")
    assert caught.value.problems[0].field == "metrics"
    assert caught.value.params == {"value": "happiness"}


def test_labels_in_finnish_english_and_swedish() -> None:
    assert label("nps", "en") == "Net Promoter Score"
    assert label("csat", "sv") == "Kundnöjdhet (CSAT)"
    assert label("mean:trust", "en") == "Mean of Trust"
    assert "Förtroende" in label("mean:trust", "sv")
    assert label("mean:gap", "en") == "Mean of Expectation gap"


@pytest.mark.parametrize(
    ("slug", "ok", "bad"),
    [("nps", -100, 101), ("csat", 85, -1), ("ces", 5.5, 0.5), ("expectation_gap", -0.5, 11)],
)
def test_targets_outside_the_range_are_refused(slug: str, ok: float, bad: float) -> None:
    m = metric(slug)
    m.check_target(ok)
    with pytest.raises(InvalidInput) as caught:
        m.check_target(bad)
    assert caught.value.problems[0].field == "target"
