"""Opening, deduplicating, numbering, routing, assigning and reading cases, with the
inbox views and the wall between organisations."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from kohtaamo.accounts.permissions import Role
from kohtaamo.cases import repository, service
from kohtaamo.cases.models import Case, CaseSettings, TeamMember
from kohtaamo.cases.workflow import State
from kohtaamo.errors import Conflict, InvalidInput, NotFound
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.cases.helpers_core import (
    add_customer,
    case_of,
    events_of,
    full_input,
    make_world,
    member,
    open_one,
    put_in_state,
)
from tests.factories import Factory


def test_a_case_goes_to_the_touchpoints_team_in_the_customers_language(
    db: Database, factory: Factory
) -> None:
    w = make_world(db, factory)
    english = add_customer(db, w.org, "c-en", email="anna@example.com", locale="en-GB")
    case = case_of(db, w, open_one(db, w, customer_id=english))
    assert case.team_id == w.cat.team_id
    assert (case.language, case.contact_email) == ("en", "anna@example.com")
    assert case.state == State.NEW and case.number == 1
    assert case.acknowledge_due_at is not None and case.resolve_due_at is not None
    assert case.opened_at < case.acknowledge_due_at < case.resolve_due_at
    [opened] = events_of(db, w, case.id)
    assert (opened.kind, opened.to_state, opened.actor_id) == ("opened", "new", w.handler.user_id)


def test_a_customer_who_said_no_to_contact_gets_no_address_on_the_case(
    db: Database, factory: Factory
) -> None:
    w = make_world(db, factory)
    quiet = add_customer(db, w.org, "c-q", consents={"contact": False, "surveys": True})
    silent = add_customer(db, w.org, "c-s", email=None)
    assert case_of(db, w, open_one(db, w, customer_id=quiet)).contact_email is None
    assert case_of(db, w, open_one(db, w, customer_id=silent)).contact_email is None
    # no locale, no response: the organisation's language
    assert case_of(db, w, open_one(db, w, customer_id=silent, topic="x")).language == "fi"


def test_one_open_case_per_customer_and_topic(db: Database, factory: Factory) -> None:
    w = make_world(db, factory)
    first = open_one(db, w)
    for origin in ("response:1:detractor", "response:1:detractor", "comment:2:negative"):
        with db.transaction(w.org.id) as session:
            again, created = service.open_case(
                session,
                source="rule",
                topic="experience",
                title="Arvostelija",
                customer_id=w.customer_id,
                origin_key=origin,
            )
            assert (again.id, created) == (first, False)
    # one timeline line per new origin (a retried job adds none)
    triggers = [e for e in events_of(db, w, first) if e.kind == "trigger"]
    assert [e.data["origin_key"] for e in triggers] == [
        "response:1:detractor",
        "comment:2:negative",
    ]
    # another topic is another case
    other = open_one(db, w, topic="billing")
    assert other != first

    # closing frees the key: the customer's next problem is a new case
    put_in_state(db, w, first, State.FOLLOW_UP)
    with db.transaction(w.org.id) as session:
        service.move(session, first, "close", full_input(), w.handler)
    assert case_of(db, w, first).open_key is None
    assert open_one(db, w) not in (first, other)


def test_the_same_origin_never_opens_a_second_case(db: Database, factory: Factory) -> None:
    w = make_world(db, factory)
    kwargs = dict(
        source="complaint", topic="complaint", title="Reklamaatio", origin_key="complaint:A7"
    )
    with db.transaction(w.org.id) as session:
        case, created = service.open_case(session, **kwargs)  # type: ignore[arg-type]
        case.state, case.open_key = State.CLOSED.value, None
    with db.transaction(w.org.id) as session:
        again, again_created = service.open_case(session, **kwargs)  # type: ignore[arg-type]
    assert (created, again_created, again.id) == (True, False, case.id)


def test_numbers_run_per_organisation(db: Database, factory: Factory) -> None:
    a, b = make_world(db, factory), make_world(db, factory)
    numbers_a = [case_of(db, a, open_one(db, a, topic=f"t{i}")).number for i in range(3)]
    numbers_b = [case_of(db, b, open_one(db, b, topic=f"t{i}")).number for i in range(2)]
    assert (numbers_a, numbers_b) == ([1, 2, 3], [1, 2])


def _race(db: Database, org_id: uuid.UUID, openers: list[dict[str, object]]) -> list[uuid.UUID]:
    """Open cases from several threads at once (each its own transaction)."""
    barrier = threading.Barrier(len(openers))
    got: list[uuid.UUID] = []
    errors: list[BaseException] = []

    def run(kwargs: dict[str, object]) -> None:
        try:
            barrier.wait(timeout=10)
            with db.transaction(org_id) as session:
                case, _ = service.open_case(session, **kwargs)  # type: ignore[arg-type]
                got.append(case.id)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(k,)) for k in openers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    return got


def test_concurrent_openings_get_distinct_numbers_and_one_case_per_key(
    db: Database, factory: Factory
) -> None:
    w = make_world(db, factory)
    others = [add_customer(db, w.org, f"r-{i}") for i in range(4)]
    _race(
        db,
        w.org.id,
        [dict(source="rule", topic="experience", title="x", customer_id=c) for c in others],
    )
    same = _race(
        db,
        w.org.id,
        [
            dict(
                source="rule",
                topic="experience",
                title="x",
                customer_id=w.customer_id,
                origin_key=f"response:{i}:detractor",
            )
            for i in range(3)
        ],
    )
    with db.transaction(w.org.id, readonly=True) as session:
        numbers = sorted(session.scalars(select(Case.number)))
    assert numbers == [1, 2, 3, 4, 5]
    assert len(set(same)) == 1


def test_assign_to_a_team_and_a_handler(db: Database, factory: Factory) -> None:
    w = make_world(db, factory)
    case_id = open_one(db, w)
    viewer = member(db, w.org, Role.VIEWER)
    stranger = member(db, factory.organisation())
    with db.transaction(w.org.id) as session:
        case = service.assign(
            session, case_id, assignee_id=w.handler.user_id, priority="high", actor=w.handler
        )
        assert (case.assignee_id, case.priority) == (w.handler.user_id, "high")
    for user_id, field in ((viewer.user_id, "assignee_id"), (stranger.user_id, "assignee_id")):
        with pytest.raises(InvalidInput) as refused, db.transaction(w.org.id) as session:
            service.assign(session, case_id, assignee_id=user_id, actor=w.handler)
        assert refused.value.problems[0].field == field
    with pytest.raises(InvalidInput), db.transaction(w.org.id) as session:
        service.assign(session, case_id, team_id=uuid.uuid4(), actor=w.handler)
    [line] = [e for e in events_of(db, w, case_id) if e.kind == "assigned"]
    assert line.data["priority"] == {"from": "normal", "to": "high"}

    put_in_state(db, w, case_id, State.CLOSED)
    with pytest.raises(Conflict), db.transaction(w.org.id) as session:
        service.assign(session, case_id, priority="low", actor=w.handler)


def test_notes_go_on_the_timeline(db: Database, factory: Factory) -> None:
    w = make_world(db, factory)
    case_id = open_one(db, w)
    with db.transaction(w.org.id) as session:
        service.add_note(session, case_id, "  Soitin asiakkaalle.  ", w.handler)
    with pytest.raises(InvalidInput), db.transaction(w.org.id) as session:
        service.add_note(session, case_id, "   ", w.handler)
    notes = [e for e in events_of(db, w, case_id) if e.kind == "note"]
    assert [(n.body, n.actor_id) for n in notes] == [("Soitin asiakkaalle.", w.handler.user_id)]


def test_reopening_a_closed_case_while_a_newer_one_is_open_is_refused(
    db: Database, factory: Factory
) -> None:
    w = make_world(db, factory)
    old = open_one(db, w)
    put_in_state(db, w, old, State.CLOSED)
    newer = open_one(db, w)
    with pytest.raises(Conflict) as refused, db.transaction(w.org.id) as session:
        service.move(session, old, "reopen", full_input(), w.handler)
    assert refused.value.params["number"] == case_of(db, w, newer).number
    assert case_of(db, w, old).state == State.CLOSED


def test_inbox_views(db: Database, factory: Factory) -> None:
    w = make_world(db, factory)
    mine, teams, soon, closed = (open_one(db, w, topic=t) for t in ("a", "b", "c", "d"))
    with db.transaction(w.org.id) as session:
        service.assign(session, mine, assignee_id=w.handler.user_id, actor=w.handler)
        session.add(
            TeamMember(organisation_id=w.org.id, team_id=w.cat.team_id, user_id=w.handler.user_id)
        )
        far = utcnow() + timedelta(days=30)
        for case in session.scalars(select(Case)):
            case.acknowledge_due_at = case.resolve_due_at = far
        service.get_case(session, soon).acknowledge_due_at = utcnow() + timedelta(minutes=30)
    put_in_state(db, w, closed, State.CLOSED)
    with db.transaction(w.org.id) as session:
        # another team's case is not "my team's"
        other = service.get_case(session, teams)
        other.team_id = None

    def view(
        name: str, touchpoint_id: uuid.UUID | None = None, state: str | None = None
    ) -> set[uuid.UUID]:
        user = w.handler.user_id
        with db.transaction(w.org.id, readonly=True) as session:
            found = repository.inbox(
                session, view=name, user_id=user, touchpoint_id=touchpoint_id, state=state
            )
            counted = repository.count_inbox(
                session, view=name, user_id=user, touchpoint_id=touchpoint_id, state=state
            )
            assert counted == len(found)
            return {c.id for c in found}

    assert view("mine") == {mine}
    assert view("team") == {mine, soon}
    assert view("breaching") == {soon}
    assert view("all") == {mine, teams, soon}
    assert view("closed") == {closed}
    assert view("all", touchpoint_id=w.cat.touchpoints["advert"]) == set()
    assert view("all", state="new") == {mine, teams, soon}
    with db.transaction(w.org.id) as session:
        settings = session.scalar(select(CaseSettings)) or CaseSettings(organisation_id=w.org.id)
        settings.warn_before_hours = 24 * 40
        session.add(settings)
    assert view("breaching") == {mine, teams, soon}
    with pytest.raises(InvalidInput), db.transaction(w.org.id) as session:
        repository.inbox(session, view="mine")  # nobody signed in


def test_another_organisation_never_reaches_a_case(db: Database, factory: Factory) -> None:
    a, b = make_world(db, factory), make_world(db, factory)
    case_id = open_one(db, a)
    before = case_of(db, a, case_id)
    attempts = [
        lambda s: service.get_case(s, case_id),
        lambda s: service.timeline(s, case_id),
        lambda s: service.move(s, case_id, "acknowledge", full_input(), b.handler),
        lambda s: service.assign(s, case_id, priority="urgent", actor=b.handler),
        lambda s: service.add_note(s, case_id, "hei", b.handler),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound), db.transaction(b.org.id) as session:
            attempt(session)
    with db.transaction(b.org.id, readonly=True) as session:
        for name in ("all", "breaching", "closed", "mine", "team"):
            assert repository.inbox(session, view=name, user_id=b.handler.user_id) == []
        assert repository.next_number(session) == 1
    after = case_of(db, a, case_id)
    assert (after.state, after.priority, len(events_of(db, a, case_id))) == (
        before.state,
        before.priority,
        1,
    )


def test_each_step_is_one_webhook_event_named_by_its_timeline_line(
    db: Database, factory: Factory
) -> None:
    w = make_world(db, factory)
    with db.transaction(w.org.id) as session:
        session.add(
            WebhookEndpoint(
                organisation_id=w.org.id, url="https://example.com/hook", secret="whsec_x"
            )
        )
    case_id = open_one(db, w)
    with db.transaction(w.org.id) as session:
        service.move(session, case_id, "no_contact", full_input(), w.handler)
        service.move(session, case_id, "close", full_input(), w.handler)
        service.move(session, case_id, "reopen", full_input(), w.handler)
    with db.transaction(w.org.id, readonly=True) as session:
        sent = list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at)))
    lines = [e for e in events_of(db, w, case_id) if e.kind in ("opened", "transition")]
    assert [(d.event_type, d.event_id) for d in sent] == [
        (kind, str(line.id))
        for kind, line in zip(
            ("case.opened", "case.no_contact", "case.closed", "case.reopened"), lines, strict=True
        )
    ]
    reopened = sent[-1].payload["data"]
    assert (reopened["state"], reopened["previous_state"]) == ("acknowledged", "closed")
    assert reopened["number"] == case_of(db, w, case_id).number
    assert "contact_email" not in sent[0].payload["data"]
