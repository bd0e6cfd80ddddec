"""The row type of the route registry (see ``routes.py``) and how a row is sent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from tests.security.world import Tenant, World

NOT_FOUND = frozenset({404})


@dataclass(frozen=True)
class Call:
    """One concrete request: path parameters, query, and a JSON or form body."""

    path_params: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    json: Any = None
    form: dict[str, str] | None = None
    content: bytes | None = None  # a raw body (e.g. an e-mail for /complaints/email)


Maker = Callable[[World, Tenant], Call]


def no_input(_world: World, _tenant: Tenant) -> Call:
    return Call()


@dataclass(frozen=True)
class RouteCase:
    method: str
    path: str
    access: str  # a permission slug of PERMISSIONS, PUBLIC or SIGNED_IN
    call: Maker = no_input
    takes_id: bool = False  # call(world, tenant) builds an object of tenant and names it
    ok: frozenset[int] = frozenset({200})
    why: str = ""  # required for PUBLIC and SIGNED_IN: why no permission guards it
    foreign: frozenset[int] = NOT_FOUND  # the answer to another tenant's id

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def mutates(self) -> bool:
        return self.method not in ("GET", "HEAD", "OPTIONS")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def send(client: TestClient, case: RouteCase, call: Call, headers: dict[str, str]) -> Response:
    return client.request(
        case.method,
        case.path.format(**call.path_params),
        params=call.query,
        json=call.json,
        data=call.form,
        content=call.content,
        headers=headers,
        follow_redirects=False,
    )
