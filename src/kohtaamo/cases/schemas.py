"""Cases data in and out: a manual case or complaint, a move along the workflow, an
assignment, a note, and the organisation's case rules."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, model_validator

from kohtaamo.errors import rule_error
from kohtaamo.journeys.schemas import EmailAddress, IsoDate, StrictModel

Priority = Literal["low", "normal", "high", "urgent"]
PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")
RuleKind = Literal["detractor", "gap", "negative_comment", "complaint"]
Language = Literal["fi", "en", "sv"]
TOPIC_PATTERN = r"^[a-z0-9_.-]{1,60}$"
Topic = Annotated[str, StringConstraints(pattern=TOPIC_PATTERN, max_length=60)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(max_length=20000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
ExternalRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class CaseIn(StrictModel):
    """A case opened by a person (``manual``) or a customer's explicit complaint (through
    a form or another system). ``complaint_id`` is the sender's own id of the complaint:
    sending the same one again returns the case it opened instead of a second one."""

    source: Literal["manual", "complaint"] = "manual"
    title: Title
    description: LongText = ""
    topic: Topic = "complaint"
    priority: Priority | None = None
    customer_external_id: ExternalRef | None = None
    touchpoint_id: uuid.UUID | None = None
    contact_email: EmailAddress | None = None
    contact_name: ShortText | None = None
    language: Language | None = None
    complaint_id: ExternalRef | None = None


class MoveIn(StrictModel):
    """What a step of the workflow needs: the message the handler edited, the plan, the
    action, the root cause or the reason. Which fields a step requires is declared in
    :data:`kohtaamo.cases.workflow.TRANSITIONS` and checked by the service."""

    message_subject: Annotated[str, StringConstraints(max_length=300)] = ""
    message_body: LongText = ""
    what_went_wrong: LongText = ""
    plan_action: LongText = ""
    plan_due: IsoDate | None = None
    action_note: LongText = ""
    root_cause_touchpoint_id: uuid.UUID | None = None
    root_cause_theme: Topic | None = None
    root_cause_standard: ShortText | None = None
    root_cause_note: LongText = ""
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class TransitionIn(MoveIn):
    """A move through the API: the action (see ``GET /cases/{id}``'s ``actions``) and
    what it needs."""

    action: Annotated[str, StringConstraints(max_length=40)]


class AssignIn(StrictModel):
    """Give the case to a team, a person, or change its priority (any of them)."""

    team_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = None
    priority: Priority | None = None

    @model_validator(mode="after")
    def _something(self) -> AssignIn:
        if self.team_id is None and self.assignee_id is None and self.priority is None:
            raise rule_error("Give a team, a person or a priority.")
        return self


class NoteIn(StrictModel):
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: int
    state: str
    priority: str
    topic: str
    title: str
    description: str
    source: str
    language: str
    contact_email: str | None
    contact_name: str | None
    rule_id: uuid.UUID | None
    customer_id: uuid.UUID | None
    response_id: uuid.UUID | None
    comment_id: uuid.UUID | None
    touchpoint_id: uuid.UUID | None
    team_id: uuid.UUID | None
    assignee_id: uuid.UUID | None
    opened_at: datetime
    acknowledged_at: datetime | None
    plan_sent_at: datetime | None
    action_taken_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    acknowledge_due_at: datetime | None
    resolve_due_at: datetime | None
    acknowledge_breached: bool
    resolve_breached: bool
    escalated_at: datetime | None
    plan_what_went_wrong: str
    plan_action: str
    plan_due: date | None
    action_note: str
    root_cause_touchpoint_id: uuid.UUID | None
    root_cause_theme: str | None
    root_cause_standard: str | None
    root_cause_note: str
    followup_outcome: str | None
    followup_score: int | None
    followup_at: datetime | None


class CaseEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    at: datetime
    kind: str
    actor_id: uuid.UUID | None
    actor_label: str
    from_state: str | None
    to_state: str | None
    body: str
    data: dict[str, Any]


class ActionOut(BaseModel):
    """A move open from the case's state, with what it needs (the workflow table)."""

    action: str
    target: str
    requires: list[str]
    message: str | None


class CaseDetailOut(BaseModel):
    case: CaseOut
    timeline: list[CaseEventOut]
    actions: list[ActionOut]


class CaseListOut(BaseModel):
    items: list[CaseOut]
    total: int
    limit: int
    offset: int


class CaseRuleIn(StrictModel):
    """A trigger. ``params`` by kind: detractor ``{"threshold": 0–10}`` (NPS at or below,
    default 6); gap ``{"threshold": > 0, "touchpoint_ids": [...]}`` (experience at least
    this many scale points below expectation, default 2, optionally only at these
    touchpoints); negative_comment ``{"themes": [...], "max_age_days": 1–365}`` (a
    comment analysed as negative, optionally only on these themes, not older than this);
    complaint ``{}`` (the topic and priority of explicit complaints)."""

    key: Topic
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    kind: RuleKind
    params: dict[str, Any] = Field(default_factory=dict)
    topic: Topic
    priority: Priority = "normal"
    active: StrictBool = True

    @model_validator(mode="after")
    def _params(self) -> CaseRuleIn:
        self.params = check_params(self.kind, self.params)
        return self


class CaseRuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    key: str
    name: str
    kind: str
    params: dict[str, Any]
    topic: str
    priority: str
    active: bool


_ALLOWED_PARAMS: dict[str, frozenset[str]] = {
    "detractor": frozenset({"threshold"}),
    "gap": frozenset({"threshold", "touchpoint_ids"}),
    "negative_comment": frozenset({"themes", "max_age_days"}),
    "complaint": frozenset(),
}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def check_params(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """The rule's parameters checked against its kind (raises a translatable error)."""
    unknown = sorted(set(params) - _ALLOWED_PARAMS[kind])
    if unknown:
        raise rule_error("Unknown rule parameter: %(name)s.", name=unknown[0])
    out = dict(params)
    if "threshold" in params:
        value = _number(params["threshold"])
        if kind == "detractor" and (
            value is None or not value.is_integer() or not 0 <= value <= 10
        ):
            raise rule_error("The NPS threshold is a whole number from 0 to 10.")
        if kind == "gap" and (value is None or not 0 < value <= 20):
            raise rule_error("The gap threshold is a number of scale points above 0.")
        out["threshold"] = int(value) if kind == "detractor" else value  # type: ignore[arg-type]
    if "touchpoint_ids" in params:
        ids = params["touchpoint_ids"]
        try:
            out["touchpoint_ids"] = [str(uuid.UUID(str(i))) for i in ids]
        except (TypeError, ValueError):
            raise rule_error("Name the touchpoints by their ids.") from None
    if "themes" in params:
        themes = params["themes"]
        if not isinstance(themes, list) or not all(
            isinstance(t, str) and 0 < len(t) <= 60 for t in themes
        ):
            raise rule_error("Themes are a list of theme keys.")
        out["themes"] = list(dict.fromkeys(themes))
    if "max_age_days" in params:
        days = _number(params["max_age_days"])
        if days is None or not days.is_integer() or not 1 <= days <= 365:
            raise rule_error("The comment age limit is a whole number of days from 1 to 365.")
        out["max_age_days"] = int(days)
    return out
