"""Factories with sensible defaults. Each call commits, as real use would."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from fastapi.testclient import TestClient

from kohtaamo.accounts import service
from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import Organisation, User
from kohtaamo.accounts.permissions import Role, Scope
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


@dataclass
class Member:
    user: User
    organisation: Organisation
    role: Role

    @property
    def actor(self) -> Actor:
        return Actor(organisation_id=self.organisation.id, user_id=self.user.id, role=self.role)


class Factory:
    def __init__(self, db: Database) -> None:
        self.db = db

    def organisation(self, name: str | None = None, slug: str | None = None) -> Organisation:
        n = next(_seq)
        with self.db.transaction(ALL_TENANTS) as session:
            return service.do_create_organisation(
                session, name=name or f"Organisation {n}", slug=slug or f"org-{n}"
            )

    def member(
        self,
        organisation: Organisation,
        role: Role = Role.OWNER,
        email: str | None = None,
        locale: str | None = None,
    ) -> Member:
        n = next(_seq)
        with self.db.transaction(ALL_TENANTS) as session:
            user = service.do_create_user(
                session,
                email=email or f"user{n}@example.test",
                name=f"User {n}",
                password=PASSWORD,
                locale=locale,
            )
        with self.db.transaction(organisation.id) as session:
            service.do_add_member(session, user=user, role=role)
        return Member(user=user, organisation=organisation, role=role)

    def api_key(self, organisation: Organisation, *scopes: Scope) -> str:
        operator = Actor(organisation_id=organisation.id, role=Role.OWNER)
        with self.db.transaction(organisation.id) as session:
            _, plaintext = service.do_create_api_key(
                session, operator, name="test key", scopes=list(scopes or (Scope.READ, Scope.WRITE))
            )
        return plaintext


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "csrf_token": csrf_from(page.text),
            "next": "/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def page_csrf(client: TestClient, path: str = "/") -> str:
    return csrf_from(client.get(path).text)
