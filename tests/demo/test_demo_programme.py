"""The demo programme: a whole pyramid for the events company whose live status, computed
from the demo's own answers, shows every standing; actions in every status."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from kohtaamo.accounts.models import Organisation
from kohtaamo.analytics.store import AnalyticsStore
from kohtaamo.analytics.sync import sync
from kohtaamo.demo import seed_demo
from kohtaamo.programme.models import (
    Action,
    ActionCase,
    Description,
    Element,
    Observation,
    Walkthrough,
    WalkthroughCheck,
)
from kohtaamo.programme.status import programme_status
from kohtaamo.programme.tree import load_pyramid
from kohtaamo.programme.vocab import ActionStatus, TargetStatus
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS


def test_the_demo_programme_shows_every_standing(db: Database) -> None:
    seed_demo(db)
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        orgs = {o.slug: o.id for o in session.scalars(select(Organisation))}
    main = orgs["elamys"]
    with db.transaction(main, readonly=True) as session:
        pyramid = load_pyramid(session)
        statuses = Counter(a.status for a in session.scalars(select(Action)))
        linked_cases = len(list(session.scalars(select(ActionCase))))
        description = session.scalars(select(Description)).one()
        observations = list(session.scalars(select(Observation)))
        walks = list(session.scalars(select(Walkthrough)))
        failed = session.scalars(
            select(WalkthroughCheck).where(WalkthroughCheck.result == "fail")
        ).one()
        from_walk = session.scalar(select(Action).where(Action.walkthrough_check_id == failed.id))
        from_staff = session.scalar(select(Action).where(Action.observation_id.is_not(None)))
    assert len(pyramid.elements) == 3 and all(len(e.children) == 2 for e in pyramid.elements)
    assert len(pyramid.standards()) == 6 and len(pyramid.measures()) == 9
    assert set(statuses) == {s.value for s in ActionStatus}
    assert linked_cases > 0 and "elämyksen" in description.promise_fi
    assert {o.status for o in observations} >= {"new", "action", "standard", "declined"}
    assert sum(o.votes for o in observations) > 0 and from_staff is not None
    assert len(walks) == 2 and any(w.next_due < date(2026, 11, 24) for w in walks)
    assert from_walk is not None  # the door queue action came from a failed check

    store = AnalyticsStore(":memory:")
    try:
        sync(store, db)
        status = programme_status(store.source(), main, pyramid, today=date(2026, 11, 24))
    finally:
        store.close()
    found = Counter(s.status for s in status.measures.values())
    assert found[TargetStatus.ON_TRACK] >= 2 and found[TargetStatus.OFF_TRACK] >= 2
    assert found[TargetStatus.AT_RISK] >= 1 and found[TargetStatus.UNKNOWN] == 0
    with db.transaction(orgs["nordic-events"], readonly=True) as session:
        assert session.scalars(select(Element)).first() is None  # the other organisation's own
