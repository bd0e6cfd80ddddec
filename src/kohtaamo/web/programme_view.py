"""What the programme page shows: the pyramid as five bands of dots coloured by status
(with counts in words, so colour is never the only signal), and the elements with their
sub-elements, standards, measures and actions, in the reader's language."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from kohtaamo.analytics import catalogue
from kohtaamo.i18n import N_, gettext
from kohtaamo.programme.models import Action, Measure
from kohtaamo.programme.status import ProgrammeStatus, worst
from kohtaamo.programme.tree import ElementNode, Pyramid, StandardNode
from kohtaamo.programme.vocab import (
    ACTION_STATUS_LABELS,
    DIRECTION_LABELS,
    TARGET_STATUS_LABELS,
    ActionStatus,
    Direction,
    TargetStatus,
)
from kohtaamo.web.analytics_view import number_text

BANDS = (
    N_("Experience elements"),
    N_("Sub-elements"),
    N_("Standards"),
    N_("Measures with targets"),
    N_("Improvement actions"),
)
WIDTH, BAND_HEIGHT = 900, 84


@dataclass
class Dot:
    label: str
    status: str  # a TargetStatus value: the colour class
    x: float = 0
    y: float = 0


@dataclass
class Band:
    title: str
    summary: str
    dots: list[Dot]
    points: str = ""  # the trapezoid's SVG polygon
    label_y: float = 0


@dataclass
class MeasureRow:
    id: uuid.UUID
    name: str
    metric: str
    scope: str
    value: str
    interval: str
    target: str
    status: str
    status_label: str
    n: int


@dataclass
class StandardRow:
    id: uuid.UUID
    title: str
    status: str
    status_label: str
    measures: list[MeasureRow]


@dataclass
class ElementRow:
    id: uuid.UUID
    name: str
    meaning: str
    status: str
    status_label: str
    depth: int
    measures: list[MeasureRow] = field(default_factory=list)
    standards: list[StandardRow] = field(default_factory=list)


@dataclass
class ActionRow:
    id: uuid.UUID
    number: int
    title: str
    status: str
    status_label: str
    due: date | None
    overdue: bool


def pick(locale: str, fi: str, en: str) -> str:
    return (fi or en) if locale == "fi" else (en or fi)


def status_label(locale: str, status: TargetStatus) -> str:
    return gettext(locale, TARGET_STATUS_LABELS[status])


def measure_row(
    locale: str, measure: Measure, status: ProgrammeStatus, scopes: dict[uuid.UUID, str]
) -> MeasureRow:
    found = status.measures[measure.id]
    value = found.value
    text = number_text(locale, measure.metric, value.value) if value.value is not None else "–"
    interval = ""
    if value.low is not None and value.high is not None and value.value is not None:
        interval = (
            f"{number_text(locale, measure.metric, value.low)} … "
            f"{number_text(locale, measure.metric, value.high)}"
        )
    direction = gettext(locale, DIRECTION_LABELS[Direction(measure.direction)])
    scope = ", ".join(
        part
        for part in (
            scopes.get(measure.touchpoint_id) if measure.touchpoint_id else None,
            scopes.get(measure.journey_id) if measure.journey_id else None,
            measure.segment,
        )
        if part
    ) or gettext(locale, "All customers")
    return MeasureRow(
        id=measure.id,
        name=pick(locale, measure.name_fi, measure.name_en),
        metric=catalogue.label(measure.metric, locale),
        scope=scope,
        value=text,
        interval=interval,
        target=f"{direction} {number_text(locale, measure.metric, measure.target)}",
        status=found.status.value,
        status_label=status_label(locale, found.status),
        n=value.n,
    )


def _standard_row(
    locale: str, node: StandardNode, status: ProgrammeStatus, scopes: dict[uuid.UUID, str]
) -> StandardRow:
    s = status.standards[node.standard.id]
    return StandardRow(
        id=node.standard.id,
        title=pick(locale, node.standard.title_fi, node.standard.title_en),
        status=s.value,
        status_label=status_label(locale, s),
        measures=[measure_row(locale, m, status, scopes) for m in node.measures],
    )


def element_rows(
    locale: str, pyramid: Pyramid, status: ProgrammeStatus, scopes: dict[uuid.UUID, str]
) -> list[ElementRow]:
    rows: list[ElementRow] = []

    def visit(node: ElementNode, depth: int) -> None:
        s = status.elements[node.element.id]
        rows.append(
            ElementRow(
                id=node.element.id,
                name=pick(locale, node.element.name_fi, node.element.name_en),
                meaning=pick(locale, node.element.meaning_fi, node.element.meaning_en),
                status=s.value,
                status_label=status_label(locale, s),
                depth=depth,
                measures=[measure_row(locale, m, status, scopes) for m in node.measures],
                standards=[_standard_row(locale, st, status, scopes) for st in node.standards],
            )
        )
        for child in node.children:
            visit(child, depth + 1)

    for top in pyramid.elements:
        visit(top, 0)
    return rows


def action_standing(action: Action, today: date) -> TargetStatus:
    """An action in the picture: done is on track, past its due date is off track."""
    if action.status == ActionStatus.DONE:
        return TargetStatus.ON_TRACK
    if action.status == ActionStatus.CANCELLED:
        return TargetStatus.UNKNOWN
    if action.due_date is not None and action.due_date < today:
        return TargetStatus.OFF_TRACK
    return TargetStatus.AT_RISK if action.status == ActionStatus.PLANNED else TargetStatus.ON_TRACK


def action_rows(locale: str, actions: list[Action], today: date) -> list[ActionRow]:
    return [
        ActionRow(
            id=a.id,
            number=a.number,
            title=a.title,
            status=a.status,
            status_label=gettext(locale, ACTION_STATUS_LABELS[ActionStatus(a.status)]),
            due=a.due_date,
            overdue=action_standing(a, today) == TargetStatus.OFF_TRACK,
        )
        for a in actions
    ]


def _summary(locale: str, statuses: list[TargetStatus]) -> str:
    if not statuses:
        return gettext(locale, "none yet")
    parts = [
        f"{statuses.count(s)} {status_label(locale, s).lower()}"
        for s in (
            TargetStatus.ON_TRACK,
            TargetStatus.AT_RISK,
            TargetStatus.OFF_TRACK,
            TargetStatus.UNKNOWN,
        )
        if statuses.count(s)
    ]
    return ", ".join(parts)


def picture(locale: str, pyramid: Pyramid, status: ProgrammeStatus, today: date) -> list[Band]:
    """The pyramid's five bands, top (elements) to bottom (actions), with one dot per
    item coloured by its standing."""
    nodes = pyramid.nodes()
    top_ids = {n.element.id for n in pyramid.elements}
    items: list[list[tuple[str, TargetStatus]]] = [
        [
            (pick(locale, n.element.name_fi, n.element.name_en), status.elements[n.element.id])
            for n in nodes
            if n.element.id in top_ids
        ],
        [
            (pick(locale, n.element.name_fi, n.element.name_en), status.elements[n.element.id])
            for n in nodes
            if n.element.id not in top_ids
        ],
        [
            (
                pick(locale, s.standard.title_fi, s.standard.title_en),
                status.standards[s.standard.id],
            )
            for s in pyramid.standards()
        ],
        [
            (pick(locale, m.name_fi, m.name_en), status.measures[m.id].status)
            for m in pyramid.measures()
        ],
        [
            (f"#{a.number} {a.title}", action_standing(a, today))
            for a in pyramid.actions
            if a.status != ActionStatus.CANCELLED
        ],
    ]
    bands: list[Band] = []
    height = BAND_HEIGHT * len(BANDS)
    for i, (title, members) in enumerate(zip(BANDS, items, strict=True)):
        top, bottom = i * BAND_HEIGHT, (i + 1) * BAND_HEIGHT
        half_top = 60 + (WIDTH / 2 - 60) * top / height
        half_bottom = 60 + (WIDTH / 2 - 60) * bottom / height
        mid = WIDTH / 2
        points = (
            f"{mid - half_top:.0f},{top + 2} {mid + half_top:.0f},{top + 2} "
            f"{mid + half_bottom:.0f},{bottom - 2} {mid - half_bottom:.0f},{bottom - 2}"
        )
        usable = 2 * half_top - 40
        per_row = max(1, int(usable // 18))
        dots = []
        for j, (label, standing) in enumerate(members[: per_row * 2]):
            row, col = divmod(j, per_row)
            count = min(per_row, len(members) - row * per_row)
            x = mid - (count - 1) * 9 + col * 18
            dots.append(Dot(label, standing.value, x, top + 52 + row * 16))
        statuses = [standing for _, standing in members]
        bands.append(
            Band(
                title=gettext(locale, title),
                summary=_summary(locale, statuses),
                dots=dots,
                points=points,
                label_y=top + 30,
            )
        )
    return bands


def overall(status: ProgrammeStatus) -> TargetStatus:
    return worst(list(status.elements.values()))
