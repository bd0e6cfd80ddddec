"""One demo case's life, told as the rows the case service would have written.

:func:`tell` takes a :class:`CasePlan` (who complained, when, about what, how far the
case has come) and walks the workflow table (:mod:`kohtaamo.cases.workflow`) from
``new`` to the planned state: each step at a plausible working-hour moment after the
one before, by the case's handler, with the customer's messages where a transition has
one, a reply now and then, the follow-up answer, and the SLA breaches and escalations
the deadlines imply. The rows are plain dicts for a bulk insert; nothing here touches
the database.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kohtaamo.cases.workflow import BY_ACTION, State
from kohtaamo.demo.cases_texts import (
    FOLLOWUP_COMMENTS,
    NO_CONTACT_REASONS,
    REOPEN_REASONS,
    REPLIES,
    Problem,
)
from kohtaamo.kit.ids import new_id

WORK_START, WORK_END = 8, 16  # the demo organisations keep the default working hours
PRIORITY_UP = {"low": "normal", "normal": "high", "high": "urgent", "urgent": "urgent"}
# The actions from "new" to each planned state (the reopened path ends in acknowledged).
PATHS: dict[State, tuple[str, ...]] = {
    State.NEW: (),
    State.ACKNOWLEDGED: ("acknowledge",),
    State.PLAN_SENT: ("acknowledge", "send_plan"),
    State.ACTION_TAKEN: ("acknowledge", "send_plan", "take_action"),
    State.RESOLVED: ("acknowledge", "send_plan", "take_action", "resolve"),
    State.FOLLOW_UP: ("acknowledge", "send_plan", "take_action", "resolve", "send_followup"),
    State.CLOSED: (
        "acknowledge", "send_plan", "take_action", "resolve", "send_followup", "close",
    ),
    State.NO_CONTACT: ("no_contact",),
}  # fmt: skip
REOPENED_PATH = (*PATHS[State.FOLLOW_UP], "reopen")
NO_CONTACT_CLOSED_PATH = ("no_contact", "close")
# Hours from the previous step to each step, as (low, high) of a uniform draw.
HOURS: dict[str, tuple[float, float]] = {
    "acknowledge": (0.3, 3.0),
    "send_plan": (3.0, 30.0),
    "take_action": (10.0, 70.0),
    "resolve": (2.0, 30.0),
    "send_followup": (150.0, 190.0),  # CaseSettings.followup_after_days = 7
    "close": (3.0, 40.0),
    "reopen": (2.0, 20.0),
    "no_contact": (20.0, 70.0),
}
SLOW_ACTION = 0.2  # share of cases whose action takes three times as long
Deadlines = Callable[[datetime], tuple[datetime, datetime]]
Render = Callable[[str, str, dict[str, str]], tuple[str, str]]


@dataclass
class CasePlan:
    """What is decided about a demo case before its story is told."""

    number: int
    state: State
    source: str  # rule | complaint | manual
    topic: str
    title: str
    problem: Problem
    language: str
    opened_at: datetime
    priority: str
    customer_id: uuid.UUID | None
    contact_name: str
    contact_email: str
    team_id: uuid.UUID | None
    touchpoint_id: uuid.UUID | None
    root_touchpoint_id: uuid.UUID | None
    handler: tuple[uuid.UUID, str] | None  # (user id, name); None: not yet assigned
    lead: tuple[uuid.UUID, str]  # who assigns (the team's first member)
    opened_by: str  # the timeline's "who" of the opening line (a rule, a person)
    rule_id: uuid.UUID | None = None
    rule_key: str | None = None
    response_id: uuid.UUID | None = None
    origin_key: str | None = None
    late_acknowledgement: bool = False
    replied: bool = False
    outcome: str | None = None  # the follow-up answer: put_right | partly | not_put_right
    reopened: bool = False
    via_no_contact: bool = False  # closed after "no contact possible"


@dataclass
class Story:
    case: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)


def at_work(moment: datetime, timezone: ZoneInfo) -> datetime:
    """The first working moment at or after ``moment`` (weekdays 8–16 local time)."""
    local = moment.astimezone(timezone)
    for _ in range(8):
        if local.weekday() < 5 and WORK_START <= local.hour < WORK_END:
            break
        if local.weekday() < 5 and local.hour < WORK_START:
            local = local.replace(hour=WORK_START, minute=local.minute % 30)
        else:
            local = (local + timedelta(days=1)).replace(hour=WORK_START, minute=local.minute % 30)
    return local.astimezone(moment.tzinfo)


def last_work(moment: datetime, timezone: ZoneInfo) -> datetime:
    """The last working moment at or before ``moment``."""
    local = moment.astimezone(timezone)
    for _ in range(8):
        if local.weekday() < 5 and WORK_START <= local.hour < WORK_END:
            break
        if local.weekday() < 5 and local.hour >= WORK_END:
            local = local.replace(hour=WORK_END - 1, minute=local.minute % 60)
        else:
            local = (local - timedelta(days=1)).replace(hour=WORK_END - 1, minute=local.minute)
    return local.astimezone(moment.tzinfo)


def _path(plan: CasePlan) -> tuple[str, ...]:
    if plan.reopened:
        return REOPENED_PATH
    if plan.via_no_contact:
        return NO_CONTACT_CLOSED_PATH
    return PATHS[plan.state]


def _times(
    plan: CasePlan,
    path: tuple[str, ...],
    rng: random.Random,
    end: datetime,
    tz: ZoneInfo,
    ack_due: datetime,
) -> list[datetime]:
    """When each step of ``path`` happened: drawn durations, squeezed to end before
    ``end`` (the reference date), moved into working hours where that still fits."""
    offsets, total = [], 0.0
    for action in path:
        low, high = HOURS[action]
        if action == "acknowledge" and plan.late_acknowledgement:
            hours = (ack_due - plan.opened_at).total_seconds() / 3600 + rng.uniform(2, 30)
        elif action == "acknowledge":
            room = max(0.3, (ack_due - plan.opened_at).total_seconds() / 3600 * 0.8)
            hours = rng.uniform(min(low, room), min(high, room))
        else:
            hours = rng.uniform(low, high)
        if action == "take_action" and rng.random() < SLOW_ACTION:
            hours *= 3  # waiting for a supplier, a refund batch, a software release
        total += hours
        offsets.append(total)
    room = (end - plan.opened_at).total_seconds() / 3600 - 0.5
    scale = min(1.0, room / total) if total else 1.0
    out: list[datetime] = []
    previous = plan.opened_at
    for offset in offsets:
        moment = plan.opened_at + timedelta(hours=offset * scale)
        working = at_work(moment, tz)
        if working >= end - timedelta(minutes=30):  # the weekend before the end: Friday
            working = last_work(moment, tz)
        moment = working if working > previous else moment
        moment = max(moment, previous + timedelta(minutes=rng.randint(3, 40)))
        out.append(moment)
        previous = moment
    return out


class _Writer:
    """Appends timeline lines and messages to a story, one second apart at the least."""

    def __init__(self, story: Story, plan: CasePlan, org: uuid.UUID) -> None:
        self.story, self.plan, self.org = story, plan, org
        self.last: datetime | None = None

    def event(
        self, at: datetime, kind: str, who: tuple[uuid.UUID | None, str], **more: Any
    ) -> None:
        if self.last is not None and at <= self.last:
            at = self.last + timedelta(seconds=1)
        self.last = at
        self.story.events.append(
            {
                "id": new_id(),
                "organisation_id": self.org,
                "case_id": self.story.case["id"],
                "at": at,
                "kind": kind,
                "actor_id": who[0],
                "actor_label": who[1][:200],
                "from_state": more.get("from_state"),
                "to_state": more.get("to_state"),
                "body": more.get("body", ""),
                "data": more.get("data", {}),
            }
        )

    def message(self, at: datetime, direction: str, subject: str, body: str, **more: Any) -> str:
        """Add a message; returns its id (the timeline line names it, as the service's)."""
        message_id = new_id()
        self.story.messages.append(
            {
                "id": message_id,
                "organisation_id": self.org,
                "case_id": self.story.case["id"],
                "direction": direction,
                "address": self.plan.contact_email,
                "subject": subject[:300],
                "body": body,
                "language": self.plan.language,
                "template_key": more.get("template_key"),
                "job_id": None,
                "created_by": more.get("created_by"),
                "created_at": at,
            }
        )
        return str(message_id)


def tell(
    plan: CasePlan,
    *,
    org: uuid.UUID,
    rng: random.Random,
    end: datetime,
    tz: ZoneInfo,
    deadlines: Deadlines,
    render: Render,
) -> Story:
    """The case row, its timeline and its messages, consistent with the workflow table."""
    ack_due, resolve_due = deadlines(plan.opened_at)
    words = plan.problem.words[plan.language]
    case: dict[str, Any] = {
        "id": new_id(), "organisation_id": org, "number": plan.number, "state": State.NEW.value,
        "priority": plan.priority, "topic": plan.topic, "title": plan.title[:300],
        "description": words.description, "source": plan.source,
        "open_key": None, "origin_key": plan.origin_key, "language": plan.language,
        "contact_email": plan.contact_email, "contact_name": plan.contact_name,
        "rule_id": plan.rule_id, "customer_id": plan.customer_id,
        "response_id": plan.response_id, "comment_id": None,
        "touchpoint_id": plan.touchpoint_id, "team_id": plan.team_id,
        "assignee_id": plan.handler[0] if plan.handler else None,
        "opened_at": plan.opened_at, "acknowledged_at": None, "plan_sent_at": None,
        "action_taken_at": None, "resolved_at": None, "closed_at": None,
        "acknowledge_due_at": ack_due, "resolve_due_at": resolve_due,
        "acknowledge_breached": False, "resolve_breached": False, "escalated_at": None,
        "plan_what_went_wrong": "", "plan_action": "", "plan_due": None, "action_note": "",
        "root_cause_touchpoint_id": None, "root_cause_theme": None,
        "root_cause_standard": None, "root_cause_note": "",
        "followup_sent_at": None, "followup_outcome": None, "followup_score": None,
        "followup_comment": "", "followup_at": None, "reply_token_hash": None,
        "created_at": plan.opened_at,
    }  # fmt: skip
    story = Story(case)
    out = _Writer(story, plan, org)
    system: tuple[uuid.UUID | None, str] = (None, "system")
    out.event(
        plan.opened_at, "opened", (None, plan.opened_by), to_state=State.NEW.value,
        body=words.description,
        data={"source": plan.source, "rule": plan.rule_key, "origin_key": plan.origin_key},
    )  # fmt: skip
    if plan.handler is not None:
        assigned = plan.opened_at + timedelta(minutes=rng.randint(5, 90))
        if at_work(assigned, tz) < end - timedelta(minutes=30):
            assigned = at_work(assigned, tz)
        out.event(
            min(assigned, end - timedelta(minutes=1)), "assigned", (plan.lead[0], plan.lead[1]),
            data={"assignee_id": {"from": None, "to": str(plan.handler[0])}},
        )  # fmt: skip
    handler: tuple[uuid.UUID | None, str] = plan.handler or plan.lead
    path = _path(plan)
    times = _times(plan, path, rng, end, tz, ack_due)
    values = {
        "customer_name": plan.contact_name, "case_number": str(plan.number),
        "case_title": plan.title, "topic": plan.topic, "touchpoint": plan.problem.touchpoint,
        "action_note": words.action_note,
        "what_went_wrong": words.what_went_wrong, "plan_action": words.plan_action,
        "plan_due": "", "handler_name": handler[1],
        "reply_link": "https://kohtaamo.example/c/…", "followup_link": "https://kohtaamo.example/c/…",
    }  # fmt: skip
    state = State.NEW
    for action, at in zip(path, times, strict=True):
        step = BY_ACTION[action]
        body = ""
        if action == "send_plan":
            due = (at + timedelta(days=rng.randint(3, 10))).date()
            values["plan_due"] = due.strftime("%d.%m.%Y" if plan.language == "fi" else "%d %b %Y")
            case.update(plan_what_went_wrong=words.what_went_wrong, plan_action=words.plan_action,
                        plan_due=due, plan_sent_at=at)  # fmt: skip
            body = words.plan_action
        if step.message is not None:
            subject, text = render(step.message, plan.language, values)
            sent = out.message(
                at, "out", subject, text, template_key=step.message, created_by=handler[0]
            )
            data = {"message_id": sent, "template": step.message, "direction": "out"}
            out.event(at, "message", handler, body=subject, data=data)
        if action == "acknowledge":
            case["acknowledged_at"] = case["acknowledged_at"] or at
        elif action == "take_action":
            case.update(action_note=words.action_note, action_taken_at=at)
            body = words.action_note
        elif action == "resolve" or (action == "close" and plan.via_no_contact):
            case.update(
                root_cause_touchpoint_id=plan.root_touchpoint_id,
                root_cause_theme=plan.problem.theme,
                root_cause_standard=plan.problem.standard,
                root_cause_note=plan.problem.root_note,
            )
            if action == "resolve":
                case["resolved_at"] = at
        elif action == "send_followup":
            case["followup_sent_at"] = at
        elif action == "no_contact":
            body = rng.choice(NO_CONTACT_REASONS[plan.language])
        elif action == "reopen":
            body = REOPEN_REASONS[plan.language]
            case.update(resolved_at=None, closed_at=None, resolve_due_at=deadlines(at)[1])
        if action == "close":
            case["closed_at"] = at
        out.event(at, "transition", handler, from_state=state.value,
                  to_state=step.target.value, body=body, data={"action": action})  # fmt: skip
        state = step.target
        if action == "send_plan" and plan.replied:
            _reply(out, plan, rng, at, times, end)
        if action == "send_followup" and plan.outcome is not None:
            _followup_answer(out, plan, rng, at, times, end)
    case["state"] = state.value
    if state is not State.CLOSED and plan.customer_id is not None:
        case["open_key"] = f"{plan.customer_id}:{plan.topic}"
    _breaches(out, case, times[0] if times else end, end, system)
    case["updated_at"] = max(e["at"] for e in story.events)
    return story


def _between(rng: random.Random, at: datetime, times: list[datetime], end: datetime) -> datetime:
    """A moment after ``at``, within three days and before the next step (or the end)."""
    later = [t for t in times if t > at]
    limit = min(later[0] if later else end, end, at + timedelta(days=3))
    span = max(60.0, (limit - at).total_seconds())
    return at + timedelta(seconds=rng.uniform(0.2, 0.8) * span)


def _reply(
    out: _Writer, plan: CasePlan, rng: random.Random, at: datetime, times: list[datetime],
    end: datetime,
) -> None:  # fmt: skip
    when = _between(rng, at, times, end)
    text = rng.choice(REPLIES[plan.language])
    subject = ("Re: " if plan.language == "en" else "VS: ") + f"#{plan.number}"
    got = out.message(when, "in", subject, text)
    out.event(when, "reply", (None, plan.contact_name), body=text,
              data={"message_id": got, "submission": None, "direction": "in"})  # fmt: skip


def _followup_answer(
    out: _Writer, plan: CasePlan, rng: random.Random, at: datetime, times: list[datetime],
    end: datetime,
) -> None:  # fmt: skip
    assert plan.outcome is not None
    when = _between(rng, at, times, end)
    low, high = {"put_right": (8, 10), "partly": (5, 8), "not_put_right": (0, 4)}[plan.outcome]
    score = rng.randint(low, high)
    comment = rng.choice(FOLLOWUP_COMMENTS[plan.outcome][plan.language])
    out.story.case.update(
        followup_outcome=plan.outcome, followup_score=score, followup_comment=comment,
        followup_at=when,
    )  # fmt: skip
    out.event(when, "followup", (None, plan.contact_name), body=comment,
              data={"outcome": plan.outcome, "score": score, "updated": False})  # fmt: skip


def _breaches(
    out: _Writer,
    case: dict[str, Any],
    first_move: datetime,
    end: datetime,
    system: tuple[uuid.UUID | None, str],
) -> None:
    """The SLA job's lines (as ``cases.sla_tasks`` writes them): a breach when a
    deadline passed before the step was taken (the first move stops the acknowledgement
    clock, "no contact possible" too), each escalated with the priority one step up."""
    found = []
    if (case["acknowledged_at"] or first_move) > case["acknowledge_due_at"]:
        found.append(("acknowledge", case["acknowledge_due_at"]))
    resolved = case["resolved_at"] or case["closed_at"]
    if (resolved or end) > case["resolve_due_at"]:
        found.append(("resolve", case["resolve_due_at"]))
    events = out.story.events
    for sla, due in found:
        at = due + timedelta(minutes=3)  # the next run of the SLA job
        if at >= end:
            continue
        case[f"{sla}_breached"] = True
        data = {"sla": sla, "due_at": due.isoformat()}
        line = dict(events[0], id=new_id(), at=at, kind="breach", actor_id=None,
                    actor_label=system[1], from_state=None, to_state=None, body="",
                    data=data)  # fmt: skip
        before = case["priority"]
        case["priority"] = PRIORITY_UP[before]
        case["escalated_at"] = case["escalated_at"] or at
        escalated = data | {"priority_from": before, "priority_to": case["priority"]}
        events.append(line)
        events.append(dict(line, id=new_id(), at=at + timedelta(seconds=1), kind="escalated",
                           data=escalated))  # fmt: skip
    events.sort(key=lambda e: e["at"])
