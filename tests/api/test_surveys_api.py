"""The survey API: surveys and versions, publishing, responses listed, and responses sent
by kiosks and other systems with an API key (idempotent, every wrong answer named)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kohtaamo.accounts.models import Organisation
from kohtaamo.accounts.permissions import Scope
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.surveys.models import SurveyMeasure, SurveyResponse
from tests.factories import Factory
from tests.journeys.helpers import seed
from tests.surveys.helpers import definition_data

GOOD = {"ease": {"expected": 4, "experienced": 2}, "nps": 9}


@dataclass
class Api:
    client: TestClient
    headers: dict[str, str]
    org: Organisation

    def __call__(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        headers = self.headers | kw.pop("headers", {})
        return self.client.request(method, f"/api/v1{path}", json=body, headers=headers, **kw)


@pytest.fixture
def api(client: TestClient, db: Database, factory: Factory) -> Api:
    org = factory.organisation()
    seed(db, org)  # the touchpoint catalogue the test definition refers to
    key = factory.api_key(org, Scope.READ, Scope.WRITE)
    return Api(client, {"authorization": f"Bearer {key}", "accept-language": "en"}, org)


def _create(api: Api, key: str = "checkout", publish: bool = True) -> dict[str, Any]:
    body = {"key": key, "name": "Kassa", "touchpoint": "checkout", "definition": definition_data()}
    created = api("POST", "/surveys", body)
    assert created.status_code == 201, created.text
    if publish:
        opened = api("POST", f"/surveys/{created.json()['id']}/publish")
        assert opened.status_code == 200, opened.text
        return dict(opened.json())
    return dict(created.json())


def _count(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(SurveyResponse)).scalar_one())


def test_a_survey_is_created_as_a_draft_published_closed_and_reopened(api: Api) -> None:
    draft = _create(api, publish=False)
    assert (draft["status"], draft["live_version"], draft["has_draft"]) == ("draft", None, True)
    sid = draft["id"]

    opened = api("POST", f"/surveys/{sid}/publish").json()
    closed = api("POST", f"/surveys/{sid}/close").json()
    reopened = api("POST", f"/surveys/{sid}/reopen").json()

    assert (opened["status"], opened["live_version"], opened["has_draft"]) == ("open", 1, False)
    assert closed["status"] == "closed"
    assert reopened["status"] == "open"
    listed = api("GET", "/surveys").json()
    assert [(s["id"], s["status"]) for s in listed] == [(sid, "open")]
    assert api("GET", "/surveys", params={"status": "draft"}).json() == []


def test_saving_a_definition_makes_a_draft_version_until_published(api: Api) -> None:
    sid = _create(api)["id"]
    changed = definition_data() | {"title": {"fi": "Uusi otsikko"}}

    saved = api("PUT", f"/surveys/{sid}/definition", changed)

    assert saved.status_code == 200, saved.text
    assert (saved.json()["number"], saved.json()["published_at"]) == (2, None)
    survey = api("GET", f"/surveys/{sid}").json()
    assert (survey["live_version"], survey["latest_version"], survey["has_draft"]) == (1, 2, True)
    versions = api("GET", f"/surveys/{sid}/versions").json()
    assert [v["number"] for v in versions] == [1, 2]
    assert api("GET", f"/surveys/{sid}/versions/2").json()["definition"]["title"] == {
        "fi": "Uusi otsikko"
    }
    assert api("GET", f"/surveys/{sid}/versions/3").status_code == 404
    assert api("GET", f"/surveys/{sid}/versions/x").status_code == 404


def test_a_bad_definition_is_refused_with_its_problems(api: Api) -> None:
    sid = _create(api)["id"]
    bad = definition_data()
    bad["pages"][0]["questions"][1]["key"] = "ease"  # two questions with one key

    response = api("PUT", f"/surveys/{sid}/definition", bad)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "ease" in response.text


def test_update_changes_only_what_is_sent(api: Api) -> None:
    sid = _create(api)["id"]
    settings = {"allowed_origins": ["https://Kauppa.example/"], "min_seconds": 5}

    updated = api("PATCH", f"/surveys/{sid}", {"name": "Uusi nimi", "settings": settings})

    assert updated.status_code == 200, updated.text
    out = updated.json()
    assert (out["name"], out["touchpoint"]) == ("Uusi nimi", "checkout")
    assert out["settings"]["allowed_origins"] == ["https://kauppa.example"]


def test_kiosk_response_is_stored_once_per_idempotency_key(api: Api, db: Database) -> None:
    sid = _create(api)["id"]
    body = {"answers": GOOD, "channel": "kiosk", "customer": "asiakas-1"}
    key = {"Idempotency-Key": "kiosk-7-000123"}

    first = api("POST", f"/surveys/{sid}/responses", body, headers=key)
    retry = api("POST", f"/surveys/{sid}/responses", body, headers=key)

    assert (first.status_code, first.json()["created"]) == (201, True)
    assert (retry.status_code, retry.json()["created"]) == (200, False)
    assert retry.json()["id"] == first.json()["id"]
    assert first.json()["channel"] == "kiosk"
    assert first.json()["customer"] == "asiakas-1"
    assert first.json()["answers"] == GOOD
    assert _count(db) == 1
    with db.engine.connect() as conn:
        roles = conn.execute(select(SurveyMeasure.role)).scalars().all()
    assert sorted(roles) == ["expectation", "experience", "nps"]


def test_every_wrong_answer_is_named(api: Api, db: Database) -> None:
    sid = _create(api)["id"]
    body = {"answers": {"ease": {"expected": 9, "experienced": 2}, "nps": 11, "nope": "x"}}

    response = api("POST", f"/surveys/{sid}/responses", body)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"answers.ease.expected", "answers.nps", "answers.nope"} <= fields
    assert _count(db) == 0


def test_draft_answers_404_and_closed_410(api: Api, db: Database) -> None:
    draft = _create(api, key="luonnos", publish=False)["id"]
    closed = _create(api, key="suljettu")["id"]
    api("POST", f"/surveys/{closed}/close")

    assert api("POST", f"/surveys/{draft}/responses", {"answers": GOOD}).status_code == 404
    gone = api("POST", f"/surveys/{closed}/responses", {"answers": GOOD})
    assert gone.status_code == 410
    assert gone.headers["content-type"].startswith("application/problem+json")
    assert _count(db) == 0


def test_an_answered_survey_cannot_be_deleted(api: Api) -> None:
    unanswered = _create(api, key="tyhja")["id"]
    answered = _create(api, key="vastattu")["id"]
    api("POST", f"/surveys/{answered}/responses", {"answers": GOOD})

    assert api("DELETE", f"/surveys/{unanswered}").status_code == 204
    refused = api("DELETE", f"/surveys/{answered}")
    assert refused.status_code == 409
    assert api("GET", f"/surveys/{answered}").status_code == 200
    assert api("GET", f"/surveys/{unanswered}").status_code == 404


def test_responses_are_listed_in_pages_with_filters(api: Api) -> None:
    sid = _create(api)["id"]
    for i in range(3):
        sent = api("POST", f"/surveys/{sid}/responses", {"answers": GOOD, "channel": "kiosk"})
        assert sent.status_code == 201, (i, sent.text)
    partial = api("POST", f"/surveys/{sid}/responses", {"answers": {"nps": 3}, "finished": False})
    assert partial.status_code == 201, partial.text

    everything = api("GET", f"/surveys/{sid}/responses", params={"limit": 2}).json()
    finished = api("GET", f"/surveys/{sid}/responses", params={"status": "finished"}).json()
    partials = api("GET", f"/surveys/{sid}/responses", params={"status": "partial"}).json()
    kiosk = api("GET", f"/surveys/{sid}/responses", params={"channel": "kiosk"}).json()
    flagged = api("GET", f"/surveys/{sid}/responses", params={"flagged": "true"}).json()
    later = (utcnow() + timedelta(minutes=1)).isoformat()
    future = api("GET", f"/surveys/{sid}/responses", params={"since": later}).json()
    past = api("GET", f"/surveys/{sid}/responses", params={"until": later}).json()

    assert (everything["total"], len(everything["items"]), everything["limit"]) == (4, 2, 2)
    assert finished["total"] == 3 and {r["status"] for r in finished["items"]} == {"finished"}
    assert [r["id"] for r in partials["items"]] == [partial.json()["id"]]
    assert kiosk["total"] == 3
    assert flagged["total"] == 0
    assert (future["total"], past["total"]) == (0, 4)
    one = api("GET", f"/surveys/{sid}/responses/{partial.json()['id']}").json()
    assert (one["status"], one["answers"], one["version"]) == ("partial", {"nps": 3}, 1)


def test_a_response_of_another_survey_is_not_found_under_this_one(api: Api) -> None:
    first = _create(api, key="eka")["id"]
    second = _create(api, key="toka")["id"]
    answer = api("POST", f"/surveys/{first}/responses", {"answers": GOOD}).json()

    assert api("GET", f"/surveys/{second}/responses/{answer['id']}").status_code == 404


def test_a_read_only_key_may_not_submit(
    client: TestClient, db: Database, factory: Factory, api: Api
) -> None:
    sid = _create(api)["id"]
    reader = factory.api_key(api.org, Scope.READ)

    response = client.post(
        f"/api/v1/surveys/{sid}/responses",
        json={"answers": GOOD},
        headers={"authorization": f"Bearer {reader}"},
    )

    assert response.status_code == 403
    assert _count(db) == 0
