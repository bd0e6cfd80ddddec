"""Survey data in and out of the API and the builder."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from kohtaamo.errors import rule_error
from kohtaamo.kit.text import contains_nul
from kohtaamo.surveys.catalogue import ResponseChannel, SurveyKind, SurveyStatus
from kohtaamo.surveys.definition import Key, Lang, SurveyDefinition


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if contains_nul(data):
            raise rule_error("Text may not contain NUL characters.")
        return data


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ORIGIN_RE = re.compile(r"^https?://[a-z0-9.-]+(:\d{1,5})?$")

WidgetTrigger = Literal["page_view", "click", "exit_intent", "time_on_page", "custom_event"]


class WidgetSettings(StrictModel):
    """When the embeddable widget shows the survey on the organisation's site."""

    trigger: WidgetTrigger = "time_on_page"
    seconds: int = Field(default=20, ge=0, le=3600)  # time_on_page
    selector: str = Field(default="", max_length=200)  # click: a CSS selector
    event_name: str = Field(default="", max_length=80)  # custom_event: the DOM event name
    sample_percent: float = Field(default=100.0, ge=0, le=100)
    position: Literal["bottom-right", "bottom-left", "center"] = "bottom-right"


class SurveySettings(StrictModel):
    allowed_origins: list[str] = Field(default_factory=list, max_length=20)
    min_seconds: int = Field(default=3, ge=0, le=600)  # faster finished responses are flagged
    invitation_valid_days: int = Field(default=30, ge=1, le=365)
    reminder_after_days: int = Field(default=3, ge=1, le=60)
    max_reminders: int = Field(default=1, ge=0, le=3)
    widget: WidgetSettings = Field(default_factory=WidgetSettings)

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        out = []
        for origin in value:
            origin = origin.strip().lower().rstrip("/")
            if not ORIGIN_RE.match(origin):
                raise rule_error(
                    "Give origins as scheme and host, e.g. https://www.example.fi (no path)."
                )
            out.append(origin)
        return list(dict.fromkeys(out))


class SurveyIn(StrictModel):
    key: Key
    name: Name
    kind: SurveyKind = SurveyKind.TOUCHPOINT
    touchpoint: Key | None = None
    definition: SurveyDefinition
    settings: SurveySettings = Field(default_factory=SurveySettings)


class SurveyUpdate(StrictModel):
    name: Name | None = None
    kind: SurveyKind | None = None
    touchpoint: Key | None = None
    settings: SurveySettings | None = None


class SurveyOut(BaseModel):
    id: uuid.UUID
    key: str
    name: str
    kind: SurveyKind
    status: SurveyStatus
    slug: str
    touchpoint: str | None
    live_version: int | None
    latest_version: int
    has_draft: bool
    settings: SurveySettings
    finished_responses: int = 0
    partial_responses: int = 0
    created_at: datetime
    updated_at: datetime


class VersionOut(BaseModel):
    number: int
    published_at: datetime | None
    created_at: datetime
    definition: SurveyDefinition


AnswerValue = int | float | bool | str | list[str] | dict[str, int | None] | None


class ResponseIn(StrictModel):
    """A response from a kiosk or another system (API key with write scope)."""

    answers: dict[Annotated[str, StringConstraints(max_length=80)], AnswerValue] = Field(
        max_length=200
    )
    language: Lang = "fi"
    finished: bool = True
    channel: Literal[ResponseChannel.API, ResponseChannel.KIOSK] = ResponseChannel.API
    customer: Annotated[str, StringConstraints(min_length=1, max_length=120)] | None = None
    event_key: Annotated[str, StringConstraints(max_length=120)] | None = None
    started_at: AwareDatetime | None = None
    context: dict[
        Annotated[str, StringConstraints(max_length=40)],
        Annotated[str, StringConstraints(max_length=500)],
    ] = Field(default_factory=dict, max_length=20)


class ResponseOut(BaseModel):
    id: uuid.UUID
    survey_id: uuid.UUID
    version: int
    status: Literal["partial", "finished"]
    channel: str
    language: str
    answers: dict[str, Any]
    customer: str | None = None
    started_at: datetime
    finished_at: datetime | None
    flagged: bool
    flag_reason: str | None
    created: bool = True  # false when an idempotent retry found the earlier response
