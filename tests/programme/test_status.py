"""Live status from real responses: each measure's value and standing against its
target, rolled up to standards and elements; another organisation never counts."""

from __future__ import annotations

import pytest

from kohtaamo.programme.status import programme_status
from kohtaamo.programme.tree import load_pyramid
from kohtaamo.programme.vocab import TargetStatus
from kohtaamo.storage.db import Database
from tests.analytics.conftest import SyncedStore
from tests.analytics.sync_helpers import make_survey, submit
from tests.factories import Factory
from tests.programme.helpers import build

S = TargetStatus


def test_status_is_computed_from_the_answers_and_rolled_up(
    db: Database, factory: Factory, analytics_store: SyncedStore
) -> None:
    survey = make_survey(db, factory.organisation())
    for n in range(30):  # 20 promoters, 10 detractors; every experience below expectation
        submit(db, survey, nps=10 if n < 20 else 3, expected=4, experienced=2, speed=-1)
    stranger = make_survey(db, factory.organisation())
    for _ in range(30):  # another organisation's detractors must never count
        submit(db, stranger, nps=0, expected=2, experienced=5)
    built = build(db, survey.cat)
    source = analytics_store.sync()
    with db.transaction(survey.org.id, readonly=True) as session:
        pyramid = load_pyramid(session)
    status = programme_status(source, survey.org.id, pyramid)

    nps = status.measures[built.measures["nps"]]
    assert nps.value.n == 30 and nps.value.value == pytest.approx((20 - 10) / 30 * 100)
    assert nps.status == S.ON_TRACK and nps.gap_to_target == pytest.approx(100 / 3 - 20)
    assert status.measures[built.measures["nps_close"]].status == S.AT_RISK  # 6.7 short, 10 allowed
    exceeded = status.measures[built.measures["exceeded"]]
    assert exceeded.value.value == 0 and exceeded.status == S.OFF_TRACK
    assert status.measures[built.measures["vip"]].status == S.UNKNOWN  # nobody in that segment
    assert status.measures[built.measures["vip"]].value.value is None

    assert status.standards[built.standard] == S.OFF_TRACK
    assert status.elements[built.no_repeat] == S.OFF_TRACK
    assert status.elements[built.effortless] == S.OFF_TRACK  # through its sub-element
    assert status.elements[built.trustworthy] == S.AT_RISK  # worst known; unknown hides nothing
    assert status.elements[built.personal] == S.UNKNOWN
    assert status.counts == {S.ON_TRACK: 1, S.AT_RISK: 1, S.OFF_TRACK: 1, S.UNKNOWN: 1}
    assert nps.trend and nps.trend[-1][1].n == 30  # this month's point of the monthly trend


def test_too_few_answers_is_unknown_never_a_number(
    db: Database, factory: Factory, analytics_store: SyncedStore
) -> None:
    survey = make_survey(db, factory.organisation())
    for _ in range(3):
        submit(db, survey, nps=10)
    built = build(db, survey.cat)
    source = analytics_store.sync()
    with db.transaction(survey.org.id, readonly=True) as session:
        status = programme_status(source, survey.org.id, load_pyramid(session))
    nps = status.measures[built.measures["nps"]]
    assert nps.status == S.UNKNOWN and nps.value.value is None and nps.gap_to_target is None
