"""Signed-in browsers (TestClients) for the page tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kohtaamo.accounts.permissions import Role
from tests.factories import Factory, Member, sign_in

BASE_URL = "http://127.0.0.1:8000"
Browser = Callable[..., TestClient]


@pytest.fixture
def browser(app: FastAPI) -> Iterator[Browser]:
    """Open another browser, optionally signed in as ``member``, with its own cookies."""
    opened: list[TestClient] = []

    def open_browser(member: Member | None = None, accept_language: str = "fi") -> TestClient:
        client = TestClient(app, base_url=BASE_URL)
        client.headers["accept-language"] = accept_language
        opened.append(client)
        if member is not None:
            sign_in(client, member.user.email)
        return client

    yield open_browser
    for client in opened:
        client.close()


@pytest.fixture
def owner(factory: Factory) -> Member:
    return factory.member(factory.organisation("Tapahtumatalo Oy"), Role.OWNER)
