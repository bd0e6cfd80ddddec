"""Journey triggers: an encounter at a touchpoint invites the customer after a delay,
sampled, quiet, with consent, within a quota, each event considered once, and only the
organisation's own events."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from kohtaamo.jobs import enqueue
from kohtaamo.jobs.models import Job, JobStatus
from kohtaamo.jobs.runner import Runner
from kohtaamo.journeys.ingest import do_store_events
from kohtaamo.journeys.models import Customer, InteractionEvent
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.surveys import campaigns, tasks, triggers
from kohtaamo.surveys.models import SurveyInvitation, SurveyTrigger
from tests.conftest import SmtpSink
from tests.factories import Factory
from tests.surveys.helpers import SurveyFixture, make_survey
from tests.surveys.helpers_invitations import add_customers, invitations_of, runner, survey_link

__all__ = ["runner"]  # the fixture

NOW = utcnow()
EARLIER = NOW - timedelta(minutes=30)  # when the test events arrived: settled


def _trigger(db: Database, f: SurveyFixture, **kw: Any) -> uuid.UUID:
    values: dict[str, Any] = {
        "name": "Kassan jälkeen",
        "touchpoint_id": f.cat.touchpoints["checkout"],
        "delay_minutes": 60,
    }
    with db.transaction(f.org.id) as session:
        return triggers.do_create_trigger(
            session, f.actor, f.survey_id, triggers.TriggerIn.model_validate(values | kw)
        ).id


def _events(
    db: Database,
    f: SurveyFixture,
    rows: list[tuple[str, str]],
    *,
    at: datetime = EARLIER,
    received: datetime = EARLIER,
    touchpoint: str = "checkout",
) -> None:
    """(event id, customer) pairs at ``touchpoint``."""
    items = [
        {"id": key, "customer": cust, "touchpoint": touchpoint, "occurred_at": at.isoformat()}
        for key, cust in rows
    ]
    with db.transaction(f.org.id) as session:
        result = do_store_events(session, f.actor, items, now=received)
    assert all(o.status == "stored" for o in result.outcomes), result.outcomes


def _run(db: Database, f: SurveyFixture, **kw: Any) -> triggers.TriggerRun:
    with db.transaction(f.org.id) as session:
        return triggers.do_run_triggers(session, f.org, now=kw.pop("now", NOW), **kw)


def test_an_encounter_invites_after_the_delay_and_only_once(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    add_customers(db, f, {"anna": {}, "ville": {}})
    trigger_id = _trigger(db, f)
    _events(db, f, [("e1", "anna"), ("e2", "ville")])
    _events(db, f, [("e3", "ville")], touchpoint="website")  # another touchpoint

    first = _run(db, f)
    assert (first.events, first.invited, first.skipped) == (2, 2, {})
    made = invitations_of(db, f)
    assert [i.send_after for i in made] == [EARLIER + timedelta(minutes=60)] * 2
    assert {i.event_key for i in made} == {"e1", "e2"}
    assert {i.trigger_id for i in made} == {trigger_id}
    with db.transaction(None, readonly=True) as session:
        runs = sorted(session.scalars(select(Job.run_after).where(Job.task == tasks.SEND_TASK)))
    assert runs == [EARLIER + timedelta(minutes=60)] * 2  # the mail waits for the delay

    again = _run(db, f)  # the cursor has moved past both events
    assert (again.events, again.invited) == (0, 0)
    assert len(invitations_of(db, f)) == 2


def test_a_new_trigger_ignores_earlier_events_and_old_events_invite_nobody(
    db: Database, factory: Factory
) -> None:
    f = make_survey(db, factory.organisation())
    add_customers(db, f, {"anna": {}, "ville": {}})
    _events(db, f, [("before", "anna")])
    _trigger(db, f)
    _events(db, f, [("old", "ville")], at=NOW - timedelta(days=30))
    result = _run(db, f)
    assert (result.events, result.invited, result.skipped) == (1, 0, {"too_old": 1})


def test_fresh_events_wait_until_they_settle(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    add_customers(db, f, {"anna": {}})
    _trigger(db, f)
    _events(db, f, [("e1", "anna")], received=NOW)
    assert _run(db, f).events == 0
    later = _run(db, f, now=NOW + triggers.SETTLE + timedelta(seconds=1))
    assert (later.events, later.invited) == (1, 1)


def test_sampling_is_deterministic_per_event(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    people: dict[str, dict[str, Any]] = {f"c{i}": {} for i in range(200)}
    add_customers(db, f, people)
    trigger_id = _trigger(db, f, sample_percent=30)
    _events(db, f, [(f"e{i}", f"c{i}") for i in range(200)])
    result = _run(db, f)
    assert result.invited + result.skipped["not_sampled"] == 200
    assert 30 <= result.invited <= 90  # about 30 % of 200
    chosen = {i.event_key for i in invitations_of(db, f)}
    # the same events are chosen however often, and by nothing but the event and trigger
    assert chosen == {f"e{i}" for i in range(200) if triggers.sampled(trigger_id, f"e{i}", 30)}
    assert not any(triggers.sampled(trigger_id, f"e{i}", 0) for i in range(200))


def test_quiet_period_consent_and_opt_out(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    add_customers(
        db,
        f,
        {
            "twice": {},
            "campaigned": {},
            "no-consent": {"consents": {}},
            "no-mail": {"email": None},
        },
    )
    with db.transaction(f.org.id) as session:
        campaigns.do_invite(
            session,
            f.actor,
            f.survey_id,
            segment=None,
            customer_external_ids=["campaigned"],
            language=None,
            campaign="Kevät",
        )
    _trigger(db, f)
    _events(
        db,
        f,
        [
            ("a", "twice"),
            ("b", "twice"),
            ("c", "campaigned"),
            ("d", "no-consent"),
            ("e", "no-mail"),
        ],
    )
    result = _run(db, f)
    assert result.invited == 1
    assert result.skipped == {"quiet_period": 2, "no_consent": 1, "no_email": 1}


def test_a_trigger_may_need_no_consent(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    add_customers(db, f, {"anna": {"consents": {}}})
    _trigger(db, f, consent_key=None)
    _events(db, f, [("e1", "anna")])
    assert _run(db, f).invited == 1


def test_the_quota_caps_invitations_per_period(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    add_customers(db, f, {f"c{i}": {} for i in range(5)})
    _trigger(db, f, quota=2, quota_days=7)
    _events(db, f, [(f"e{i}", f"c{i}") for i in range(3)])
    first = _run(db, f)
    assert (first.invited, first.skipped) == (2, {"quota": 1})
    _events(db, f, [("e3", "c3")])
    assert _run(db, f).skipped == {"quota": 1}  # the quota counts earlier runs too
    week_later = NOW + timedelta(days=8)
    _events(db, f, [("e4", "c4")], at=week_later - timedelta(hours=2), received=week_later)
    assert _run(db, f, now=week_later + timedelta(hours=1)).invited == 1  # a new period


def test_batches_continue_where_they_stopped(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    add_customers(db, f, {f"c{i}": {} for i in range(5)})
    trigger_id = _trigger(db, f)
    _events(db, f, [(f"e{i}", f"c{i}") for i in range(5)])
    first = _run(db, f, batch=2)
    assert (first.events, first.invited, first.more) == (2, 2, True)
    # a crash after the invitations were made rolls them back with the cursor's move
    with pytest.raises(RuntimeError), db.transaction(f.org.id) as session:
        triggers.do_run_triggers(session, f.org, now=NOW, batch=2)
        raise RuntimeError("crash before commit")
    assert len(invitations_of(db, f)) == 2
    while _run(db, f, batch=2).more:
        pass
    assert sorted(i.event_key or "" for i in invitations_of(db, f)) == [f"e{i}" for i in range(5)]
    with db.transaction(f.org.id, readonly=True) as session:
        cursor = session.scalar(select(SurveyTrigger.last_event_id))
        newest = session.scalar(select(func.max(InteractionEvent.id)))
    assert cursor == newest and trigger_id


def test_triggers_never_read_another_organisations_events(db: Database, factory: Factory) -> None:
    a = make_survey(db, factory.organisation())
    b = make_survey(db, factory.organisation())
    add_customers(db, a, {"anna": {}})
    add_customers(db, b, {"anna": {}})
    _trigger(db, a)
    # B's event that names A's touchpoint (as a confused import might): A must not see it
    with db.transaction(b.org.id) as session:
        customer = session.scalar(select(Customer.id).where(Customer.external_id == "anna"))
        session.execute(
            insert(InteractionEvent).values(
                organisation_id=b.org.id,
                event_key="b-1",
                customer_id=customer,
                touchpoint_id=a.cat.touchpoints["checkout"],
                occurred_at=EARLIER,
                received_at=EARLIER,
            )
        )
    _events(db, b, [("b-2", "anna")])
    result = _run(db, a)
    assert (result.events, result.invited) == (0, 0)
    assert invitations_of(db, a) == [] and invitations_of(db, b) == []
    with db.transaction(b.org.id) as session, pytest.raises(ValueError):
        triggers.do_run_triggers(session, a.org)  # nor run A's triggers in B's session


def test_the_periodic_job_runs_triggers_and_the_mail_arrives(
    db: Database, factory: Factory, runner: Runner, smtp_server: SmtpSink
) -> None:
    f = make_survey(db, factory.organisation())
    add_customers(db, f, {"anna": {}})
    _trigger(db, f, delay_minutes=0)
    _events(db, f, [("e1", "anna")])
    with db.transaction(None) as session:
        enqueue(session, tasks.TICK_TASK, {})
    runner.run_pending()
    [message] = smtp_server.messages
    assert message["X-RcptTo"] == "anna@example.test"
    assert survey_link(message)[1] == f.slug
    [invitation] = invitations_of(db, f)
    assert invitation.status == "sent"
    with db.transaction(None, readonly=True) as session:
        failed = session.scalar(select(func.count()).where(Job.status != JobStatus.DONE))
    assert failed == 0
    # a second tick finds nothing new
    with db.transaction(None) as session:
        enqueue(session, tasks.TICK_TASK, {})
    runner.run_pending()
    assert len(smtp_server.messages) == 1


def test_deactivated_triggers_do_nothing(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    add_customers(db, f, {"anna": {}})
    trigger_id = _trigger(db, f)
    with db.transaction(f.org.id) as session:
        triggers.do_deactivate_trigger(session, f.actor, f.survey_id, trigger_id)
    _events(db, f, [("e1", "anna")])
    assert _run(db, f).events == 0
    with db.transaction(f.org.id, readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(SurveyInvitation)) == 0
