"""The same ibis query over the operational PostgreSQL and over the synced store gives
the same answer: queries are written once for every engine."""

from __future__ import annotations

import math
from collections.abc import Iterator

import ibis
import pytest

from kohtaamo.analytics.operational import operational_source
from kohtaamo.analytics.source import Source
from kohtaamo.storage.db import Database
from tests.analytics.conftest import SyncedStore
from tests.analytics.sync_helpers import make_survey, submit
from tests.factories import Factory

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def operational(db: Database) -> Iterator[Source]:
    if db.dialect != "postgresql":
        pytest.skip("the operational source is PostgreSQL's")
    source = operational_source(db.engine)
    yield source
    source.con.disconnect()


def _plain(value: object) -> object:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9)
    return value


def _aggregate(source: Source, org: str) -> list[tuple[object, ...]]:
    m = source.measures.filter(source.measures.organisation_id == org)
    tp = source.touchpoints.filter(source.touchpoints.organisation_id == org).select(
        "touchpoint_id", "key", "team_name"
    )
    c = source.customers.filter(source.customers.organisation_id == org).select(
        "customer_id", "plan"
    )
    s = source.surveys.filter(source.surveys.organisation_id == org).select(
        "survey_id", survey="key"
    )
    joined = (
        m.left_join(tp, m.touchpoint_id == tp.touchpoint_id)
        .left_join(c, m.customer_id == c.customer_id)
        .left_join(s, m.survey_id == s.survey_id)
    )
    expr = (
        joined.group_by(
            "key",
            "team_name",
            "role",
            "plan",
            "survey",
            month=joined.answered_at.truncate("M"),
        )
        .aggregate(
            n=joined.count(),
            mean=joined.value.mean(),
            promoters=(joined.value >= 9).sum(),
            customers=joined.customer_id.nunique(),
        )
        .order_by(ibis.asc("key"), "role", "plan", "month")
    )
    frame = source.execute(expr)
    return [tuple(_plain(v) for v in row) for row in frame.itertuples(index=False)]


def test_the_same_aggregation_on_postgresql_and_the_store(
    db: Database, factory: Factory, analytics_store: SyncedStore, operational: Source
) -> None:
    ours = make_survey(db, factory.organisation())
    theirs = make_survey(db, factory.organisation())
    for i in range(8):
        submit(db, ours, customer=f"c-{i % 3}", nps=i + 2, experienced=1 + i % 5, speed=i % 5 - 2)
    submit(db, theirs, nps=0)
    store = analytics_store.sync()
    expected = _aggregate(store, str(ours.org.id))
    assert len(expected) >= 6 and sum(int(r[6]) for r in expected) == 8 * 7  # type: ignore[call-overload]
    assert _aggregate(operational, str(ours.org.id)) == expected
    for table in ("measures", "touchpoints", "placements", "customers", "surveys", "invitations"):
        kinds = [
            {name: type(dtype).__name__ for name, dtype in getattr(src, table).schema().items()}
            for src in (operational, store)
        ]
        assert kinds[0] == kinds[1], table
