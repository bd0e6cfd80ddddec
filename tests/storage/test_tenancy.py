"""The one access function: every ORM query of tenant data is scoped to the session's tenant.

Two organisations each have a member (the same person in both) and an API key with the
same name. Each test reads or writes through a session of one tenant and checks, with
Core queries that bypass the ORM hook, what really happened in the database.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload

from kohtaamo.accounts import service
from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import ApiKey, Membership, Organisation, User
from kohtaamo.accounts.permissions import Role, Scope
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS, TenancyViolation, require_tenant


@dataclass
class Pair:
    a: Organisation
    b: Organisation
    person: User  # member of both
    key_a: uuid.UUID
    key_b: uuid.UUID
    member_b: uuid.UUID


@pytest.fixture
def pair(db: Database) -> Pair:
    with db.transaction(ALL_TENANTS) as session:
        a = service.do_create_organisation(session, name="Sama", slug="sama-a")
        b = service.do_create_organisation(session, name="Sama", slug="sama-b")
        person = service.do_create_user(session, email="p@example.test", name="P", password=None)
    keys, members = [], []
    for org in (a, b):
        with db.transaction(org.id) as session:
            members.append(service.do_add_member(session, user=person, role=Role.OWNER).id)
            key, _ = service.do_create_api_key(
                session, Actor(org.id, role=Role.OWNER), name="Sama avain", scopes=[Scope.READ]
            )
            keys.append(key.id)
    return Pair(a, b, person, keys[0], keys[1], members[1])


def key_names(db: Database) -> dict[uuid.UUID, str]:
    """The truth, read with Core: no tenancy filter applies."""
    with db.engine.connect() as conn:
        rows = conn.execute(select(ApiKey.__table__.c.id, ApiKey.__table__.c.name)).all()
    return {row.id: row.name for row in rows}


# --- a session without a tenant fails closed ---------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        select(ApiKey),
        select(func.count()).select_from(Membership),
        select(User.email).join(Membership, Membership.user_id == User.id),
        update(ApiKey).values(name="x"),
        delete(ApiKey),
    ],
    ids=["select", "count", "join", "update", "delete"],
)
def test_no_tenant_refuses_tenant_data(db: Database, pair: Pair, statement: object) -> None:
    with pytest.raises(TenancyViolation), db.transaction(None) as session:
        session.execute(statement)  # type: ignore[call-overload]


def test_no_tenant_refuses_get_and_writes(db: Database, pair: Pair) -> None:
    with pytest.raises(TenancyViolation), db.transaction(None) as session:
        session.get(ApiKey, pair.key_a)
    with pytest.raises(TenancyViolation), db.transaction(None) as session:
        session.add(
            ApiKey(name="x", prefix="p1", secret_hash="h", scopes=[], organisation_id=pair.a.id)
        )
    with db.transaction(None) as session, pytest.raises(TenancyViolation):
        require_tenant(session)


def test_no_tenant_still_reads_non_tenant_tables(db: Database, pair: Pair) -> None:
    with db.transaction(None) as session:
        assert session.scalar(select(User).where(User.id == pair.person.id)) is not None


# --- a tenant session sees and changes only its own rows ---------------------------


def test_select_and_get_see_only_own_rows(db: Database, pair: Pair) -> None:
    with db.transaction(pair.a.id) as session:
        assert set(session.scalars(select(ApiKey.id))) == {pair.key_a}
        assert session.get(ApiKey, pair.key_b) is None
        assert session.get(ApiKey, pair.key_a) is not None
        assert session.get(Membership, pair.member_b) is None
        # Natural keys overlap: a lookup by name must still find only A's key.
        assert [
            k.id for k in session.scalars(select(ApiKey).where(ApiKey.name == "Sama avain"))
        ] == [pair.key_a]


def test_aggregates_joins_and_subqueries_are_scoped(db: Database, pair: Pair) -> None:
    with db.transaction(pair.a.id) as session:
        assert session.scalar(select(func.count()).select_from(Membership)) == 1
        assert session.scalar(select(func.count(ApiKey.id))) == 1
        joined = session.scalars(select(Membership.id).join(User, User.id == Membership.user_id))
        assert list(joined) != [pair.member_b]
        emails = session.scalars(select(User.email).join(Membership, Membership.user_id == User.id))
        assert len(list(emails)) == 1
        in_b = (
            select(Membership.id)
            .where(Membership.user_id == User.id, Membership.organisation_id == pair.b.id)
            .exists()
        )
        assert session.scalar(select(func.count()).select_from(User).where(in_b)) == 0


def test_relationship_loads_are_scoped(db: Database, pair: Pair) -> None:
    with db.transaction(pair.a.id) as session:
        user = session.get(User, pair.person.id)
        assert user is not None
        assert {m.organisation_id for m in user.memberships} == {pair.a.id}
    with db.transaction(pair.a.id) as session:
        stmt = select(User).options(selectinload(User.memberships)).where(User.id == pair.person.id)
        loaded = session.scalar(stmt)
        assert loaded is not None
        assert {m.organisation_id for m in loaded.memberships} == {pair.a.id}


def test_bulk_update_touches_only_own_rows(db: Database, pair: Pair) -> None:
    with db.transaction(pair.a.id) as session:
        session.execute(update(ApiKey).values(name="renamed"))
        session.execute(update(ApiKey).where(ApiKey.id == pair.key_b).values(name="stolen"))
    assert key_names(db) == {pair.key_a: "renamed", pair.key_b: "Sama avain"}


def test_bulk_delete_touches_only_own_rows(db: Database, pair: Pair) -> None:
    with db.transaction(pair.a.id) as session:
        session.execute(delete(ApiKey).where(ApiKey.id.in_([pair.key_a, pair.key_b])))
    assert key_names(db) == {pair.key_b: "Sama avain"}


def test_writing_a_row_of_another_tenant_raises(db: Database, pair: Pair) -> None:
    with pytest.raises(TenancyViolation), db.transaction(pair.a.id) as session:
        session.add(
            ApiKey(name="x", prefix="p2", secret_hash="h", scopes=[], organisation_id=pair.b.id)
        )
    with pytest.raises(TenancyViolation), db.transaction(pair.a.id) as session:
        own = session.get(ApiKey, pair.key_a)
        assert own is not None
        own.organisation_id = pair.b.id  # moving a row to another tenant
    assert key_names(db) == {pair.key_a: "Sama avain", pair.key_b: "Sama avain"}


def test_new_rows_default_to_the_session_tenant(db: Database, pair: Pair) -> None:
    with db.transaction(pair.a.id) as session:
        key = ApiKey(name="x", prefix="p3", secret_hash="h", scopes=[])
        session.add(key)
        session.flush()
        assert key.organisation_id == pair.a.id


def test_all_tenants_sees_everything(db: Database, pair: Pair) -> None:
    with db.transaction(ALL_TENANTS) as session:
        assert set(session.scalars(select(ApiKey.id))) == {pair.key_a, pair.key_b}
        assert session.scalar(select(func.count()).select_from(Membership)) == 2
    with db.transaction(pair.a.id) as session:
        stmt = select(ApiKey.id).execution_options(all_tenants="test: explicit bypass")
        assert set(session.scalars(stmt)) == {pair.key_a, pair.key_b}
