"""A small world for the case core tests: an organisation with a team, touchpoints, a
customer with an address, a case handler, and cases put in any workflow state."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from kohtaamo.accounts import service as accounts
from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import Organisation
from kohtaamo.accounts.permissions import Role
from kohtaamo.cases import service
from kohtaamo.cases.models import Case, CaseEvent
from kohtaamo.cases.schemas import MoveIn
from kohtaamo.cases.workflow import State
from kohtaamo.journeys.models import Customer
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from tests.factories import Factory
from tests.journeys.helpers import Catalogue, seed


@dataclass
class World:
    cat: Catalogue
    handler: Actor
    customer_id: uuid.UUID

    @property
    def org(self) -> Organisation:
        return self.cat.org


def add_customer(
    db: Database,
    org: Organisation,
    external_id: str,
    *,
    email: str | None = "asiakas@example.fi",
    locale: str | None = None,
    consents: dict[str, bool] | None = None,
) -> uuid.UUID:
    with db.transaction(org.id) as session:
        customer = Customer(
            organisation_id=org.id,
            external_id=external_id,
            email=email,
            locale=locale,
            consents=consents or {},
        )
        session.add(customer)
        session.flush()
        return customer.id


def member(db: Database, org: Organisation, role: Role = Role.CASE_HANDLER) -> Actor:
    """A member without a password (hashing one costs ~0.2 s; these tests never sign in)."""
    with db.transaction(ALL_TENANTS) as session:
        user = accounts.do_create_user(
            session,
            email=f"{uuid.uuid4().hex[:12]}@example.test",
            name="Käsittelijä",
            password=None,
        )
    with db.transaction(org.id) as session:
        accounts.do_add_member(session, user=user, role=role)
    return Actor(organisation_id=org.id, user_id=user.id, role=role)


def make_world(db: Database, factory: Factory) -> World:
    org = factory.organisation()
    cat = seed(db, org)
    customer_id = add_customer(db, org, "c-1")
    return World(cat, member(db, org), customer_id)


def open_one(
    db: Database, w: World, *, topic: str = "experience", customer_id: uuid.UUID | None = None
) -> uuid.UUID:
    with db.transaction(w.org.id) as session:
        case, created = service.open_case(
            session,
            source="manual",
            topic=topic,
            title="Toimitus myöhässä",
            customer_id=customer_id or w.customer_id,
            touchpoint_id=w.cat.touchpoints["checkout"],
            actor=w.handler,
        )
        assert created
        return case.id


def put_in_state(db: Database, w: World, case_id: uuid.UUID, state: State) -> None:
    """A test shortcut past the steps before ``state`` (what those steps would record)."""
    with db.transaction(w.org.id) as session:
        case = session.scalar(select(Case).where(Case.id == case_id))
        assert case is not None
        case.state = state.value
        if state not in (State.NEW, State.NO_CONTACT):
            case.acknowledged_at = utcnow()
        if state in (State.RESOLVED, State.FOLLOW_UP, State.CLOSED):
            case.root_cause_theme = "delivery"
            case.resolved_at = utcnow()
        if state == State.CLOSED:
            case.closed_at = utcnow()
            case.open_key = None


def full_input() -> MoveIn:
    """Everything any step may require."""
    return MoveIn(
        message_subject="Kiitos palautteestasi",
        message_body="Hei, pahoittelemme. Korjaamme asian.",
        what_went_wrong="Paketti lähti väärään osoitteeseen.",
        plan_action="Lähetämme uuden paketin pikana.",
        plan_due=date.today() + timedelta(days=3),
        action_note="Uusi paketti lähetetty.",
        root_cause_theme="delivery",
        root_cause_note="Osoitekenttä katkaisi kadun nimen.",
        reason="Asiakas ei vastaa.",
    )


def case_of(db: Database, w: World, case_id: uuid.UUID) -> Case:
    with db.transaction(w.org.id, readonly=True) as session:
        found = session.scalar(select(Case).where(Case.id == case_id))
        assert found is not None
        return found


def events_of(db: Database, w: World, case_id: uuid.UUID) -> list[CaseEvent]:
    with db.transaction(w.org.id, readonly=True) as session:
        return service.timeline(session, case_id)
