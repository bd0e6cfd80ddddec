"""The recovery workflow as one readable table: which step may follow which, what each
step needs, and what the customer is told. The case service, the UI's buttons and the
tests all read this table; nothing else decides whether a case may move.

    new -> acknowledged -> plan_sent -> action_taken -> resolved -> follow_up -> closed
    reopen: resolved | follow_up | closed -> acknowledged
    no contact possible: new | acknowledged -> no_contact -> closed
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kohtaamo.i18n import N_


class State(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    PLAN_SENT = "plan_sent"
    ACTION_TAKEN = "action_taken"
    RESOLVED = "resolved"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"
    NO_CONTACT = "no_contact"


STATE_LABELS: dict[State, str] = {
    State.NEW: N_("New"),
    State.ACKNOWLEDGED: N_("Acknowledged"),
    State.PLAN_SENT: N_("Apology and plan sent"),
    State.ACTION_TAKEN: N_("Action taken"),
    State.RESOLVED: N_("Resolved"),
    State.FOLLOW_UP: N_("Follow-up sent"),
    State.CLOSED: N_("Closed"),
    State.NO_CONTACT: N_("No contact possible"),
}

# States in which the case is still somebody's work (SLA clocks, inboxes).
OPEN_STATES = frozenset(
    {State.NEW, State.ACKNOWLEDGED, State.PLAN_SENT, State.ACTION_TAKEN, State.NO_CONTACT}
)
# States in which the case holds its customer-and-topic key (no second case opens).
KEY_HOLDING_STATES = frozenset(set(State) - {State.CLOSED})


@dataclass(frozen=True)
class Transition:
    """One allowed move. ``requires`` names the inputs the step cannot go without
    (checked by the service); ``message`` is the template the customer is sent."""

    action: str
    sources: frozenset[State]
    target: State
    label: str
    requires: tuple[str, ...] = ()
    message: str | None = None
    # The reason shown when the action is tried from a state it does not start from.
    refusal: str = N_("This step is not possible in the case's current state.")


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "acknowledge",
        frozenset({State.NEW}),
        State.ACKNOWLEDGED,
        N_("Acknowledge"),
        requires=("message",),
        message="acknowledge",
        refusal=N_("Only a new case can be acknowledged."),
    ),
    Transition(
        "send_plan",
        frozenset({State.ACKNOWLEDGED}),
        State.PLAN_SENT,
        N_("Send apology and plan"),
        requires=("what_went_wrong", "plan_action", "plan_due", "message"),
        message="apology_plan",
        refusal=N_("Acknowledge the customer before sending the apology and plan."),
    ),
    Transition(
        "take_action",
        frozenset({State.PLAN_SENT, State.NO_CONTACT}),
        State.ACTION_TAKEN,
        N_("Record action taken"),
        requires=("action_note",),
        refusal=N_("Send the customer the apology and plan before recording the action."),
    ),
    Transition(
        "resolve",
        frozenset({State.ACTION_TAKEN}),
        State.RESOLVED,
        N_("Resolve"),
        requires=("root_cause", "message"),
        message="resolved",
        refusal=N_("Record the action taken before resolving the case."),
    ),
    Transition(
        "send_followup",
        frozenset({State.RESOLVED}),
        State.FOLLOW_UP,
        N_("Send follow-up"),
        requires=("message",),
        message="followup",
        refusal=N_("Only a resolved case gets a follow-up."),
    ),
    Transition(
        "close",
        frozenset({State.FOLLOW_UP, State.NO_CONTACT}),
        State.CLOSED,
        N_("Close"),
        requires=("root_cause",),
        refusal=N_("Send the follow-up before closing the case."),
    ),
    Transition(
        "reopen",
        frozenset({State.RESOLVED, State.FOLLOW_UP, State.CLOSED}),
        State.ACKNOWLEDGED,
        N_("Reopen"),
        requires=("reason",),
        refusal=N_("Only a resolved or closed case can be reopened."),
    ),
    Transition(
        "no_contact",
        frozenset({State.NEW, State.ACKNOWLEDGED}),
        State.NO_CONTACT,
        N_("No contact possible"),
        requires=("reason",),
        refusal=N_("The customer has already been reached on this case."),
    ),
)

BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}


class TransitionRefused(Exception):
    """The move is not in the table; ``reason`` is a translatable msgid."""

    def __init__(self, action: str, state: State, reason: str) -> None:
        super().__init__(reason)
        self.action = action
        self.state = state
        self.reason = reason


def transition(state: State | str, action: str) -> Transition:
    """The transition ``action`` from ``state``, or :class:`TransitionRefused` saying why."""
    state = State(state)
    found = BY_ACTION.get(action)
    if found is None:
        raise TransitionRefused(action, state, N_("Unknown case action."))
    if state not in found.sources:
        raise TransitionRefused(action, state, found.refusal)
    return found


def available(state: State | str) -> list[Transition]:
    """The moves open from ``state``, in the table's order (the UI's buttons)."""
    state = State(state)
    return [t for t in TRANSITIONS if state in t.sources]
