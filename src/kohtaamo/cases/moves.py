"""Moving a case along the recovery workflow. :data:`kohtaamo.cases.workflow.TRANSITIONS`
decides whether a move is allowed and what it needs; this module checks the inputs,
sends the customer the handler's message, records the step and tells the webhooks.

A refused move raises before anything is written; the rest runs in a savepoint, so a
failure half-way (the mail refused, say) leaves the case exactly as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.cases import repository as repo
from kohtaamo.cases import timeline as tl
from kohtaamo.cases.models import Case
from kohtaamo.cases.schemas import MoveIn
from kohtaamo.cases.workflow import BY_ACTION, State, Transition, TransitionRefused, transition
from kohtaamo.errors import Conflict, FieldProblem, InvalidInput, NotFound
from kohtaamo.journeys.models import Touchpoint
from kohtaamo.kit.clock import utcnow

Check = Callable[[Case, MoveIn], list[FieldProblem]]


def _missing(field: str, message: str) -> list[FieldProblem]:
    return [FieldProblem(field, message)]


def _message(case: Case, data: MoveIn) -> list[FieldProblem]:
    if not case.contact_email:
        return _missing(
            "message",
            "The case has no contact address: record that no contact is possible instead.",
        )
    out = []
    if not data.message_subject.strip():
        out += _missing("message_subject", "Write the message's subject.")
    if not data.message_body.strip():
        out += _missing("message_body", "Write the message to the customer.")
    return out


def _root_cause(case: Case, data: MoveIn) -> list[FieldProblem]:
    given = (
        data.root_cause_touchpoint_id
        or data.root_cause_theme
        or data.root_cause_standard
        or case.root_cause_touchpoint_id
        or case.root_cause_theme
        or case.root_cause_standard
    )
    if given:
        return []
    return _missing(
        "root_cause_touchpoint_id",
        "Record the root cause: the touchpoint, the theme or the standard that was broken.",
    )


def _text(field: str, message: str) -> Check:
    def check(_case: Case, data: MoveIn) -> list[FieldProblem]:
        value = getattr(data, field)
        return [] if value is not None and str(value).strip() else _missing(field, message)

    return check


# One check per name a transition may require (workflow.Transition.requires).
REQUIREMENTS: dict[str, Check] = {
    "message": _message,
    "what_went_wrong": _text("what_went_wrong", "Say honestly what went wrong."),
    "plan_action": _text("plan_action", "Say what will be done to put it right."),
    "plan_due": _text("plan_due", "Say by when it will be done."),
    "action_note": _text("action_note", "Describe the action taken."),
    "root_cause": _root_cause,
    "reason": _text("reason", "Give the reason."),
}


def _allowed(case: Case, action: str) -> Transition:
    try:
        return transition(case.state, action)
    except TransitionRefused as refused:
        if action not in BY_ACTION:
            raise InvalidInput(refused.reason, field="action") from None
        raise Conflict(refused.reason, field="action") from None


def _check(session: Session, case: Case, step: Transition, data: MoveIn) -> None:
    problems = [p for name in step.requires for p in REQUIREMENTS[name](case, data)]
    due = data.plan_due
    if "plan_due" in step.requires and due is not None and due < utcnow().date():
        problems.append(FieldProblem("plan_due", "The date of the plan is already past."))
    if data.root_cause_touchpoint_id is not None:
        found = session.scalar(
            select(Touchpoint.id).where(Touchpoint.id == data.root_cause_touchpoint_id)
        )
        if found is None:
            problems.append(FieldProblem("root_cause_touchpoint_id", "No such touchpoint."))
    if problems:
        raise InvalidInput("This step needs more information.", problems=problems)


def _reopen_key(session: Session, case: Case) -> str | None:
    """The customer-and-topic key a reopened closed case takes back, unless another
    case has opened for them meanwhile (then reopening would make two)."""
    if case.customer_id is None:
        return None
    key = f"{case.customer_id}:{case.topic}"
    other = repo.by_open_key(session, key)
    if other is not None and other.id != case.id:
        raise Conflict(
            "Case #%(number)s is open for this customer and topic: continue there.",
            field="action",
            number=other.number,
        )
    return key


def _apply(session: Session, case: Case, step: Transition, data: MoveIn) -> None:
    """What the step records on the case besides its state."""
    now = utcnow()
    if data.root_cause_touchpoint_id or data.root_cause_theme or data.root_cause_standard:
        case.root_cause_touchpoint_id = data.root_cause_touchpoint_id
        case.root_cause_theme = data.root_cause_theme
        case.root_cause_standard = data.root_cause_standard
    if data.root_cause_note.strip():
        case.root_cause_note = data.root_cause_note.strip()
    if step.action == "acknowledge":
        case.acknowledged_at = case.acknowledged_at or now
    elif step.action == "send_plan":
        case.plan_what_went_wrong = data.what_went_wrong.strip()
        case.plan_action = data.plan_action.strip()
        case.plan_due = data.plan_due
        case.plan_sent_at = now
    elif step.action == "take_action":
        case.action_note = data.action_note.strip()
        case.action_taken_at = now
    elif step.action == "resolve":
        case.resolved_at = now
    elif step.action == "send_followup":
        case.followup_sent_at = now
    elif step.action == "close":
        case.closed_at = now
        case.open_key = None  # the customer may have a new case on this topic now
    elif step.action == "reopen":
        if case.state == State.CLOSED:
            case.open_key = _reopen_key(session, case)
        case.closed_at = None
        case.resolved_at = None
        # A reopened case gets a fresh resolve deadline (and is not breached by the old).
        from kohtaamo.cases import sla

        case.resolve_due_at = sla.deadlines(sla.settings_of(session), now)[1]
        case.resolve_breached = False


def _body(step: Transition, data: MoveIn) -> str:
    if step.action == "take_action":
        return data.action_note.strip()
    if step.action == "send_plan":
        return data.plan_action.strip()
    return data.reason.strip()


def move(session: Session, case_id: uuid.UUID, action: str, data: MoveIn, actor: Actor) -> Case:
    """Take the workflow step ``action`` on the case, or refuse it with the table's
    reason (Conflict for a step not open from the case's state, InvalidInput for an
    unknown step or missing inputs: each missing field named). The step's message,
    when it has one, goes to the customer as the handler wrote it."""
    case = repo.get(session, case_id, lock=True)
    if case is None:
        raise NotFound("No such case.")
    step = _allowed(case, action)
    _check(session, case, step, data)
    with session.begin_nested():
        from_state = case.state
        # The step's fields first: the message's {plan_action} etc. are filled from them.
        _apply(session, case, step, data)
        if step.message is not None:
            from kohtaamo.cases import messages  # built alongside (helper C)

            messages.send_message(
                session,
                case,
                subject=data.message_subject.strip(),
                body=data.message_body,
                template_key=step.message,
                actor=actor,
            )
        case.state = step.target.value
        event = tl.record(
            session,
            case,
            "transition",
            actor=actor,
            from_state=from_state,
            to_state=case.state,
            body=_body(step, data),
            data={"action": step.action},
        )
        event_type = "case.reopened" if step.action == "reopen" else f"case.{case.state}"
        tl.emit(session, case, event_type, event)
    return case
