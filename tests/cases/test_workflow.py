"""The workflow table drives these tests: every allowed (state, action) succeeds with
what it requires, every other pair is refused with the table's reason, and a step
missing any one requirement is refused naming it — the case unchanged each time."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from kohtaamo.cases import service, workflow
from kohtaamo.cases.models import CaseMessage
from kohtaamo.cases.moves import REQUIREMENTS
from kohtaamo.cases.workflow import State, Transition
from kohtaamo.errors import Conflict, InvalidInput
from kohtaamo.storage.db import Database
from tests.cases.helpers_core import (
    case_of,
    events_of,
    full_input,
    make_world,
    open_one,
    put_in_state,
)
from tests.factories import Factory

ALLOWED = [(s, t) for t in workflow.TRANSITIONS for s in sorted(t.sources)]
REFUSED = [
    (s, t) for s, t in itertools.product(sorted(State), workflow.TRANSITIONS) if s not in t.sources
]
MISSING = [(t, name) for t in workflow.TRANSITIONS for name in t.requires]
# What leaving out one requirement means in the input (and on the case, for root causes).
BLANKS: dict[str, dict[str, object]] = {
    "message": {"message_subject": "", "message_body": ""},
    "what_went_wrong": {"what_went_wrong": ""},
    "plan_action": {"plan_action": ""},
    "plan_due": {"plan_due": None},
    "action_note": {"action_note": ""},
    "root_cause": {
        "root_cause_theme": None,
        "root_cause_touchpoint_id": None,
        "root_cause_standard": None,
    },
    "reason": {"reason": ""},
}


def _id(value: object) -> str:
    if isinstance(value, Transition):
        return value.action
    return str(value)


def test_every_requirement_of_the_table_has_a_check() -> None:
    assert {n for t in workflow.TRANSITIONS for n in t.requires} <= set(REQUIREMENTS) == set(BLANKS)


@pytest.mark.parametrize(("state", "step"), ALLOWED, ids=_id)
def test_allowed_step_succeeds_with_its_requirements(
    db: Database, factory: Factory, state: State, step: Transition
) -> None:
    w = make_world(db, factory)
    case_id = open_one(db, w)
    put_in_state(db, w, case_id, state)
    before = len(events_of(db, w, case_id))

    with db.transaction(w.org.id) as session:
        moved = service.move(session, case_id, step.action, full_input(), w.handler)
        assert moved.state == step.target

    case = case_of(db, w, case_id)
    assert case.state == step.target.value
    lines = events_of(db, w, case_id)
    [line] = [e for e in lines[before:] if e.kind == "transition"]
    assert (line.from_state, line.to_state, line.actor_id) == (
        state.value,
        step.target.value,
        w.handler.user_id,
    )
    assert line.data["action"] == step.action
    with db.transaction(w.org.id, readonly=True) as session:
        sent = session.scalar(
            select(func.count()).select_from(CaseMessage).where(CaseMessage.case_id == case_id)
        )
    assert sent == (1 if step.message else 0)
    # Closing gives the customer-and-topic key back; every other state holds it.
    assert (case.open_key is None) == (step.target == State.CLOSED)


@pytest.mark.parametrize(("state", "step"), REFUSED, ids=_id)
def test_step_not_in_the_table_is_refused_with_its_reason(
    db: Database, factory: Factory, state: State, step: Transition
) -> None:
    w = make_world(db, factory)
    case_id = open_one(db, w)
    put_in_state(db, w, case_id, state)
    before = case_of(db, w, case_id)
    lines = len(events_of(db, w, case_id))

    with pytest.raises(Conflict) as refused, db.transaction(w.org.id) as session:
        service.move(session, case_id, step.action, full_input(), w.handler)

    assert refused.value.message == step.refusal
    assert refused.value.problems[0].field == "action"
    after = case_of(db, w, case_id)
    assert (after.state, after.updated_at) == (before.state, before.updated_at)
    assert len(events_of(db, w, case_id)) == lines


@pytest.mark.parametrize(("step", "requirement"), MISSING, ids=_id)
def test_step_missing_a_requirement_is_refused_naming_it(
    db: Database, factory: Factory, step: Transition, requirement: str
) -> None:
    w = make_world(db, factory)
    case_id = open_one(db, w)
    state = sorted(step.sources)[0]
    put_in_state(db, w, case_id, state)
    if requirement == "root_cause":
        with db.transaction(w.org.id) as session:  # nothing recorded earlier either
            service.get_case(session, case_id).root_cause_theme = None
    data = full_input().model_copy(update=BLANKS[requirement])
    lines = len(events_of(db, w, case_id))

    with pytest.raises(InvalidInput) as refused, db.transaction(w.org.id) as session:
        service.move(session, case_id, step.action, data, w.handler)

    fields = {p.field for p in refused.value.problems}
    expected = {
        "message": {"message_subject", "message_body"},
        "root_cause": {"root_cause_touchpoint_id"},
    }.get(requirement, {requirement})
    assert fields == expected
    assert case_of(db, w, case_id).state == state.value
    assert len(events_of(db, w, case_id)) == lines


def test_unknown_action_is_invalid_input(db: Database, factory: Factory) -> None:
    w = make_world(db, factory)
    case_id = open_one(db, w)
    with pytest.raises(InvalidInput) as refused, db.transaction(w.org.id) as session:
        service.move(session, case_id, "teleport", full_input(), w.handler)
    assert refused.value.problems[0].field == "action"


def test_message_step_without_a_contact_address_points_to_no_contact(
    db: Database, factory: Factory
) -> None:
    w = make_world(db, factory)
    case_id = open_one(db, w)
    with db.transaction(w.org.id) as session:
        service.get_case(session, case_id).contact_email = None
    with pytest.raises(InvalidInput) as refused, db.transaction(w.org.id) as session:
        service.move(session, case_id, "acknowledge", full_input(), w.handler)
    assert [p.field for p in refused.value.problems] == ["message"]
    # ...and the table's other way out works: no contact possible, then closed.
    with db.transaction(w.org.id) as session:
        for action in ("no_contact", "close"):
            service.move(session, case_id, action, full_input(), w.handler)
    assert case_of(db, w, case_id).state == State.CLOSED


def test_a_plan_dated_in_the_past_is_refused(db: Database, factory: Factory) -> None:
    w = make_world(db, factory)
    case_id = open_one(db, w)
    put_in_state(db, w, case_id, State.ACKNOWLEDGED)
    data = full_input().model_copy(update={"plan_due": full_input().plan_due.replace(year=2000)})  # type: ignore[union-attr]
    with pytest.raises(InvalidInput) as refused, db.transaction(w.org.id) as session:
        service.move(session, case_id, "send_plan", data, w.handler)
    assert [p.field for p in refused.value.problems] == ["plan_due"]
