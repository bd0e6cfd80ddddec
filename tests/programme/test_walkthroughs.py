"""Walking the journey: a schedule, a checklist in the journey's order with each
touchpoint's standards, checks saved one by one, the next walk falling due on finishing,
a failed check made an action, and one reminder per overdue walk at a real SMTP server."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.permissions import Role
from kohtaamo.errors import Conflict, InvalidInput
from kohtaamo.jobs.runner import Runner
from kohtaamo.journeys import journeymap
from kohtaamo.journeys.models import Journey
from kohtaamo.journeys.schemas import PlacementIn
from kohtaamo.programme import walkthroughs
from kohtaamo.programme.models import Walkthrough
from kohtaamo.programme.schemas import CheckIn, WalkthroughIn
from kohtaamo.programme.vocab import CheckResult
from kohtaamo.storage.db import Database
from tests.conftest import SmtpSink
from tests.factories import Factory, Member
from tests.journeys.helpers import Catalogue, seed
from tests.programme.helpers import Built, build

TODAY = date(2026, 11, 24)


def _world(db: Database, factory: Factory) -> tuple[Catalogue, Built, Member]:
    cat = seed(db, factory.organisation())
    with db.transaction(cat.org.id) as session:
        journey = session.get(Journey, cat.journey_id)
        assert journey is not None
        for key, stage in (("checkout", 1), ("advert", 0), ("website", 0)):
            journeymap.do_place_touchpoint(
                session,
                cat.actor,
                cat.journey_id,
                cat.touchpoints[key],
                PlacementIn(stage_id=journey.stages[stage].id),
            )
    built = build(db, cat)  # one standard, on checkout
    owner = factory.member(cat.org, Role.ANALYST, locale="fi")
    return cat, built, owner


def _walk(db: Database, cat: Catalogue, owner: Member, **kw: object) -> Walkthrough:
    data = WalkthroughIn.model_validate(
        {
            "title": "Lippupolku",
            "journey_id": cat.journey_id,
            "owner_id": owner.user.id,
            "every_days": 90,
            "first_due": TODAY,
        }
        | kw
    )
    with db.transaction(cat.org.id) as session:
        return walkthroughs.schedule(session, data, owner.actor, today=TODAY)


def test_a_walk_checks_each_touchpoint_in_order_and_schedules_the_next(
    db: Database, factory: Factory
) -> None:
    cat, built, owner = _world(db, factory)
    walk = _walk(db, cat, owner)
    actor = owner.actor
    with db.transaction(cat.org.id) as session:
        run = walkthroughs.start_run(session, walk.id, actor)
        again = walkthroughs.start_run(session, walk.id, actor)
        assert again.id == run.id  # one open walk per due date
        items = walkthroughs.checklist(session, run.id)
        assert [i.touchpoint.key for i in items][-1] == "checkout"  # purchase stage last
        assert [s.id for s in items[-1].standards] == [built.standard]
        walkthroughs.record_check(
            session,
            run.id,
            CheckIn(touchpoint_id=cat.touchpoints["advert"], result=CheckResult.PASS),
            actor,
        )
        failed = walkthroughs.record_check(
            session,
            run.id,
            CheckIn(
                touchpoint_id=cat.touchpoints["checkout"],
                standard_id=built.standard,
                result=CheckResult.FAIL,
                note="Kassa kysyi osoitetta kahdesti, soita 040 123 4567",
            ),
            actor,
        )
        assert "040 123 4567" not in failed.note
        with pytest.raises(InvalidInput):
            walkthroughs.record_check(
                session,
                run.id,
                CheckIn(touchpoint_id=cat.touchpoints["support"], result=CheckResult.PASS),
                actor,
            )
    with db.transaction(cat.org.id) as session:  # a walk that stopped half-way kept its checks
        assert len(walkthroughs.checks(session, run.id)) == 2
        manager = Actor(organisation_id=cat.org.id, user_id=owner.user.id, role=Role.ADMIN)
        action = walkthroughs.failed_to_action(session, failed.id, manager)
        assert action.walkthrough_check_id == failed.id and action.standard_id == built.standard
        assert walkthroughs.failed_to_action(session, failed.id, manager).id == action.id
        walkthroughs.finish_run(session, run.id, "Kassa kuntoon.", actor)
        assert session.get(Walkthrough, walk.id).next_due == TODAY + timedelta(days=90)  # type: ignore[union-attr]
    with pytest.raises(Conflict), db.transaction(cat.org.id) as session:
        walkthroughs.finish_run(session, run.id, "", actor)


def test_schedules_refuse_the_past_and_strangers(db: Database, factory: Factory) -> None:
    cat, _, owner = _world(db, factory)
    with pytest.raises(InvalidInput) as past:
        _walk(db, cat, owner, first_due=TODAY - timedelta(days=1))
    assert past.value.problems[0].field == "first_due"
    other = seed(db, factory.organisation())
    with pytest.raises(InvalidInput):
        _walk(db, cat, owner, journey_id=other.journey_id)
    stranger = factory.member(other.org, Role.OWNER)
    with pytest.raises(InvalidInput):
        _walk(db, cat, owner, owner_id=stranger.user.id)


def test_an_overdue_walk_reminds_its_owner_once(
    db: Database, factory: Factory, smtp_runner: Runner, smtp_server: SmtpSink
) -> None:
    cat, _, owner = _world(db, factory)
    walk = _walk(db, cat, owner)
    later = TODAY + timedelta(days=8)
    for _ in range(2):  # a re-run, or a second worker, sends nothing more
        with db.transaction(cat.org.id) as session:
            walkthroughs.remind_overdue(session, today=later, base_url="http://kohtaamo.test")
    smtp_runner.run_pending()
    mails = [m for m in smtp_server.messages if owner.user.email in m["X-RcptTo"]]
    assert len(mails) == 1 and "Lippupolku" in mails[0]["Subject"]
    with db.transaction(cat.org.id, readonly=True) as session:
        assert session.scalars(select(Walkthrough)).one().reminded_for == walk.next_due
