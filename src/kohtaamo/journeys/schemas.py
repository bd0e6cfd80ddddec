"""Journeys data in and out: teams, journeys, stages, touchpoints, customers, events."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from kohtaamo.errors import rule_error
from kohtaamo.journeys.catalogue import Channel, FactorGroup
from kohtaamo.kit.text import contains_nul


class StrictModel(BaseModel):
    """Input models: unknown fields are an error, not silently dropped (mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if contains_nul(data):
            raise rule_error("Text may not contain NUL characters.")
        return data


KEY_PATTERN = r"^[a-z0-9_.-]{1,80}$"
Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=80)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OptName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Scalar = str | int | float | bool | None


def _refuse_bool(value: Any) -> Any:
    # Lax validation would read true/false as 1/0: a number field wants a number.
    if isinstance(value, bool):
        raise ValueError("Give a number.")
    return value


N = TypeVar("N", int, float)
NotBool = Annotated[N, BeforeValidator(_refuse_bool)]


def _text_only(value: Any) -> Any:
    # Lax validation would read a number as a Unix time: the API documents ISO 8601 text.
    if isinstance(value, int | float):
        raise ValueError("Give a date in ISO 8601 format.")
    return value


IsoDate = Annotated[date, BeforeValidator(_text_only)]
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_text_only)]
ShortText = Annotated[str, StringConstraints(max_length=120)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)]
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def _email(value: Any) -> Any:
    # Deliberately plain: the mail server is the judge; this catches typing mistakes.
    if isinstance(value, str):
        value = value.strip().lower()
        if not EMAIL_RE.match(value) or len(value) > 254:
            raise rule_error("Give a valid e-mail address.")
    return value


EmailAddress = Annotated[str, BeforeValidator(_email)]


# --- teams ------------------------------------------------------------------------------


class TeamIn(StrictModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class TeamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str


# --- touchpoints ------------------------------------------------------------------------


class TouchpointIn(StrictModel):
    key: Key = Field(description="A stable machine key, unique in the organisation.")
    name_fi: Name
    name_en: Name
    name_sv: OptName = ""
    channel: Channel
    factor_group: FactorGroup
    owner_team_id: uuid.UUID
    expectation: Annotated[str, StringConstraints(max_length=4000)] = ""
    critical: bool = False


class TouchpointUpdate(StrictModel):
    """Only the fields sent change. The key cannot change: events and paths refer to it."""

    name_fi: Name | None = None
    name_en: Name | None = None
    name_sv: OptName | None = None
    channel: Channel | None = None
    factor_group: FactorGroup | None = None
    owner_team_id: uuid.UUID | None = None
    expectation: Annotated[str, StringConstraints(max_length=4000)] | None = None
    critical: bool | None = None


class TouchpointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    key: str
    name_fi: str
    name_en: str
    name_sv: str
    channel: Channel
    factor_group: FactorGroup
    owner_team_id: uuid.UUID
    expectation: str
    critical: bool


# --- journeys ---------------------------------------------------------------------------


class StageIn(StrictModel):
    name_fi: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    name_en: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    name_sv: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = ""
    position: int | None = Field(default=None, ge=0, description="Where to insert; last if absent.")


class StageUpdate(StrictModel):
    name_fi: Annotated[str, StringConstraints(min_length=1, max_length=120)] | None = None
    name_en: Annotated[str, StringConstraints(min_length=1, max_length=120)] | None = None
    name_sv: Annotated[str, StringConstraints(max_length=120)] | None = None


class StageOrder(StrictModel):
    stage_ids: list[uuid.UUID] = Field(max_length=100, description="Every stage, in new order.")


class PlacementIn(StrictModel):
    stage_id: uuid.UUID
    position: int | None = Field(
        default=None, ge=0, description="Where on the stage; last if absent."
    )


class PlacementOut(BaseModel):
    touchpoint_id: uuid.UUID
    key: str
    position: int


class StageOut(BaseModel):
    id: uuid.UUID
    position: int
    name_fi: str
    name_en: str
    name_sv: str
    touchpoints: list[PlacementOut] = []


class JourneyIn(StrictModel):
    key: Key
    name: Name
    description: Annotated[str, StringConstraints(max_length=4000)] = ""
    owner_team_id: uuid.UUID | None = None
    target_segment: Label | None = None
    stages: list[StageIn] = Field(default_factory=list, max_length=100)


class JourneyUpdate(StrictModel):
    name: Name | None = None
    description: Annotated[str, StringConstraints(max_length=4000)] | None = None
    owner_team_id: uuid.UUID | None = None
    target_segment: Label | None = None


class JourneyOut(BaseModel):
    id: uuid.UUID
    key: str
    name: str
    description: str
    owner_team_id: uuid.UUID | None
    target_segment: str | None
    stages: list[StageOut] = []


# --- customers --------------------------------------------------------------------------


class CustomerIn(StrictModel):
    """A customer's profile. In an upsert only the fields sent change."""

    segment: Label | None = None
    region: Label | None = None
    plan: Label | None = None
    customer_since: IsoDate | None = None
    purchases: NotBool[int] | None = Field(default=None, ge=0, le=2_147_483_647)
    lifetime_value: NotBool[float] | None = Field(default=None, allow_inf_nan=False)
    locale: Annotated[str, StringConstraints(max_length=8)] | None = None
    # Where survey invitations go; stored lower-case. ``null`` forgets the address.
    email: EmailAddress | None = None
    attributes: dict[Annotated[str, StringConstraints(max_length=80)], Scalar] | None = Field(
        default=None, max_length=50
    )
    consents: dict[Annotated[str, StringConstraints(max_length=80)], bool] | None = Field(
        default=None, max_length=50
    )


class CustomerBatchItem(CustomerIn):
    external_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)
    ]


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    external_id: str
    segment: str | None
    region: str | None
    plan: str | None
    customer_since: date | None
    purchases: int | None
    lifetime_value: float | None
    locale: str | None
    email: str | None = None
    attributes: dict[str, Scalar]
    consents: dict[str, bool]
    created_at: datetime
    updated_at: datetime


# --- interaction events -----------------------------------------------------------------


class EventIn(StrictModel):
    """One interaction: customer ``customer`` met touchpoint ``touchpoint`` at ``occurred_at``."""

    id: Annotated[str, StringConstraints(min_length=1, max_length=120)] = Field(
        description="Chosen by the sender; a retry with the same id is stored once."
    )
    customer: Annotated[str, StringConstraints(min_length=1, max_length=120)] = Field(
        description="The customer's external id. An unknown customer gets a bare profile."
    )
    touchpoint: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    occurred_at: IsoDateTime = Field(description="ISO 8601 with a time zone.")
    journey: Annotated[str, StringConstraints(max_length=80)] | None = None
    journey_instance: ShortText | None = None
    channel_detail: Annotated[str, StringConstraints(max_length=200)] | None = None
    order_value: NotBool[float] | None = Field(default=None, ge=0, allow_inf_nan=False)
    attributes: dict[Annotated[str, StringConstraints(max_length=80)], Scalar] | None = Field(
        default=None, max_length=50
    )


class EventBatchIn(StrictModel):
    events: list[EventIn] = Field(min_length=1, max_length=1000)


class ItemError(BaseModel):
    field: str
    message: str


class ItemResult(BaseModel):
    index: int
    id: str | None = None
    status: Literal["stored", "duplicate", "rejected", "created", "updated"]
    errors: list[ItemError] = []


class BatchResult(BaseModel):
    accepted: int
    duplicates: int = 0
    rejected: int
    results: list[ItemResult]
