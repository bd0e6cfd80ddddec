"""NPS, CSAT, CES, proportions and means against published or hand-computed numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from kohtaamo.errors import InvalidInput
from kohtaamo.metrics._checks import MetricInputError, Sufficiency
from kohtaamo.metrics.stats import ces, csat, mean, nps, proportion, wilson_interval

Z95 = 1.959963984540054


def test_wilson_interval_matches_newcombe_1998_example() -> None:
    # Newcombe (1998) Stat. Med. 17:857, Table II example (81/263), method 3 (Wilson).
    ci = wilson_interval(81, 263, 0.95)
    assert (round(ci.low, 4), round(ci.high, 4)) == (0.2553, 0.3662)


def test_wilson_interval_at_the_edges_stays_inside_zero_and_one() -> None:
    # Newcombe (1998) Table II: 0/10 gives 0 to 0.2775 by the Wilson method.
    ci = wilson_interval(0, 10, 0.95)
    assert ci.low == 0.0
    assert round(ci.high, 4) == 0.2775
    assert wilson_interval(10, 10, 0.95).high == 1.0


def test_nps_of_a_known_distribution() -> None:
    scores = [10, 10, 9, 9, 9, 8, 7, 7, 6, 0]  # 5 promoters, 3 passives, 2 detractors
    r = nps(scores, min_n=1, method="wald")
    assert (r.promoters, r.passives, r.detractors, r.n) == (5, 3, 2, 10)
    assert r.nps == pytest.approx(30.0)
    assert (r.promoter_share, r.passive_share, r.detractor_share) == (0.5, 0.3, 0.2)
    se = math.sqrt((0.5 + 0.2 - 0.3**2) / 10) * 100
    assert r.standard_error == pytest.approx(se)
    assert r.interval is not None
    assert r.interval.low == pytest.approx(30 - Z95 * se)
    assert r.interval.high == pytest.approx(30 + Z95 * se)


def test_nps_standard_error_equals_sd_of_trinomial_coding() -> None:
    rng = np.random.default_rng(1)
    scores = rng.integers(0, 11, 500)
    coded = np.where(scores >= 9, 1, np.where(scores <= 6, -1, 0))
    r = nps(scores.tolist())
    assert r.nps == pytest.approx(coded.mean() * 100)
    assert r.standard_error == pytest.approx(coded.std(ddof=0) / math.sqrt(500) * 100)


def test_adjusted_wald_adds_three_pseudo_answers() -> None:
    # Sauro & Lewis / Rocks (2016): n + 3, promoters and detractors + 3/4 each.
    scores = [10] * 30 + [7] * 10 + [3] * 10
    r = nps(scores)
    p, d, n = 30.75 / 53, 10.75 / 53, 53
    centre = (p - d) * 100
    half = Z95 * math.sqrt((p + d - (p - d) ** 2) / n) * 100
    assert r.nps == pytest.approx(40.0)  # the point estimate is not adjusted
    assert r.interval is not None
    assert r.interval.low == pytest.approx(centre - half)
    assert r.interval.high == pytest.approx(centre + half)


def test_all_promoters_gives_a_real_interval_only_with_adjusted_wald() -> None:
    wald = nps([10] * 40, method="wald")
    adjusted = nps([10] * 40)
    assert wald.nps == adjusted.nps == 100.0
    assert wald.interval is not None and wald.interval.low == 100.0
    assert adjusted.interval is not None
    assert 80 < adjusted.interval.low < 100 and adjusted.interval.high == 100.0


def test_nps_below_minimum_n_is_flagged_not_a_number() -> None:
    r = nps([10] * 29)
    assert r.status is Sufficiency.TOO_FEW
    assert r.nps is None and r.interval is None and r.standard_error is None
    assert r.promoters == 29  # the counts stay visible
    assert nps([10] * 30).status is Sufficiency.OK


def test_nps_of_nothing_is_no_data_never_zero() -> None:
    r = nps([])
    assert r.status is Sufficiency.NO_DATA
    assert r.nps is None and r.n == 0


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ([5, 11], "from 0 to 10; found 11"),
        ([5, -1], "found -1"),
        ([7.5], "whole numbers"),
        ([5, None], "missing values"),
        ([5, float("nan")], "missing"),
        (["x"], "only numbers"),
    ],
)
def test_nps_refuses_bad_answers_with_a_clear_message(scores: list, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        nps(scores)
    assert isinstance(info.value, InvalidInput)  # renders as 422 in the app
    assert info.value.problems[0].field == "scores"


def test_settings_are_checked() -> None:
    with pytest.raises(MetricInputError, match="confidence level"):
        nps([10], confidence=95)
    with pytest.raises(MetricInputError, match="minimum number"):
        nps([10], min_n=0)


def test_proportion_validates_counts_and_flags_small_n() -> None:
    with pytest.raises(ValueError, match="between 0 and the number of answers"):
        proportion(5, 3)
    assert proportion(3, 10).status is Sufficiency.TOO_FEW
    assert proportion(0, 0).status is Sufficiency.NO_DATA
    r = proportion(81, 263)
    assert r.share == pytest.approx(81 / 263)
    assert r.interval is not None and round(r.interval.low, 4) == 0.2553


def test_mean_t_interval_matches_scipy() -> None:
    values = [3, 4, 5, 5, 2, 4, 4, 3, 5, 1] * 4
    r = mean(values)
    ref = sps.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=sps.sem(values))
    assert r.interval is not None
    assert (r.interval.low, r.interval.high) == pytest.approx(ref)
    assert r.sd == pytest.approx(np.std(values, ddof=1))


def test_mean_of_identical_answers_has_a_zero_width_interval() -> None:
    r = mean([4] * 30)
    assert r.mean == 4.0 and r.sd == 0.0
    assert r.interval is not None and (r.interval.low, r.interval.high) == (4.0, 4.0)


def test_mean_of_one_answer_has_no_interval() -> None:
    r = mean([4], min_n=1)
    assert r.mean == 4.0 and r.interval is None


def test_csat_top_two_box_and_mean() -> None:
    scores = [5] * 20 + [4] * 10 + [3] * 5 + [2] * 3 + [1] * 2
    r = csat(scores)
    assert r.top_two_box.successes == 30 and r.top_two_box.n == 40
    assert r.top_two_box.share == 0.75
    ci = r.top_two_box.interval
    assert ci is not None and (ci.low, ci.high) == pytest.approx(
        (wilson_interval(30, 40, 0.95).low, wilson_interval(30, 40, 0.95).high)
    )
    assert r.mean.mean == pytest.approx(np.mean(scores))
    with pytest.raises(ValueError, match="from 1 to 5; found 0"):
        csat([0, 5])


def test_ces_easy_share_is_five_to_seven() -> None:
    scores = [7] * 10 + [5] * 10 + [4] * 10 + [1] * 10
    r = ces(scores)
    assert r.easy.successes == 20 and r.easy.share == 0.5
    assert r.mean.mean == pytest.approx(4.25)
    with pytest.raises(ValueError, match="from 1 to 7; found 8"):
        ces([8])
