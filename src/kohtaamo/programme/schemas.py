"""The programme's data in: elements, standards, measures and actions. Shapes only; the
rules that need the database (a metric that exists, a parent that makes no circle, a due
date not past) are the service's."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints

from kohtaamo.journeys.schemas import StrictModel
from kohtaamo.programme.vocab import (
    ActionStatus,
    CheckResult,
    Direction,
    ObservationKind,
    ObservationStatus,
    WalkthroughKind,
)

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,79}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(max_length=20000)]


class ElementIn(StrictModel):
    """An experience element, or with ``parent_id`` a sub-element that supports one."""

    key: Key | None = None  # made from the English name when not given
    parent_id: uuid.UUID | None = None
    position: int = Field(default=0, ge=0, le=1000)
    name_fi: Name
    name_en: Name
    meaning_fi: Text = ""
    meaning_en: Text = ""


class StandardIn(StrictModel):
    key: Key | None = None
    element_id: uuid.UUID
    team_id: uuid.UUID | None = None
    touchpoint_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    title_fi: Title
    title_en: Title
    description_fi: Text = ""
    description_en: Text = ""
    check_fi: Text = ""
    check_en: Text = ""
    active: bool = True


class MeasureIn(StrictModel):
    """A catalogue metric in a scope with a target. With ``standard_id`` the element is
    the standard's own. ``direction`` defaults to the metric's better side."""

    key: Key | None = None
    element_id: uuid.UUID | None = None
    standard_id: uuid.UUID | None = None
    name_fi: Name
    name_en: Name
    metric: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    touchpoint_id: uuid.UUID | None = None
    journey_id: uuid.UUID | None = None
    segment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)] | None = None
    target: float
    direction: Direction | None = None
    tolerance: float = Field(default=0.0, ge=0)
    window_days: int = Field(default=90, ge=7, le=730)


class ActionIn(StrictModel):
    title: Title
    description: Text = ""
    element_id: uuid.UUID | None = None
    standard_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None
    due_date: date | None = None
    expected_effect: Text = ""
    measure_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    case_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)


class ActionStatusIn(StrictModel):
    status: ActionStatus


class DescriptionIn(StrictModel):
    """The CX description's own words: plain text, blank lines between paragraphs."""

    title_fi: Name
    title_en: Name
    promise_fi: Annotated[str, StringConstraints(max_length=8000)] = ""
    promise_en: Annotated[str, StringConstraints(max_length=8000)] = ""
    closing_fi: Annotated[str, StringConstraints(max_length=4000)] = ""
    closing_en: Annotated[str, StringConstraints(max_length=4000)] = ""


class ObservationIn(StrictModel):
    """An employee's observation: what kind, where, and what they saw."""

    kind: ObservationKind
    touchpoint_id: uuid.UUID | None = None
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=4000)]


class NoteIn(StrictModel):
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class DecisionIn(StrictModel):
    """What became of an observation. ``action``: a new programme action titled
    ``action_title``; ``standard``: an existing standard it changes; ``declined`` needs
    the reason in ``note``; ``discussed``: seen, no decision yet."""

    outcome: ObservationStatus
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] = ""
    action_title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""
    standard_id: uuid.UUID | None = None


class WalkthroughIn(StrictModel):
    """A scheduled walk along a journey: every ``every_days`` days, or once."""

    title: Name
    kind: WalkthroughKind = WalkthroughKind.WALKTHROUGH
    journey_id: uuid.UUID
    owner_id: uuid.UUID | None = None
    every_days: int | None = Field(default=90, ge=7, le=366)
    first_due: date


class CheckIn(StrictModel):
    touchpoint_id: uuid.UUID
    standard_id: uuid.UUID | None = None
    result: CheckResult
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] = ""
