"""The programme's closed vocabularies, declared once: the UI, the API, the services and
the tests read them from here. Labels are English msgids (``N_``), translated where shown.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from kohtaamo.i18n import N_


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class Direction(StrEnum):
    """How a measure meets its target: reach it from below, or stay under it."""

    AT_LEAST = "at_least"
    AT_MOST = "at_most"


class TargetStatus(StrEnum):
    """A measure's (and, rolled up, an element's) standing against its target."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    UNKNOWN = "unknown"  # no data yet, or too few answers to say


class ObservationKind(StrEnum):
    SAID = "said"  # what customers said
    WANT = "want"  # what customers want
    CHANGE = "change"  # how customers' needs are changing
    IDEA = "idea"  # an idea of the employee's own


class ObservationStatus(StrEnum):
    NEW = "new"
    DISCUSSED = "discussed"  # seen and talked about; no decision yet
    ACTION = "action"  # became a programme action
    STANDARD = "standard"  # became (or changed) a standard
    DECLINED = "declined"  # decided against, with the reason told back


class CheckResult(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NA = "na"


class WalkthroughKind(StrEnum):
    WALKTHROUGH = "walkthrough"  # staff walk their own customer's journey
    MYSTERY_SHOP = "mystery_shop"  # an outsider visits as a customer


ACTION_STATUS_LABELS: Final[dict[ActionStatus, str]] = {
    ActionStatus.PLANNED: N_("Planned"),
    ActionStatus.IN_PROGRESS: N_("In progress"),
    ActionStatus.DONE: N_("Done"),
    ActionStatus.CANCELLED: N_("Cancelled"),
}
DIRECTION_LABELS: Final[dict[Direction, str]] = {
    Direction.AT_LEAST: N_("at least"),
    Direction.AT_MOST: N_("at most"),
}
TARGET_STATUS_LABELS: Final[dict[TargetStatus, str]] = {
    TargetStatus.ON_TRACK: N_("On track"),
    TargetStatus.AT_RISK: N_("At risk"),
    TargetStatus.OFF_TRACK: N_("Off track"),
    TargetStatus.UNKNOWN: N_("Not known yet"),
}
OBSERVATION_KIND_LABELS: Final[dict[ObservationKind, str]] = {
    ObservationKind.SAID: N_("What customers said"),
    ObservationKind.WANT: N_("What customers want"),
    ObservationKind.CHANGE: N_("How customers are changing"),
    ObservationKind.IDEA: N_("An idea"),
}
OBSERVATION_STATUS_LABELS: Final[dict[ObservationStatus, str]] = {
    ObservationStatus.NEW: N_("New"),
    ObservationStatus.DISCUSSED: N_("Discussed"),
    ObservationStatus.ACTION: N_("Became an action"),
    ObservationStatus.STANDARD: N_("Became a standard"),
    ObservationStatus.DECLINED: N_("Declined"),
}
CHECK_RESULT_LABELS: Final[dict[CheckResult, str]] = {
    CheckResult.PASS: N_("Met"),
    CheckResult.FAIL: N_("Not met"),
    CheckResult.NA: N_("Not applicable"),
}
WALKTHROUGH_KIND_LABELS: Final[dict[WalkthroughKind, str]] = {
    WalkthroughKind.WALKTHROUGH: N_("Journey walkthrough"),
    WalkthroughKind.MYSTERY_SHOP: N_("Mystery shopping"),
}
