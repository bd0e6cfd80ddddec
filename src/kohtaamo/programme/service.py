"""Use cases of the pyramid: create and change elements, standards, measures and
actions. Every rule is checked before the first write, so a refused request leaves
nothing half-saved; references to other rows are looked up in the session's
organisation only, so another organisation's ids read as unknown."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import Membership
from kohtaamo.analytics.catalogue import metric as catalogue_metric
from kohtaamo.cases.models import Case
from kohtaamo.errors import FieldProblem, InvalidInput, NotFound
from kohtaamo.journeys.models import Journey, Team, Touchpoint
from kohtaamo.kit.clock import utcnow
from kohtaamo.programme.models import (
    Action,
    ActionCase,
    ActionMeasure,
    Element,
    Measure,
    Standard,
    StandardTouchpoint,
)
from kohtaamo.programme.schemas import ActionIn, ElementIn, MeasureIn, StandardIn
from kohtaamo.programme.vocab import ActionStatus, Direction


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "item"


def _free_key(session: Session, model: type[Element | Standard | Measure], name: str) -> str:
    taken = set(session.scalars(select(model.key)))
    base = key = _slug(name)
    n = 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def _check_key(
    session: Session, model: type[Element | Standard | Measure], key: str, own_id: uuid.UUID | None
) -> None:
    found = session.scalar(select(model.id).where(model.key == key))
    if found is not None and found != own_id:
        raise InvalidInput("The key %(key)s is in use already.", field="key", key=key)


# --- elements -------------------------------------------------------------------------


def get_element(session: Session, element_id: uuid.UUID) -> Element:
    found = session.get(Element, element_id)
    if found is None:
        raise NotFound()
    return found


def _check_parent(
    session: Session, element_id: uuid.UUID | None, parent_id: uuid.UUID | None
) -> None:
    """A parent must exist and must not be the element or one of its descendants."""
    if parent_id is None:
        return
    parents = dict(session.execute(select(Element.id, Element.parent_id)).tuples().all())
    if parent_id not in parents:
        raise InvalidInput("There is no such element.", field="parent_id")
    at: uuid.UUID | None = parent_id
    seen: set[uuid.UUID] = set()
    while at is not None and at not in seen:
        if at == element_id:
            raise InvalidInput(
                "An element cannot sit under itself or under one of its own sub-elements.",
                field="parent_id",
            )
        seen.add(at)
        at = parents.get(at)


def create_element(session: Session, data: ElementIn, actor: Actor) -> Element:
    actor.require("programme.edit")
    _check_parent(session, None, data.parent_id)
    key = data.key or _free_key(session, Element, data.name_en)
    _check_key(session, Element, key, None)
    element = Element(key=key, **data.model_dump(exclude={"key"}))
    session.add(element)
    session.flush()
    return element


def update_element(
    session: Session, element_id: uuid.UUID, data: ElementIn, actor: Actor
) -> Element:
    actor.require("programme.edit")
    element = get_element(session, element_id)
    _check_parent(session, element.id, data.parent_id)
    key = data.key or element.key
    _check_key(session, Element, key, element.id)
    for name, value in data.model_dump(exclude={"key"}).items():
        setattr(element, name, value)
    element.key = key
    session.flush()
    return element


def delete_element(session: Session, element_id: uuid.UUID, actor: Actor) -> None:
    """Delete an element with its sub-elements, standards and measures (cascades)."""
    actor.require("programme.edit")
    session.delete(get_element(session, element_id))
    session.flush()


# --- standards ------------------------------------------------------------------------


def get_standard(session: Session, standard_id: uuid.UUID) -> Standard:
    found = session.get(Standard, standard_id)
    if found is None:
        raise NotFound()
    return found


def _check_touchpoints(session: Session, ids: Sequence[uuid.UUID]) -> None:
    known = (
        set(session.scalars(select(Touchpoint.id).where(Touchpoint.id.in_(ids)))) if ids else set()
    )
    problems = [
        FieldProblem(f"touchpoint_ids.{i}", "There is no such touchpoint.", {})
        for i, tp in enumerate(ids)
        if tp not in known
    ]
    if problems:
        raise InvalidInput("There is no such touchpoint.", problems=problems)


def _check_standard(session: Session, data: StandardIn) -> None:
    if session.get(Element, data.element_id) is None:
        raise InvalidInput("There is no such element.", field="element_id")
    if data.team_id is not None and session.get(Team, data.team_id) is None:
        raise InvalidInput("There is no such team.", field="team_id")
    _check_touchpoints(session, data.touchpoint_ids)


def _set_touchpoints(session: Session, standard: Standard, ids: Sequence[uuid.UUID]) -> None:
    session.execute(delete(StandardTouchpoint).where(StandardTouchpoint.standard_id == standard.id))
    session.add_all(
        StandardTouchpoint(standard_id=standard.id, touchpoint_id=tp) for tp in dict.fromkeys(ids)
    )


def create_standard(session: Session, data: StandardIn, actor: Actor) -> Standard:
    actor.require("programme.edit")
    _check_standard(session, data)
    key = data.key or _free_key(session, Standard, data.title_en)
    _check_key(session, Standard, key, None)
    standard = Standard(key=key, **data.model_dump(exclude={"key", "touchpoint_ids"}))
    session.add(standard)
    session.flush()
    _set_touchpoints(session, standard, data.touchpoint_ids)
    session.flush()
    return standard


def update_standard(
    session: Session, standard_id: uuid.UUID, data: StandardIn, actor: Actor
) -> Standard:
    actor.require("programme.edit")
    standard = get_standard(session, standard_id)
    _check_standard(session, data)
    key = data.key or standard.key
    _check_key(session, Standard, key, standard.id)
    for name, value in data.model_dump(exclude={"key", "touchpoint_ids"}).items():
        setattr(standard, name, value)
    standard.key = key
    _set_touchpoints(session, standard, data.touchpoint_ids)
    session.flush()
    return standard


def standard_touchpoints(session: Session, standard_id: uuid.UUID) -> list[uuid.UUID]:
    query = select(StandardTouchpoint.touchpoint_id).where(
        StandardTouchpoint.standard_id == standard_id
    )
    return list(session.scalars(query))


# --- measures -------------------------------------------------------------------------


def get_measure(session: Session, measure_id: uuid.UUID) -> Measure:
    found = session.get(Measure, measure_id)
    if found is None:
        raise NotFound()
    return found


def _measure_values(session: Session, data: MeasureIn) -> dict[str, object]:
    """The row's values, every rule checked: the metric exists, the scope exists, the
    target and tolerance are within the metric's range."""
    element_id = data.element_id
    if data.standard_id is not None:
        standard = session.get(Standard, data.standard_id)
        if standard is None:
            raise InvalidInput("There is no such standard.", field="standard_id")
        element_id = standard.element_id
    if element_id is None:
        raise InvalidInput("Choose the element or the standard this measures.", field="element_id")
    if session.get(Element, element_id) is None:
        raise InvalidInput("There is no such element.", field="element_id")
    try:
        found = catalogue_metric(data.metric)
    except InvalidInput:
        raise InvalidInput("Unknown metric %(value)s.", field="metric", value=data.metric) from None
    found.check_target(data.target)
    if data.tolerance > found.high - found.low:
        raise InvalidInput(
            "The tolerance is wider than the metric's whole range.", field="tolerance"
        )
    if data.touchpoint_id is not None and session.get(Touchpoint, data.touchpoint_id) is None:
        raise InvalidInput("There is no such touchpoint.", field="touchpoint_id")
    if data.journey_id is not None and session.get(Journey, data.journey_id) is None:
        raise InvalidInput("There is no such journey.", field="journey_id")
    direction = data.direction or (
        Direction.AT_LEAST if found.higher_is_better else Direction.AT_MOST
    )
    values = data.model_dump(exclude={"key", "direction", "element_id", "segment"})
    values |= {
        "element_id": element_id,
        "direction": str(direction),
        "segment": data.segment or None,
    }
    return values


def create_measure(session: Session, data: MeasureIn, actor: Actor) -> Measure:
    actor.require("programme.edit")
    values = _measure_values(session, data)
    key = data.key or _free_key(session, Measure, data.name_en)
    _check_key(session, Measure, key, None)
    measure = Measure(key=key, **values)
    session.add(measure)
    session.flush()
    return measure


def update_measure(
    session: Session, measure_id: uuid.UUID, data: MeasureIn, actor: Actor
) -> Measure:
    actor.require("programme.edit")
    measure = get_measure(session, measure_id)
    values = _measure_values(session, data)
    key = data.key or measure.key
    _check_key(session, Measure, key, measure.id)
    for name, value in values.items():
        setattr(measure, name, value)
    measure.key = key
    session.flush()
    return measure


# --- actions --------------------------------------------------------------------------


def get_action(session: Session, action_id: uuid.UUID) -> Action:
    found = session.get(Action, action_id)
    if found is None:
        raise NotFound()
    return found


def _check_action(session: Session, data: ActionIn) -> None:
    if data.element_id is not None and session.get(Element, data.element_id) is None:
        raise InvalidInput("There is no such element.", field="element_id")
    if data.standard_id is not None and session.get(Standard, data.standard_id) is None:
        raise InvalidInput("There is no such standard.", field="standard_id")
    if data.team_id is not None and session.get(Team, data.team_id) is None:
        raise InvalidInput("There is no such team.", field="team_id")
    if data.owner_id is not None:
        member = session.scalar(
            select(Membership.id).where(
                Membership.user_id == data.owner_id, Membership.is_active.is_(True)
            )
        )
        if member is None:
            raise InvalidInput("The owner must be a member of the organisation.", field="owner_id")
    for field, model, ids in (
        ("measure_ids", Measure, data.measure_ids),
        ("case_ids", Case, data.case_ids),
    ):
        known = set(session.scalars(select(model.id).where(model.id.in_(ids)))) if ids else set()
        problems = [
            FieldProblem(f"{field}.{i}", "There is no such item.", {})
            for i, value in enumerate(ids)
            if value not in known
        ]
        if problems:
            raise InvalidInput("There is no such item.", problems=problems)


def _link(session: Session, action: Action, data: ActionIn) -> None:
    session.execute(delete(ActionMeasure).where(ActionMeasure.action_id == action.id))
    session.execute(delete(ActionCase).where(ActionCase.action_id == action.id))
    session.add_all(
        ActionMeasure(action_id=action.id, measure_id=m) for m in dict.fromkeys(data.measure_ids)
    )
    session.add_all(
        ActionCase(action_id=action.id, case_id=c) for c in dict.fromkeys(data.case_ids)
    )


def create_action(
    session: Session,
    data: ActionIn,
    actor: Actor,
    *,
    observation_id: uuid.UUID | None = None,
    walkthrough_check_id: uuid.UUID | None = None,
    today: date | None = None,
) -> Action:
    actor.require("programme.edit")
    today = today or utcnow().date()
    if data.due_date is not None and data.due_date < today:
        raise InvalidInput("The due date is in the past.", field="due_date")
    _check_action(session, data)
    number = int(session.scalar(select(func.max(Action.number))) or 0) + 1
    action = Action(
        number=number,
        observation_id=observation_id,
        walkthrough_check_id=walkthrough_check_id,
        **data.model_dump(exclude={"measure_ids", "case_ids"}),
    )
    session.add(action)
    session.flush()
    _link(session, action, data)
    session.flush()
    return action


def update_action(session: Session, action_id: uuid.UUID, data: ActionIn, actor: Actor) -> Action:
    """Change an action; a due date already past may stay (it is overdue, not new)."""
    actor.require("programme.edit")
    action = get_action(session, action_id)
    if (
        data.due_date is not None
        and data.due_date != action.due_date
        and data.due_date < utcnow().date()
    ):
        raise InvalidInput("The due date is in the past.", field="due_date")
    _check_action(session, data)
    for name, value in data.model_dump(exclude={"measure_ids", "case_ids"}).items():
        setattr(action, name, value)
    _link(session, action, data)
    session.flush()
    return action


def set_action_status(
    session: Session, action_id: uuid.UUID, status: ActionStatus, actor: Actor
) -> Action:
    """Move an action; the day it started and the day it was done are kept for the
    before/after comparison of its measures."""
    actor.require("programme.edit")
    action = get_action(session, action_id)
    today = utcnow().date()
    if status == ActionStatus.IN_PROGRESS and action.started_on is None:
        action.started_on = today
    if status == ActionStatus.DONE:
        action.started_on = action.started_on or today
        action.done_on = today
    elif action.done_on is not None:
        action.done_on = None  # reopened
    action.status = str(status)
    session.flush()
    return action


def action_links(session: Session, action_id: uuid.UUID) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    measures = session.scalars(
        select(ActionMeasure.measure_id).where(ActionMeasure.action_id == action_id)
    )
    cases = session.scalars(select(ActionCase.case_id).where(ActionCase.action_id == action_id))
    return list(measures), list(cases)
