"""The assumption register through its pages and its API, in Finnish and English."""

from __future__ import annotations

import json
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from kohtaamo.accounts.models import Organisation
from kohtaamo.accounts.permissions import Role, Scope
from tests.analytics.assumption_world import plant_for
from tests.factories import Factory, page_csrf, sign_in

BASE_URL = "http://127.0.0.1:8000"
SPEC = {
    "kind": "compare_groups",
    "metric": "csat",
    "dimension": "segment",
    "group_a": "corporate",
    "group_b": "consumer",
    "touchpoint": "billing",
}


def _browser(app: FastAPI, email: str, language: str) -> TestClient:
    client = TestClient(app, base_url=BASE_URL)
    client.headers["accept-language"] = language
    sign_in(client, email)
    return client


def _org(factory: Factory) -> Organisation:
    org = factory.organisation()
    plant_for(factory.db, org.id)
    return org


def test_write_an_assumption_and_read_its_verdict_in_finnish(
    app: FastAPI, factory: Factory
) -> None:
    org = _org(factory)
    analyst = factory.member(org, Role.ANALYST)
    with _browser(app, analyst.user.email, "fi") as client:
        page = client.get("/analytics/assumptions?dimension=segment")
        assert page.status_code == 200
        # The selects are filled from the organisation's data.
        assert '<option value="corporate"' in page.text and '<option value="billing"' in page.text
        token = page_csrf(client, "/analytics/assumptions")
        created = client.post(
            "/analytics/assumptions",
            data={**SPEC, "direction": "higher", "test": "auto", "csrf_token": token},
            follow_redirects=False,
        )
        assert created.status_code == 303
        detail = client.get(created.headers["location"])
        assert detail.status_code == 200
        sentence = re.search(r'id="verdict-sentence">([^<]*)<', detail.text)
        assert sentence is not None and "n = 210" in sentence.group(1)
        assert "verdict-holds" in detail.text
        # The chart: two groups with their intervals, as a Vega-Lite data block.
        spec = re.search(r'id="chart-assumption-spec">(.*?)</script>', detail.text, re.S)
        assert spec is not None
        rows = json.loads(spec.group(1))["data"]["values"]
        assert [r["name"] for r in rows] == ["corporate (n = 210)", "consumer (n = 380)"]
        assert all(r["low"] < r["value"] < r["high"] for r in rows)
        listing = client.get("/analytics/assumptions")
        assert "Laskutus" in listing.text  # the composed statement names the touchpoint
        # Check again: the history grows.
        path = created.headers["location"]
        again = client.post(
            path + "/check", data={"csrf_token": page_csrf(client, path)}, follow_redirects=False
        )
        assert again.status_code == 303
        assert client.get(path).text.count('class="nowrap"') >= 2


def test_form_errors_are_shown_next_to_the_form(app: FastAPI, factory: Factory) -> None:
    org = _org(factory)
    analyst = factory.member(org, Role.ANALYST)
    with _browser(app, analyst.user.email, "en") as client:
        token = page_csrf(client, "/analytics/assumptions")
        bad = client.post(
            "/analytics/assumptions",
            data={**SPEC, "group_b": "government", "csrf_token": token},
            follow_redirects=False,
        )
        assert bad.status_code == 422
        assert "No answers have government as their segment." in bad.text
        same = client.post(
            "/analytics/assumptions",
            data={**SPEC, "group_b": "corporate", "csrf_token": token},
            follow_redirects=False,
        )
        assert same.status_code == 422 and "Choose two different groups." in same.text


def test_viewer_reads_but_cannot_write(app: FastAPI, factory: Factory) -> None:
    org = _org(factory)
    viewer = factory.member(org, Role.VIEWER)
    with _browser(app, viewer.user.email, "en") as client:
        page = client.get("/analytics/assumptions")
        assert page.status_code == 200 and "Check the assumption" not in page.text


def test_api_create_get_check_delete(client: TestClient, factory: Factory) -> None:
    org = _org(factory)
    headers = {"authorization": "Bearer " + factory.api_key(org, Scope.READ, Scope.WRITE)}
    created = client.post(
        "/api/v1/assumptions", json={"spec": SPEC}, headers={**headers, "accept-language": "en"}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["verdict"] == "holds"
    assert body["statement"] == (
        "Customer satisfaction (CSAT) at Billing is higher for corporate than for consumer."
    )
    assert body["latest"]["sentence"].startswith("Holds: Customer satisfaction (CSAT) at Billing")
    assert body["latest"]["result"]["test"] == "two_proportion_z"
    aid = body["id"]
    again = client.post(f"/api/v1/assumptions/{aid}/check", headers=headers)
    assert again.status_code == 201 and again.json()["verdict"] == "holds"
    checks = client.get(f"/api/v1/assumptions/{aid}/checks", headers=headers).json()
    assert len(checks) == 2
    assert [a["id"] for a in client.get("/api/v1/assumptions", headers=headers).json()] == [aid]
    bad = client.post(
        "/api/v1/assumptions",
        json={"spec": {**SPEC, "metric": "responses"}},
        headers=headers,
    )
    assert bad.status_code == 422
    extra = client.post(
        "/api/v1/assumptions", json={"spec": {**SPEC, "colour": "red"}}, headers=headers
    )
    assert extra.status_code == 422
    assert client.delete(f"/api/v1/assumptions/{aid}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/assumptions/{aid}", headers=headers).status_code == 404


def test_nul_characters_are_refused_not_stored(client: TestClient, factory: Factory) -> None:
    # PostgreSQL cannot store NUL: the same 422 on both databases, never a 500.
    org = _org(factory)
    headers = {"authorization": "Bearer " + factory.api_key(org, Scope.READ, Scope.WRITE)}
    for body in (
        {"statement": "a\x00b", "spec": SPEC},
        {"spec": {**SPEC, "dimension": "attribute:a\x00b"}},
    ):
        assert client.post("/api/v1/assumptions", json=body, headers=headers).status_code == 422
    assert client.get("/api/v1/assumptions", headers=headers).json() == []
