"""Ingestion's in-process cache of customer ids: used, and never trusted past a deletion."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select, text

from kohtaamo.journeys.models import Customer, InteractionEvent
from kohtaamo.storage.db import Database
from tests.factories import Factory
from tests.journeys.helpers import Catalogue, seed

AT = (datetime.now(UTC) - timedelta(hours=1)).isoformat()


@pytest.fixture
def cat(db: Database, factory: Factory) -> Catalogue:
    return seed(db, factory.organisation())


@pytest.fixture
def auth(factory: Factory, cat: Catalogue) -> dict[str, str]:
    return {"authorization": f"Bearer {factory.api_key(cat.org)}", "accept-language": "en"}


@pytest.fixture
def customer_reads(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM customers" in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    yield seen
    event.remove(db.engine, "before_cursor_execute", listen)


def send(client: TestClient, auth: dict[str, str], key: str, customer: str = "c-1") -> str:
    item = {"id": key, "customer": customer, "touchpoint": "website", "occurred_at": AT}
    response = client.post("/api/v1/events", json={"events": [item]}, headers=auth)
    assert response.status_code == 200, response.text
    status: str = response.json()["results"][0]["status"]
    return status


def counts(db: Database, cat: Catalogue) -> tuple[int, int]:
    with db.transaction(cat.org.id, readonly=True) as session:
        customers = session.scalar(select(func.count()).select_from(Customer)) or 0
        events = session.scalar(select(func.count()).select_from(InteractionEvent)) or 0
    return customers, events


def test_a_known_customer_is_not_looked_up_again(
    client: TestClient, cat: Catalogue, auth: dict[str, str], customer_reads: list[str]
) -> None:
    assert send(client, auth, "e-1") == "stored"
    customer_reads.clear()
    assert send(client, auth, "e-2") == "stored"
    assert customer_reads == []


def test_a_customer_erased_through_the_api_is_created_anew(
    client: TestClient, db: Database, cat: Catalogue, auth: dict[str, str]
) -> None:
    assert send(client, auth, "e-1") == "stored"
    assert client.delete("/api/v1/customers/c-1", headers=auth).status_code == 204
    assert counts(db, cat) == (0, 0)

    assert send(client, auth, "e-2") == "stored"
    assert counts(db, cat) == (1, 1)


def test_a_customer_deleted_behind_the_cache_is_created_anew(
    client: TestClient, db: Database, cat: Catalogue, auth: dict[str, str]
) -> None:
    # As if another server process erased the customer: this one's cache is not told.
    assert send(client, auth, "e-1", "c-1") == "stored"
    assert send(client, auth, "e-2", "c-2") == "stored"
    with db.transaction(cat.org.id) as session:
        session.execute(text("DELETE FROM customers WHERE external_id = 'c-1'"))

    item = {"customer": "c-1", "touchpoint": "website", "occurred_at": AT}
    batch = [item | {"id": "e-3"}, item | {"id": "e-4", "customer": "c-2"}]
    response = client.post("/api/v1/events", json={"events": batch}, headers=auth)

    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == ["stored", "stored"]
    assert counts(db, cat) == (2, 3)
