"""GET /api/v1/paths: what the path report says, through the API, as events arrive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kohtaamo.journeys import journeymap
from kohtaamo.journeys.customers import do_upsert_customer
from kohtaamo.journeys.models import Journey
from kohtaamo.journeys.schemas import CustomerIn, PlacementIn
from kohtaamo.storage.db import Database
from tests.factories import Factory
from tests.journeys.helpers import Catalogue, seed

T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)

PATHS = {
    "a": ["advert", "website", "checkout", "ticket"],
    "b": ["advert", "website", "checkout", "ticket"],
    "c": ["advert", "website", "support", "website", "checkout"],
    "d": ["website"],
}


@pytest.fixture
def cat(db: Database, factory: Factory) -> Catalogue:
    cat = seed(db, factory.organisation())
    with db.transaction(cat.org.id) as session:
        journey = session.get(Journey, cat.journey_id)
        assert journey is not None
        awareness, purchase = journey.stages
        for stage, keys in ((awareness, ["advert", "website"]), (purchase, ["checkout", "ticket"])):
            for key in keys:
                journeymap.do_place_touchpoint(
                    session,
                    cat.actor,
                    cat.journey_id,
                    cat.touchpoints[key],
                    PlacementIn(stage_id=stage.id),
                )
    return cat


@pytest.fixture
def auth(factory: Factory, cat: Catalogue) -> dict[str, str]:
    return {"authorization": f"Bearer {factory.api_key(cat.org)}"}


def send_paths(client: TestClient, auth: dict[str, str], paths: dict[str, list[str]]) -> None:
    events = [
        {
            "id": f"{customer}-{i}",
            "customer": customer,
            "touchpoint": key,
            "occurred_at": (T0 + timedelta(hours=i)).isoformat(),
            "order_value": 40.0 if key == "checkout" else None,
        }
        for customer, keys in paths.items()
        for i, key in enumerate(keys)
    ]
    body = {"events": [{k: v for k, v in e.items() if v is not None} for e in events]}
    response = client.post("/api/v1/events", json=body, headers=auth)
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == len(events)


def report(client: TestClient, auth: dict[str, str], **query: Any) -> dict[str, Any]:
    response = client.get("/api/v1/paths", params=query, headers=auth)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_variants_graph_and_durations(
    client: TestClient, cat: Catalogue, auth: dict[str, str]
) -> None:
    send_paths(client, auth, PATHS)
    body = report(client, auth, coverage=0.5)
    assert body["customers"] == 4
    assert body["variants"][0] == {
        "touchpoints": ["advert", "website", "checkout", "ticket"],
        "customers": 2,
        "share": 0.5,
        "value": 0.0,
    }
    assert body["covering"] == 1  # the top path alone covers half of the customers
    edges = {(e["source"], e["target"]): e for e in body["edges"]}
    assert edges[("advert", "website")]["count"] == 3
    assert edges[("advert", "website")]["median_seconds"] == 3600
    assert edges[("support", "website")]["count"] == 1  # the loop back is visible
    assert body["start_touchpoints"] == {"advert": 3, "website": 1}
    assert body["end_touchpoints"] == {"ticket": 2, "checkout": 1, "website": 1}
    assert body["durations"]["median_seconds"] == 3 * 3600


def test_journey_funnel_counts_each_stage(
    client: TestClient, cat: Catalogue, auth: dict[str, str]
) -> None:
    send_paths(client, auth, PATHS)
    body = report(client, auth, journey=str(cat.journey_id))
    funnel = body["funnel"]
    assert [step["stage"] for step in funnel] == ["Awareness", "Purchase"]
    assert [step["reached"] for step in funnel] == [4, 3]
    assert funnel[1]["drop_off"] == 1
    # Only the journey's touchpoints count: "support" is not on it.
    assert all("support" not in v["touchpoints"] for v in body["variants"])


def test_new_events_show_up_in_the_next_report(
    client: TestClient, cat: Catalogue, auth: dict[str, str]
) -> None:
    send_paths(client, auth, {"a": PATHS["a"]})
    assert report(client, auth)["customers"] == 1  # loads the store
    send_paths(client, auth, {"e": ["advert"]})  # arrives after: appended after commit
    assert report(client, auth)["customers"] == 2


def test_segment_filter_and_ranking_by_value(
    client: TestClient, db: Database, cat: Catalogue, auth: dict[str, str]
) -> None:
    send_paths(client, auth, PATHS)
    with db.transaction(cat.org.id) as session:
        for external_id, segment, ltv in (("c", "corporate", 9000.0), ("a", "consumer", 10.0)):
            do_upsert_customer(
                session,
                cat.actor,
                external_id,
                CustomerIn(segment=segment, lifetime_value=ltv),
            )
    corporate = report(client, auth, segment="corporate")
    assert corporate["customers"] == 1
    assert corporate["variants"][0]["touchpoints"][2] == "support"
    by_ltv = report(client, auth, rank_by="lifetime_value")
    assert by_ltv["variants"][0]["value"] == 9000.0
    by_value = report(client, auth, rank_by="value")
    assert by_value["variants"][0]["value"] == 80.0  # two customers' checkouts


def test_period_filter_and_bad_input(
    client: TestClient, cat: Catalogue, auth: dict[str, str]
) -> None:
    send_paths(client, auth, PATHS)
    body = report(client, auth, **{"from": (T0 + timedelta(hours=2)).isoformat()})
    assert body["start_touchpoints"] == {"checkout": 2, "support": 1}
    naive = client.get("/api/v1/paths", params={"from": "2026-10-01T12:00:00"}, headers=auth)
    assert naive.status_code == 422
    assert naive.json()["errors"][0]["field"] == "from"
    backwards = client.get(
        "/api/v1/paths",
        params={"from": T0.isoformat(), "to": (T0 - timedelta(days=1)).isoformat()},
        headers=auth | {"accept-language": "fi"},
    )
    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["field"] == "end"
