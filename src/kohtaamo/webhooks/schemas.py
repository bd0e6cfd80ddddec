"""The event catalogue and the shapes endpoints and deliveries take in and out."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kohtaamo.errors import rule_error

# Every event a webhook may carry, with the label the settings page shows. Declared
# once: the form's checkboxes, the API's validation and ``emit`` all read it.
EVENT_TYPE_TITLES: dict[str, str] = {
    "case.opened": "A case was opened",
    "case.acknowledged": "A case was acknowledged",
    "case.plan_sent": "An apology and plan was sent",
    "case.action_taken": "The action of a case was taken",
    "case.resolved": "A case was resolved",
    "case.follow_up": "A follow-up was sent",
    "case.closed": "A case was closed",
    "case.reopened": "A case was reopened",
    "case.no_contact": "A customer could not be contacted",
    "response.finished": "A survey response was finished",
}
TEST_EVENT = "webhook.test"  # sent only by "Send a test event", to one endpoint


def _check_event_types(values: list[str]) -> list[str]:
    unknown = [v for v in values if v not in EVENT_TYPE_TITLES]
    if unknown:
        raise rule_error("Unknown event type: %(type)s.", type=unknown[0])
    return sorted(set(values))


class EndpointIn(BaseModel):
    """A new receiver. No event types: every event. The range needs an administrator."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2000)
    description: str = Field(default="", max_length=300)
    event_types: list[str] = Field(default_factory=list, max_length=len(EVENT_TYPE_TITLES))
    allowed_private_range: str | None = Field(default=None, max_length=64)

    @field_validator("event_types")
    @classmethod
    def _known(cls, values: list[str]) -> list[str]:
        return _check_event_types(values)


class EndpointPatch(BaseModel):
    """A change to a receiver: only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, min_length=1, max_length=2000)
    description: str | None = Field(default=None, max_length=300)
    event_types: list[str] | None = Field(default=None, max_length=len(EVENT_TYPE_TITLES))
    allowed_private_range: str | None = Field(default=None, max_length=64)

    @field_validator("event_types")
    @classmethod
    def _known(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else _check_event_types(values)


class EndpointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    url: str
    description: str
    event_types: list[str]
    active: bool
    allowed_private_range: str | None
    consecutive_failures: int
    disabled_at: datetime | None
    disabled_reason: str | None
    created_at: datetime


class EndpointCreated(EndpointOut):
    """The answer to a creation or a secret rotation: the only time the secret is shown."""

    secret: str


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: str
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    last_attempt_at: datetime | None
    delivered_at: datetime | None
