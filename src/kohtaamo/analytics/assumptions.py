"""Assumption checks: a manager's belief written as a machine-checkable spec, and the
check that reads the answers from a ``Source``, picks the test and gives the verdict.

Three kinds:

- ``compare_groups``: a metric (catalogue slug) is higher / lower / different for group
  A than for group B (or than every other group) of a dimension, optionally at one
  touchpoint and in a period. "Corporate customers are more satisfied with billing than
  consumers."
- ``driver_order``: touchpoint X's experience matters more for an outcome (NPS,
  repurchase intent, overall satisfaction) than touchpoint Y's. "Price matters more than
  staff for our NPS."
- ``gap``: a touchpoint's experience falls short of / exceeds expectations.

The result is a JSON-able dict (stored in ``AssumptionCheck.result``);
``assumption_words.sentence`` says it in Finnish or English.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from kohtaamo.analytics import assumption_data as data
from kohtaamo.analytics import assumption_tests as tests
from kohtaamo.analytics.catalogue import Kind, metric
from kohtaamo.analytics.source import Source
from kohtaamo.errors import InvalidInput, rule_error
from kohtaamo.kit.text import contains_nul

#: Metrics whose kind has a two-group test (counts and response rates have none).
COMPARABLE_KINDS = frozenset(
    {Kind.NPS, Kind.TOP_TWO_BOX, Kind.MEAN, Kind.GAP_ABOVE, Kind.GAP_EQUAL, Kind.GAP_BELOW}
)
OUTCOMES: dict[str, str] = {
    "nps": "nps",
    "repurchase_intent": "repurchase_intent",
    "overall_satisfaction": "overall_satisfaction",
}
DRIVER_ROLES = ("experience", "csat", "gap")
Text = Annotated[str, Field(min_length=1, max_length=200)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start: date | None = None
    end: date | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        # PostgreSQL refuses NUL in JSONB; SQLite would store it. Same answer on both.
        if contains_nul(data):
            raise rule_error("Text may not contain NUL characters.")
        return data

    @model_validator(mode="after")
    def _period(self) -> _Spec:
        if self.start and self.end and self.end < self.start:
            raise rule_error("The period must not end before it starts.")
        return self


class CompareGroups(_Spec):
    kind: Literal["compare_groups"] = "compare_groups"
    metric: Text
    dimension: Text
    group_a: Text
    #: None: A against every other value of the dimension
    group_b: Text | None = None
    direction: Literal["higher", "lower", "different"] = "higher"
    #: touchpoint key: the answers at this touchpoint only
    touchpoint: Text | None = None
    #: "distribution": chi-square test of the whole answer distributions
    test: Literal["auto", "distribution"] = "auto"

    @model_validator(mode="after")
    def _groups(self) -> CompareGroups:
        if self.group_b is not None and self.group_b == self.group_a:
            raise rule_error("Choose two different groups.")
        if self.test == "distribution" and self.direction != "different":
            raise rule_error("A comparison of answer distributions can only claim a difference.")
        return self


class DriverOrder(_Spec):
    kind: Literal["driver_order"] = "driver_order"
    outcome: Literal["nps", "repurchase_intent", "overall_satisfaction"] = "nps"
    #: touchpoint keys: the claim is that A matters more than B
    driver_a: Text
    driver_b: Text
    driver_role: Literal["experience", "csat", "gap"] = "experience"
    method: Literal["lmg", "relative_weights"] = "lmg"

    @model_validator(mode="after")
    def _two(self) -> DriverOrder:
        if self.driver_a == self.driver_b:
            raise rule_error("Choose two different touchpoints.")
        return self


class GapClaim(_Spec):
    kind: Literal["gap"] = "gap"
    touchpoint: Text
    direction: Literal["short", "exceeds"] = "short"


AssumptionSpec = Annotated[CompareGroups | DriverOrder | GapClaim, Field(discriminator="kind")]


def _window(spec: CompareGroups | DriverOrder | GapClaim) -> data.Window:
    touchpoint = getattr(spec, "touchpoint", None)
    return data.Window(touchpoint, spec.start, spec.end)


def validate_spec(source: Source, org: str, spec: AssumptionSpec) -> None:
    """Refuse a spec that names what the organisation's data does not have: an unknown or
    untestable metric or dimension, a group nobody is in, an unknown touchpoint."""
    keys: list[tuple[str, str]] = []
    if isinstance(spec, CompareGroups):
        found = metric(spec.metric)
        if found.kind not in COMPARABLE_KINDS:
            raise InvalidInput(
                "%(value)s cannot be compared between groups.", field="metric", value=spec.metric
            )
        data.check_dimension(spec.dimension)
        values = set(data.group_values(source, org, spec.dimension))
        for name in ("group_a", "group_b"):
            group = getattr(spec, name)
            if group is not None and group not in values:
                raise InvalidInput(
                    "No answers have %(value)s as their %(dimension)s.",
                    field=name,
                    value=group,
                    dimension=spec.dimension,
                )
        if spec.group_b is None and not values - {spec.group_a}:
            raise InvalidInput("There are no other groups to compare with.", field="group_b")
        if spec.touchpoint:
            keys.append(("touchpoint", spec.touchpoint))
    elif isinstance(spec, DriverOrder):
        keys += [("driver_a", spec.driver_a), ("driver_b", spec.driver_b)]
    else:
        keys.append(("touchpoint", spec.touchpoint))
    known = data.touchpoint_ids(source, org, [k for _, k in keys])
    for field, key in keys:
        if key not in known:
            raise InvalidInput("Unknown touchpoint %(value)s.", field=field, value=key)


def check(source: Source, org: str, spec: AssumptionSpec, *, seed: int = 0) -> dict[str, Any]:
    """Run the assumption's test on the organisation's answers now; the result carries
    ``verdict`` and the numbers behind it."""
    window = _window(spec)
    if isinstance(spec, CompareGroups):
        result = _compare(source, org, spec, window)
    elif isinstance(spec, DriverOrder):
        frame = data.driver_table(
            source, org, spec.outcome, [spec.driver_a, spec.driver_b], spec.driver_role, window
        )
        result = tests.driver_order(
            frame, spec.driver_a, spec.driver_b, method=spec.method, seed=seed
        )
        names = data.touchpoint_names(source, org, [spec.driver_a, spec.driver_b])
        result["labels"] = {"a": names[spec.driver_a], "b": names[spec.driver_b]}
        result["outcome"] = spec.outcome
    else:
        pairs, compared = data.gap_pairs(source, org, window)
        result = tests.gap(pairs, compared, spec.direction, min_n=metric("expectation_gap").min_n)
        result["labels"] = {
            "a": data.touchpoint_names(source, org, [spec.touchpoint])[spec.touchpoint]
        }
    result["kind"] = spec.kind
    return result


def _compare(source: Source, org: str, spec: CompareGroups, window: data.Window) -> dict[str, Any]:
    found = metric(spec.metric)
    frame = data.role_values(source, org, list(found.roles), spec.dimension, window)
    a = frame[frame.group == spec.group_a]
    b: pd.DataFrame = (
        frame[frame.group != spec.group_a]
        if spec.group_b is None
        else frame[frame.group == spec.group_b]
    )
    result = tests.compare_groups(
        found, a, b, spec.direction, distribution=spec.test == "distribution"
    )
    result["labels"] = {
        "a": _label(source, org, spec, spec.group_a),
        "b": _label_b(source, org, spec),
    }
    if spec.touchpoint:
        result["touchpoint"] = data.touchpoint_names(source, org, [spec.touchpoint])[
            spec.touchpoint
        ]
    return result


def _label(source: Source, org: str, spec: CompareGroups, value: str) -> dict[str, str]:
    if spec.dimension == "touchpoint":
        return data.touchpoint_names(source, org, [value])[value]
    return {"fi": value, "en": value}


def _label_b(source: Source, org: str, spec: CompareGroups) -> dict[str, str] | None:
    return None if spec.group_b is None else _label(source, org, spec, spec.group_b)
