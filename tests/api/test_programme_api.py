"""The programme over the API: build a pyramid, see its live status from real answers,
and get every bad input named in the user's language."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from kohtaamo.accounts.permissions import Scope
from kohtaamo.storage.db import Database
from tests.analytics.sync_helpers import make_survey, submit
from tests.factories import Factory


def test_build_a_pyramid_and_read_its_status(
    db: Database, factory: Factory, client: TestClient
) -> None:
    survey = make_survey(db, factory.organisation())
    for n in range(30):
        submit(db, survey, nps=10 if n < 24 else 2)  # NPS (24 - 6) / 30 = 60
    key = factory.api_key(survey.org, Scope.READ, Scope.WRITE)
    headers = {"authorization": f"Bearer {key}", "accept-language": "en"}

    def call(method: str, path: str, body: Any = None) -> Any:
        reply = client.request(method, f"/api/v1/programme{path}", json=body, headers=headers)
        return reply

    element = call("POST", "/elements", {"name_fi": "Luotettava", "name_en": "Trustworthy"})
    assert element.status_code == 201 and element.json()["key"] == "trustworthy"
    element_id = element.json()["id"]
    good = call(
        "POST",
        "/measures",
        {
            "element_id": element_id,
            "name_fi": "NPS",
            "name_en": "NPS",
            "metric": "nps",
            "target": 50,
        },
    )
    high = call(
        "POST",
        "/measures",
        {
            "element_id": element_id,
            "name_fi": "NPS 100",
            "name_en": "NPS 90",
            "metric": "nps",
            "target": 90,
        },
    )
    assert good.status_code == 201 and high.status_code == 201
    assert good.json()["direction"] == "at_least"

    status = call("GET", "/status").json()
    by_id = {m["measure_id"]: m for m in status["measures"]}
    assert by_id[good.json()["id"]]["value"] == 60 and by_id[good.json()["id"]]["n"] == 30
    assert by_id[good.json()["id"]]["status"] == "on_track"
    assert by_id[high.json()["id"]]["status"] == "off_track"
    assert status["elements"][element_id] == "off_track"

    action = call(
        "POST",
        "/actions",
        {"title": "Soita takaisin samana päivänä", "measure_ids": [high.json()["id"]]},
    )
    assert action.status_code == 201 and action.json()["number"] == 1
    moved = call("POST", f"/actions/{action.json()['id']}/status", {"status": "done"})
    assert moved.json()["status"] == "done" and moved.json()["done_on"] is not None


def test_bad_input_is_named(db: Database, factory: Factory, client: TestClient) -> None:
    org = factory.organisation()
    key = factory.api_key(org, Scope.READ, Scope.WRITE)
    headers = {"authorization": f"Bearer {key}", "accept-language": "en"}
    element = client.post(
        "/api/v1/programme/elements", headers=headers, json={"name_fi": "A", "name_en": "A"}
    ).json()
    bad = client.post(
        "/api/v1/programme/measures",
        headers=headers,
        json={
            "element_id": element["id"],
            "name_fi": "X",
            "name_en": "X",
            "metric": "nps",
            "target": 120,
        },
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "target"
    assert "between -100 and 100" in bad.json()["errors"][0]["message"]
    circle = client.put(
        f"/api/v1/programme/elements/{element['id']}",
        headers=headers,
        json={"name_fi": "A", "name_en": "A", "parent_id": element["id"]},
    )
    assert circle.status_code == 422 and circle.json()["errors"][0]["field"] == "parent_id"
    fi = client.post(
        "/api/v1/programme/measures",
        json={
            "element_id": element["id"],
            "name_fi": "X",
            "name_en": "X",
            "metric": "onni",
            "target": 1,
        },
        headers={"authorization": f"Bearer {key}", "accept-language": "fi"},
    )
    assert fi.status_code == 422 and "onni" in fi.text
