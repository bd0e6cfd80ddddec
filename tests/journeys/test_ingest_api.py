"""POST /api/v1/events: per-item outcomes, valid items kept, retries stored once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kohtaamo.journeys import ingest
from kohtaamo.journeys.models import Customer, InteractionEvent
from kohtaamo.storage.db import Database
from tests.factories import Factory
from tests.journeys.helpers import Catalogue, seed

NOW = datetime.now(UTC)


@pytest.fixture
def cat(db: Database, factory: Factory) -> Catalogue:
    return seed(db, factory.organisation())


@pytest.fixture
def auth(factory: Factory, cat: Catalogue) -> dict[str, str]:
    return {"authorization": f"Bearer {factory.api_key(cat.org)}", "accept-language": "en"}


def event(i: int | str, **changes: Any) -> dict[str, Any]:
    base = {
        "id": f"e-{i}",
        "customer": f"c-{i}",
        "touchpoint": "website",
        "occurred_at": (NOW - timedelta(hours=1)).isoformat(),
    }
    return {k: v for k, v in (base | changes).items() if v is not None}


def stored_keys(db: Database, cat: Catalogue) -> list[str]:
    with db.transaction(cat.org.id, readonly=True) as session:
        return sorted(session.scalars(select(InteractionEvent.event_key)))


def test_mixed_batch_stores_the_valid_and_names_each_rejection(
    client: TestClient, db: Database, cat: Catalogue, auth: dict[str, str]
) -> None:
    batch = [
        event(0),
        event(1, touchpoint="no-such-touchpoint"),
        event(2, occurred_at=(NOW + timedelta(hours=1)).isoformat()),
        event(3, customer=None),
        event(4, occurred_at="yesterday at noon"),
        event(5, occurred_at="2026-01-01T10:00:00"),
        event(0, customer="someone-else"),  # same id as item 0, same batch
        event(7, order_value=12.5, journey="ticket", attributes={"campaign": "kevät"}),
        event(8, journey="no-such-journey"),
    ]
    response = client.post("/api/v1/events", json={"events": batch}, headers=auth)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (2, 1, 6)
    results = body["results"]
    assert [r["index"] for r in results] == list(range(len(batch)))
    assert [r["status"] for r in results] == [
        "stored", "rejected", "rejected", "rejected", "rejected", "rejected",
        "duplicate", "stored", "rejected",
    ]  # fmt: skip
    fields = {r["index"]: [e["field"] for e in r["errors"]] for r in results}
    assert (
        fields[1] == ["touchpoint"] and "no-such-touchpoint" in results[1]["errors"][0]["message"]
    )
    assert fields[2] == ["occurred_at"] and "future" in results[2]["errors"][0]["message"]
    assert fields[3] == ["customer"]
    assert fields[4] == ["occurred_at"] and "ISO 8601" in results[4]["errors"][0]["message"]
    assert fields[5] == ["occurred_at"] and "time zone" in results[5]["errors"][0]["message"]
    assert fields[6] == ["id"] and "item 0" in results[6]["errors"][0]["message"]
    assert fields[8] == ["journey"]
    assert results[3]["id"] == "e-3"
    assert stored_keys(db, cat) == ["e-0", "e-7"]


def test_a_retried_event_is_stored_once(
    client: TestClient, db: Database, cat: Catalogue, auth: dict[str, str]
) -> None:
    first = client.post("/api/v1/events", json={"events": [event(1), event(2)]}, headers=auth)
    again = client.post("/api/v1/events", json={"events": [event(2), event(3)]}, headers=auth)
    single = client.post("/api/v1/events", json=event(3), headers=auth)

    assert first.json()["accepted"] == 2
    assert [r["status"] for r in again.json()["results"]] == ["duplicate", "stored"]
    assert single.status_code == 200
    assert single.json()["results"][0]["status"] == "duplicate"
    assert stored_keys(db, cat) == ["e-1", "e-2", "e-3"]


def test_unknown_customers_get_a_bare_profile(
    client: TestClient, db: Database, cat: Catalogue, auth: dict[str, str]
) -> None:
    client.post(
        "/api/v1/events", json={"events": [event(1), event(2, customer="c-1")]}, headers=auth
    )
    with db.transaction(cat.org.id, readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 1


def test_all_invalid_is_422_with_results_in_finnish(
    client: TestClient, cat: Catalogue, auth: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/events",
        json={"events": [event(1, touchpoint="nope"), {"id": "x"}]},
        headers=auth | {"accept-language": "fi"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == 422 and body["rejected"] == 2
    assert body["results"][1]["errors"][0]["field"] in {"customer", "touchpoint", "occurred_at"}


def test_batch_size_is_limited(client: TestClient, cat: Catalogue, auth: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/events", json={"events": [event(i) for i in range(1001)]}, headers=auth
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "events"


def test_observers_hear_of_stored_events_after_commit(
    client: TestClient, cat: Catalogue, auth: dict[str, str]
) -> None:
    heard: list[tuple[uuid.UUID, list[ingest.StoredRow]]] = []
    unsubscribe = ingest.subscribe(lambda org, rows: heard.append((org, rows)))
    try:
        client.post("/api/v1/events", json={"events": [event(1), event(1)]}, headers=auth)
        client.post("/api/v1/events", json={"events": [event(1)]}, headers=auth)  # nothing new
    finally:
        unsubscribe()
    assert len(heard) == 1
    org, rows = heard[0]
    assert org == cat.org.id
    assert [(r.touchpoint_key, r.touchpoint_id) for r in rows] == [
        ("website", cat.touchpoints["website"])
    ]
    assert rows[0].occurred_at == datetime.fromisoformat(event(1)["occurred_at"])


def test_a_new_touchpoint_is_known_to_ingestion_at_once(
    client: TestClient, cat: Catalogue, auth: dict[str, str]
) -> None:
    client.post("/api/v1/events", json=event(1), headers=auth)  # fills the key cache
    created = client.post(
        "/api/v1/touchpoints",
        json={
            "key": "app.login",
            "name_fi": "Kirjautuminen",
            "name_en": "Log-in",
            "channel": "mobile_app",
            "factor_group": "functional",
            "owner_team_id": str(cat.team_id),
        },
        headers=auth,
    )
    assert created.status_code == 201, created.text
    response = client.post("/api/v1/events", json=event(2, touchpoint="app.login"), headers=auth)
    assert response.json()["accepted"] == 1


def test_read_only_key_cannot_send_events(
    client: TestClient, factory: Factory, cat: Catalogue
) -> None:
    from kohtaamo.accounts.permissions import Scope

    key = factory.api_key(cat.org, Scope.READ)
    response = client.post(
        "/api/v1/events", json=event(1), headers={"authorization": f"Bearer {key}"}
    )
    assert response.status_code == 403
