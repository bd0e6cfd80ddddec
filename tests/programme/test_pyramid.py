"""The pyramid's rules: each bad input in the issue gets its message and leaves nothing
half-saved; another organisation's ids read as unknown."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.permissions import Role
from kohtaamo.errors import InvalidInput, NotFound, PermissionDenied
from kohtaamo.programme import service
from kohtaamo.programme.models import Action, Element, Measure, Standard, StandardTouchpoint
from kohtaamo.programme.schemas import ActionIn, ElementIn, MeasureIn, StandardIn
from kohtaamo.programme.vocab import ActionStatus
from kohtaamo.storage.db import Database
from tests.factories import Factory
from tests.journeys.helpers import Catalogue, seed
from tests.programme.helpers import Built, build, editor

World = tuple[Catalogue, Built]


@pytest.fixture
def world(db: Database, factory: Factory) -> World:
    cat = seed(db, factory.organisation())
    return cat, build(db, cat)


def _count(db: Database, org_id: uuid.UUID, model: type) -> int:
    with db.transaction(org_id, readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _refused(
    db: Database, org_id: uuid.UUID, work: Callable[[Session], object], field: str
) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught, db.transaction(org_id) as session:
        work(session)
    assert field in {p.field.split(".")[0] for p in caught.value.problems}, caught.value.problems
    return caught.value


def test_measures_refuse_unknown_metrics_scopes_and_impossible_targets(
    db: Database, world: World
) -> None:
    cat, built = world
    actor, org = editor(cat.org), cat.org.id
    before = _count(db, org, Measure)

    def measure(**kw: object) -> Callable[[Session], object]:
        data = MeasureIn.model_validate(
            {
                "name_fi": "M",
                "name_en": "M",
                "element_id": built.trustworthy,
                "metric": "nps",
                "target": 10,
            }
            | kw
        )
        return lambda session: service.create_measure(session, data, actor)

    _refused(db, org, measure(metric="happiness"), "metric")
    _refused(db, org, measure(target=150), "target")  # NPS lives in -100..100
    _refused(db, org, measure(metric="exceeded_share", target=-5), "target")
    _refused(db, org, measure(touchpoint_id=uuid.uuid4()), "touchpoint_id")
    _refused(db, org, measure(journey_id=uuid.uuid4()), "journey_id")
    _refused(db, org, measure(tolerance=500), "tolerance")
    _refused(db, org, measure(element_id=None), "element_id")
    assert _count(db, org, Measure) == before


def test_elements_never_form_a_circle(db: Database, world: World) -> None:
    cat, built = world
    actor, org = editor(cat.org), cat.org.id
    for parent in (built.effortless, built.no_repeat):  # itself, or its own sub-element
        data = ElementIn(name_fi="Vaivaton", name_en="Effortless", parent_id=parent)

        def move(session: Session, data: ElementIn = data) -> object:
            return service.update_element(session, built.effortless, data, actor)

        error = _refused(db, org, move, "parent_id")
        assert "sub-elements" in error.message
    with db.transaction(org, readonly=True) as session:
        assert session.get(Element, built.effortless).parent_id is None  # type: ignore[union-attr]
    moved = ElementIn(name_fi="T", name_en="Trustworthy", parent_id=built.no_repeat)
    with db.transaction(org) as session:  # a legal move deeper is fine
        assert (
            service.update_element(session, built.trustworthy, moved, actor).parent_id
            == built.no_repeat
        )


def test_a_standard_with_one_unknown_touchpoint_saves_nothing(db: Database, world: World) -> None:
    cat, built = world
    actor, org = editor(cat.org), cat.org.id
    standards, links = _count(db, org, Standard), _count(db, org, StandardTouchpoint)
    data = StandardIn(
        element_id=built.effortless,
        title_fi="S",
        title_en="S",
        touchpoint_ids=[cat.touchpoints["checkout"], uuid.uuid4()],
    )
    error = _refused(db, org, lambda s: service.create_standard(s, data, actor), "touchpoint_ids")
    assert [p.field for p in error.problems] == ["touchpoint_ids.1"]
    assert (_count(db, org, Standard), _count(db, org, StandardTouchpoint)) == (standards, links)


def test_actions_refuse_a_past_due_date_on_creation_and_number_in_order(
    db: Database, world: World
) -> None:
    cat, built = world
    actor, org = editor(cat.org), cat.org.id
    today = date(2026, 11, 23)
    past = ActionIn(title="Late", due_date=today - timedelta(days=1))
    _refused(db, org, lambda s: service.create_action(s, past, actor, today=today), "due_date")
    _refused(
        db,
        org,
        lambda s: service.create_action(s, ActionIn(title="X", measure_ids=[uuid.uuid4()]), actor),
        "measure_ids",
    )
    _refused(
        db,
        org,
        lambda s: service.create_action(s, ActionIn(title="X", owner_id=uuid.uuid4()), actor),
        "owner_id",
    )
    assert _count(db, org, Action) == 0
    data = ActionIn(
        title="Kassan lomake lyhyemmäksi",
        due_date=today + timedelta(days=30),
        measure_ids=[built.measures["exceeded"]],
    )
    with db.transaction(org) as session:
        first = service.create_action(session, data, actor, today=today)
        second = service.create_action(session, ActionIn(title="Toinen"), actor, today=today)
        assert (first.number, second.number) == (1, 2)
        assert service.action_links(session, first.id)[0] == [built.measures["exceeded"]]
        service.set_action_status(session, first.id, ActionStatus.IN_PROGRESS, actor)
        done = service.set_action_status(session, first.id, ActionStatus.DONE, actor)
        assert done.started_on is not None and done.done_on is not None
        reopened = service.set_action_status(session, first.id, ActionStatus.IN_PROGRESS, actor)
        assert reopened.done_on is None and reopened.started_on is not None


def test_another_organisations_ids_are_unknown(
    db: Database, factory: Factory, world: World
) -> None:
    cat, built = world
    other = seed(db, factory.organisation())
    theirs = build(db, other)
    actor = editor(cat.org)
    data = StandardIn(element_id=theirs.effortless, title_fi="S", title_en="S")
    _refused(db, cat.org.id, lambda s: service.create_standard(s, data, actor), "element_id")
    on_theirs = MeasureIn(
        name_fi="M",
        name_en="M",
        element_id=built.trustworthy,
        metric="nps",
        target=0,
        touchpoint_id=other.touchpoints["checkout"],
    )
    _refused(db, cat.org.id, lambda s: service.create_measure(s, on_theirs, actor), "touchpoint_id")
    with pytest.raises(NotFound), db.transaction(cat.org.id) as session:
        service.get_element(session, theirs.effortless)


def test_only_editors_change_the_pyramid(db: Database, world: World) -> None:
    cat, _ = world
    viewer = Actor(organisation_id=cat.org.id, role=Role.VIEWER)
    with pytest.raises(PermissionDenied), db.transaction(cat.org.id) as session:
        service.create_element(session, ElementIn(name_fi="X", name_en="X"), viewer)
