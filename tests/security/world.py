"""Two organisations with overlapping natural keys, credentials for them, and a DB diff.

The world is deliberately confusing: both organisations have the same display name, an
API key with the same name, members with the same names, and one person (same e-mail,
one user row) who belongs to both with different roles. Code that looks things up by a
natural key instead of by id within the caller's tenant trips over it.
"""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from kohtaamo.accounts import service
from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import Membership, Organisation, User, WebSession
from kohtaamo.accounts.permissions import Role, Scope
from kohtaamo.kit.clock import utcnow
from kohtaamo.kit.ids import token
from kohtaamo.models import Base
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from kohtaamo.web.security import CSRF_HEADER, SESSION_COOKIE, csrf_token_for
from tests.conftest import TEST_SECRET

_seq = itertools.count(1)
SAME_NAME = "Sama Oy"
SHARED_EMAIL = "yhteinen@example.test"
BOOKKEEPING = frozenset({"last_used_at", "last_seen_at", "updated_at"})


@dataclass
class Tenant:
    """One organisation and what the tests need of it."""

    org: Organisation
    owner: User
    key: str  # plaintext of a read+write API key
    people: dict[Role, User] = field(default_factory=dict)

    @property
    def id(self) -> uuid.UUID:
        return self.org.id


@dataclass
class World:
    db: Database
    a: Tenant
    b: Tenant
    shared: User  # a member of both: viewer in A, admin in B
    client: TestClient | None = None  # set by the fixture; makers create objects through the API

    def api(self, tenant: Tenant, method: str, path: str, body: Any = None) -> Any:
        """Create or change an object of ``tenant`` through the API, as a client would."""
        assert self.client is not None, "the world has no client"
        response = self.client.request(
            method,
            path,
            json=body,
            headers={"authorization": f"Bearer {tenant.key}"},
            cookies={},
        )
        assert response.status_code < 300, (method, path, response.text[:300])
        return response.json() if response.content else None

    def make_user(self, name: str = "Maija Meikäläinen") -> User:
        """A user without a usable password (hashing costs ~0.2 s; tests sign in directly)."""
        with self.db.transaction(ALL_TENANTS) as session:
            return service.do_create_user(
                session, email=f"person{next(_seq)}@example.test", name=name, password=None
            )

    def add_member(self, tenant: Tenant, role: Role, user: User | None = None) -> Membership:
        user = user or self.make_user()
        with self.db.transaction(tenant.id) as session:
            return service.do_add_member(session, user=user, role=role)

    def person(self, tenant: Tenant, role: Role) -> User:
        """A member of ``tenant`` with ``role`` (created once per world)."""
        if role not in tenant.people:
            user = self.make_user()
            self.add_member(tenant, role, user)
            tenant.people[role] = user
        return tenant.people[role]

    def api_key(self, tenant: Tenant, scopes: list[Scope], name: str = "Integraatio") -> str:
        operator = Actor(organisation_id=tenant.id, role=Role.OWNER)
        with self.db.transaction(tenant.id) as session:
            _, plaintext = service.do_create_api_key(session, operator, name=name, scopes=scopes)
        return plaintext


def build_world(db: Database) -> World:
    n = next(_seq)
    tenants = []
    for letter in ("a", "b"):
        with db.transaction(ALL_TENANTS) as session:
            org = service.do_create_organisation(session, name=SAME_NAME, slug=f"sama-{letter}{n}")
            owner = service.do_create_user(
                session,
                email=f"owner-{letter}{n}@example.test",
                name="Omistaja",
                password=None,
            )
        tenant = Tenant(org=org, owner=owner, key="")
        tenants.append(tenant)
    with db.transaction(ALL_TENANTS) as session:
        shared = service.do_create_user(
            session, email=f"{n}-{SHARED_EMAIL}", name="Yhteinen", password=None
        )
    world = World(db=db, a=tenants[0], b=tenants[1], shared=shared)
    for tenant, shared_role in ((world.a, Role.VIEWER), (world.b, Role.ADMIN)):
        world.add_member(tenant, Role.OWNER, tenant.owner)
        world.add_member(tenant, shared_role, shared)
        tenant.people[Role.OWNER] = tenant.owner
        tenant.key = world.api_key(tenant, [Scope.READ, Scope.WRITE])
    return world


# --- credentials -------------------------------------------------------------------


def open_session(db: Database, user: User, org: Organisation | None) -> str:
    """A signed-in browser session for ``user`` acting in ``org``, without the login form."""
    cookie = token(32)
    now = utcnow()
    with db.transaction(ALL_TENANTS) as session:
        session.add(
            WebSession(
                token_hash=service.sha256(cookie),
                user_id=user.id,
                organisation_id=org.id if org else None,
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(hours=1),
            )
        )
    return cookie


def as_browser(client: TestClient, cookie: str) -> dict[str, str]:
    """Put the session cookie on the client; return headers with the page's CSRF token."""
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)
    return {CSRF_HEADER: csrf_token_for(TEST_SECRET, cookie)}


def as_machine(client: TestClient, key: str) -> dict[str, str]:
    client.cookies.clear()
    return {"authorization": f"Bearer {key}"}


# --- the DB diff -------------------------------------------------------------------


def snapshot(db: Database, organisation_id: uuid.UUID) -> dict[str, list[tuple[Any, ...]]]:
    """Every row that belongs to one organisation, read with Core (no tenancy filter).

    Covers every table with an ``organisation_id`` column (so tables added by later
    issues are included without editing this), the organisation row itself, and the
    users who are its members.
    """
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if "organisation_id" in table.c:
                stmt = select(table).where(table.c.organisation_id == organisation_id)
            elif table.name == Organisation.__tablename__:
                stmt = select(table).where(table.c.id == organisation_id)
            elif table.name == User.__tablename__:
                members = select(Membership.__table__.c.user_id).where(
                    Membership.__table__.c.organisation_id == organisation_id
                )
                stmt = select(table).where(table.c.id.in_(members))
            else:
                continue
            # Bookkeeping of who used a credential when is not a change of the data.
            stmt = stmt.with_only_columns(
                *(c for c in table.c if c.name not in BOOKKEEPING), maintain_column_froms=True
            )
            rows = conn.execute(stmt).all()
            out[table.name] = sorted((tuple(_freeze(v) for v in r) for r in rows), key=repr)
    return out


def _freeze(value: Any) -> Any:
    """JSON columns come back as lists and dicts; make them comparable as set members."""
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def diff(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]) -> str:
    """A readable description of what changed; empty when nothing did."""
    lines = []
    for name in sorted(set(before) | set(after)):
        old, new = set(before.get(name, [])), set(after.get(name, []))
        lines += [f"{name}: - {row!r}" for row in sorted(old - new, key=repr)]
        lines += [f"{name}: + {row!r}" for row in sorted(new - old, key=repr)]
    return "\n".join(lines)
