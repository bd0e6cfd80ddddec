"""The cases API: complaints (idempotent by the sender's id), the inbox, one case with
its timeline and the moves the workflow table opens, refused moves with their reasons,
assignment, notes, rules — and another organisation's key reaching none of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kohtaamo.accounts.models import Organisation
from kohtaamo.accounts.permissions import Scope
from kohtaamo.cases import workflow
from kohtaamo.cases.models import Case
from kohtaamo.storage.db import Database
from tests.factories import Factory
from tests.journeys.helpers import Catalogue, seed


@dataclass
class Api:
    client: TestClient
    headers: dict[str, str]
    org: Organisation
    cat: Catalogue

    def __call__(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        return self.client.request(method, f"/api/v1{path}", json=body, headers=self.headers, **kw)


def _api(client: TestClient, db: Database, factory: Factory) -> Api:
    org = factory.organisation()
    cat = seed(db, org)
    key = factory.api_key(org, Scope.READ, Scope.WRITE)
    return Api(client, {"authorization": f"Bearer {key}", "accept-language": "en"}, org, cat)


@pytest.fixture
def api(client: TestClient, db: Database, factory: Factory) -> Api:
    return _api(client, db, factory)


def _complaint(api: Api, **extra: Any) -> dict[str, Any]:
    body = {
        "title": "Paketti ei tullut",
        "description": "Tilaus 123 ei ole saapunut.",
        "touchpoint_id": str(api.cat.touchpoints["checkout"]),
        "contact_email": "Asiakas@Example.fi",
        "language": "sv",
        **extra,
    }
    made = api("POST", "/complaints", body)
    assert made.status_code in (200, 201), made.text
    return dict(made.json())


def test_a_complaint_sent_twice_is_one_case(api: Api, db: Database) -> None:
    first = api("POST", "/complaints", {"title": "Reklamaatio", "complaint_id": "crm-1"})
    again = api("POST", "/complaints", {"title": "Reklamaatio", "complaint_id": "crm-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["source"] == "complaint"
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Case)).scalar_one() == 1


def test_a_case_with_its_timeline_and_the_tables_moves(api: Api) -> None:
    made = _complaint(api)
    assert (made["team_id"], made["language"]) == (str(api.cat.team_id), "sv")
    assert made["contact_email"] == "asiakas@example.fi"
    detail = api("GET", f"/cases/{made['id']}").json()
    assert [e["kind"] for e in detail["timeline"]] == ["opened"]
    assert [a["action"] for a in detail["actions"]] == [t.action for t in workflow.available("new")]
    assert detail["actions"][0]["requires"] == list(workflow.BY_ACTION["acknowledge"].requires)


def test_moves_through_the_api(api: Api) -> None:
    case_id = _complaint(api)["id"]
    refused = api("POST", f"/cases/{case_id}/transitions", {"action": "resolve"})
    assert refused.status_code == 409
    assert refused.json()["detail"] == workflow.BY_ACTION["resolve"].refusal
    missing = api("POST", f"/cases/{case_id}/transitions", {"action": "acknowledge"})
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} >= {"message_subject", "message_body"}
    unknown = api("POST", f"/cases/{case_id}/transitions", {"action": "explode"})
    assert unknown.status_code == 422

    steps: list[dict[str, Any]] = [
        {"action": "acknowledge", "message_subject": "Kiitos", "message_body": "Kuulimme."},
        {
            "action": "send_plan",
            "what_went_wrong": "Paketti hukkui.",
            "plan_action": "Uusi paketti.",
            "plan_due": (date.today() + timedelta(days=2)).isoformat(),
            "message_subject": "Anteeksi",
            "message_body": "Lähetämme uuden.",
        },
        {"action": "take_action", "action_note": "Lähetetty."},
        {
            "action": "resolve",
            "root_cause_touchpoint_id": str(api.cat.touchpoints["checkout"]),
            "root_cause_standard": "Paketti lähtee samana päivänä",
            "message_subject": "Korjattu",
            "message_body": "Asia on korjattu.",
        },
    ]
    for step in steps:
        moved = api("POST", f"/cases/{case_id}/transitions", step)
        assert moved.status_code == 200, moved.text
        assert moved.json()["state"] == workflow.BY_ACTION[step["action"]].target
    final = api("GET", f"/cases/{case_id}").json()
    assert final["case"]["root_cause_touchpoint_id"] == str(api.cat.touchpoints["checkout"])
    assert final["case"]["plan_action"] == "Uusi paketti."
    moves = [e for e in final["timeline"] if e["kind"] == "transition"]
    assert [m["to_state"] for m in moves] == [
        "acknowledged",
        "plan_sent",
        "action_taken",
        "resolved",
    ]


def test_inbox_assignment_and_notes(api: Api) -> None:
    urgent = _complaint(api, title="A", complaint_id="a")["id"]
    _complaint(api, title="B", complaint_id="b")
    assigned = api("POST", f"/cases/{urgent}/assignment", {"priority": "urgent"})
    assert assigned.status_code == 200 and assigned.json()["priority"] == "urgent"
    assert api("POST", f"/cases/{urgent}/assignment", {}).status_code == 422
    note = api("POST", f"/cases/{urgent}/notes", {"body": "Soitin."})
    assert note.status_code == 201 and note.json()["kind"] == "note"

    listed = api("GET", "/cases", params={"view": "all", "limit": 1}).json()
    assert (listed["total"], [c["id"] for c in listed["items"]]) == (2, [urgent])
    assert api("GET", "/cases", params={"view": "closed"}).json()["total"] == 0
    assert api("GET", "/cases", params={"view": "nonsense"}).status_code == 422
    assert api("GET", "/cases", params={"view": "mine"}).status_code == 422  # a key is nobody


def test_rules(api: Api) -> None:
    added = api("POST", "/case-rule-defaults")
    assert added.status_code == 200 and len(added.json()) == 4
    assert api("POST", "/case-rule-defaults").json() == []
    body = {
        "key": "vip",
        "name": "VIP",
        "kind": "detractor",
        "topic": "vip",
        "params": {"threshold": 8},
    }
    made = api("POST", "/case-rules", body)
    assert made.status_code == 201
    assert api("POST", "/case-rules", body).status_code == 409
    bad = api("POST", "/case-rules", body | {"key": "x", "params": {"threshold": 99}})
    assert bad.status_code == 422
    assert api("POST", "/case-rules", body | {"key": "y", "active": 0}).status_code == 422
    changed = api("PUT", f"/case-rules/{made.json()['id']}", body | {"active": False})
    assert changed.json()["active"] is False
    assert api("DELETE", f"/case-rules/{made.json()['id']}").status_code == 204
    assert len(api("GET", "/case-rules").json()) == 4


def test_another_organisations_key_reaches_nothing(
    api: Api, client: TestClient, db: Database, factory: Factory
) -> None:
    case_id = _complaint(api)["id"]
    rule_id = api("POST", "/case-rule-defaults").json()[0]["id"]
    other = _api(client, db, factory)
    before = api("GET", f"/cases/{case_id}").json()
    for method, path, body in (
        ("GET", f"/cases/{case_id}", None),
        ("POST", f"/cases/{case_id}/transitions", {"action": "no_contact", "reason": "x"}),
        ("POST", f"/cases/{case_id}/assignment", {"priority": "low"}),
        ("POST", f"/cases/{case_id}/notes", {"body": "x"}),
        ("GET", f"/case-rules/{rule_id}", None),
        ("DELETE", f"/case-rules/{rule_id}", None),
    ):
        assert other(method, path, body).status_code == 404, (method, path)
    for view in ("all", "breaching", "closed"):
        assert other("GET", "/cases", params={"view": view}).json()["total"] == 0
    # the same complaint id in another organisation is that organisation's own case
    mine = api("POST", "/complaints", {"title": "R", "complaint_id": "same"}).json()
    theirs = other("POST", "/complaints", {"title": "R", "complaint_id": "same"})
    assert theirs.status_code == 201 and theirs.json()["id"] != mine["id"]
    assert theirs.json()["number"] == 1
    assert api("GET", f"/cases/{case_id}").json() == before
