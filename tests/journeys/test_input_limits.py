"""Input PostgreSQL cannot store is refused on both databases, with a clear 422."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kohtaamo.journeys.models import Customer
from kohtaamo.storage.db import Database
from tests.factories import Factory


@pytest.fixture
def auth(factory: Factory) -> tuple[dict[str, str], object]:
    org = factory.organisation()
    return {"authorization": f"Bearer {factory.api_key(org)}", "accept-language": "en"}, org


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"attributes": {"\u0000": 1}}, "NUL"),
        ({"segment": "a\u0000b"}, "NUL"),
        ({"purchases": 2**31}, "at most"),
    ],
)
def test_customer_input_postgresql_cannot_store(
    client: TestClient, db: Database, auth: tuple[dict[str, str], object], body: dict, words: str
) -> None:
    headers, org = auth
    answer = client.put("/api/v1/customers/c-1", json=body, headers=headers)
    assert answer.status_code == 422, answer.text
    assert words in answer.text
    with db.transaction(org.id, readonly=True) as session:  # type: ignore[attr-defined]
        assert session.scalar(select(func.count()).select_from(Customer)) == 0
