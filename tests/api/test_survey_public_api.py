"""The widget's public API: the live definition by slug, and responses from the survey's
allowed origins only (CORS approval echoed exactly; everyone else refused, nothing stored)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kohtaamo.app import create_app
from kohtaamo.config import Settings
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.surveys import service
from kohtaamo.surveys.models import SurveyResponse
from kohtaamo.surveys.schemas import SurveySettings, SurveyUpdate, WidgetSettings
from tests.factories import Factory
from tests.surveys.helpers import SurveyFixture, make_survey

SHOP = "https://kauppa.example"
OTHER = "https://muu.example"
GOOD = {"ease": {"expected": 4, "experienced": 2}, "nps": 9}


def _survey(db: Database, factory: Factory, **survey_kw: Any) -> SurveyFixture:
    fixture = make_survey(db, factory.organisation(), **survey_kw)
    widget = WidgetSettings(trigger="custom_event", event_name="kohtaamo:ask", sample_percent=50)
    settings = SurveySettings(allowed_origins=[SHOP], widget=widget)
    with db.transaction(fixture.org.id) as session:
        service.do_update_survey(
            session, fixture.actor, fixture.survey_id, SurveyUpdate(settings=settings)
        )
    return fixture


def _body(**kw: Any) -> dict[str, Any]:
    started = (utcnow() - timedelta(minutes=1)).isoformat()  # a person's pace
    return {
        "answers": GOOD,
        "idempotency_key": "k" * 32,
        "page": SHOP + "/kassa",
        "started_at": started,
    } | kw


def _stored(db: Database) -> list[SurveyResponse]:
    with db.engine.connect() as conn:
        return list(conn.execute(select(SurveyResponse)).all())  # type: ignore[arg-type]


def _count(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(SurveyResponse)).scalar_one())


def _post(client: TestClient, slug: str, body: Any, origin: str | None = SHOP) -> Any:
    headers = {"accept-language": "en"} | ({"origin": origin} if origin else {})
    return client.post(f"/api/v1/public/surveys/{slug}/responses", json=body, headers=headers)


# --- the definition ------------------------------------------------------------------


def test_the_definition_comes_in_the_asked_language_with_the_widget_settings(
    client: TestClient, db: Database, factory: Factory
) -> None:
    f = _survey(db, factory)

    response = client.get(
        f"/api/v1/public/surveys/{f.slug}", params={"lang": "sv"}, headers={"origin": SHOP}
    )

    assert response.status_code == 200, response.text
    out = response.json()
    assert (out["language"], out["version"], out["definition"]) == ("sv", 1, None)
    assert out["widget"]["trigger"] == "custom_event"
    assert out["widget"]["sample_percent"] == 50
    assert "allowed_origins" not in response.text  # the settings stay with the staff
    survey = out["survey"]
    assert survey["title"] == "Hur gick köpet?"
    first = survey["pages"][0]["questions"][0]
    assert (first["text"], first["pair_form"]) == ("Hur lätt det var att betala", "double")
    assert (first["scale"]["min"], first["scale"]["max"]) == (1, 5)
    nps = survey["pages"][0]["questions"][1]
    assert nps["text"] == "Suosittelisitko meitä?"  # no Swedish: the default language
    assert nps["scale"]["max_label"] == "Mycket troligt"
    emotions = survey["pages"][1]["questions"][1]["choices"]
    assert {c["key"] for c in emotions} >= {"joy", "anger"}
    assert survey["words"]["send"] == "Skicka"
    assert response.headers["access-control-allow-origin"] == SHOP
    assert response.headers["vary"] == "Origin"
    assert "access-control-allow-credentials" not in response.headers


def test_without_a_language_the_whole_definition_comes(
    client: TestClient, db: Database, factory: Factory
) -> None:
    f = _survey(db, factory)

    out = client.get(f"/api/v1/public/surveys/{f.slug}").json()

    assert (out["language"], out["survey"]) == (None, None)
    assert out["definition"]["title"]["en"] == "How did buying go?"
    assert out["languages"] == ["fi", "en", "sv"]


def test_another_origin_gets_no_cors_approval(
    client: TestClient, db: Database, factory: Factory
) -> None:
    f = _survey(db, factory)

    for origin in (OTHER, "null", SHOP + ".evil.example", SHOP.upper()):
        response = client.get(f"/api/v1/public/surveys/{f.slug}", headers={"origin": origin})
        assert response.status_code == 200
        assert "access-control-allow-origin" not in response.headers, origin
        assert response.headers["vary"] == "Origin"


def test_draft_closed_and_unknown_surveys_are_not_shown(
    client: TestClient, db: Database, factory: Factory
) -> None:
    draft = _survey(db, factory, publish=False)
    closed = _survey(db, factory)
    with db.transaction(closed.org.id) as session:
        service.do_close(session, closed.actor, closed.survey_id)

    assert client.get(f"/api/v1/public/surveys/{draft.slug}").status_code == 404
    gone = client.get(f"/api/v1/public/surveys/{closed.slug}", headers={"origin": SHOP})
    assert gone.status_code == 410
    assert gone.headers["access-control-allow-origin"] == SHOP  # the widget may read why
    assert client.get("/api/v1/public/surveys/nobody-has-this").status_code == 404


# --- preflight -----------------------------------------------------------------------


def test_preflight_approves_only_allowed_origins(
    client: TestClient, db: Database, factory: Factory
) -> None:
    f = _survey(db, factory)
    path = f"/api/v1/public/surveys/{f.slug}/responses"
    ask = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
    }

    approved = client.options(path, headers=ask | {"origin": SHOP})
    refused = client.options(path, headers=ask | {"origin": OTHER})

    assert approved.status_code == 204
    assert approved.headers["access-control-allow-origin"] == SHOP
    assert "POST" in approved.headers["access-control-allow-methods"]
    assert approved.headers["access-control-allow-headers"].lower() == "content-type"
    assert "access-control-allow-credentials" not in approved.headers
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers


# --- submissions ---------------------------------------------------------------------


def test_a_response_from_an_allowed_origin_is_stored_once(
    client: TestClient, db: Database, factory: Factory
) -> None:
    f = _survey(db, factory)

    first = _post(client, f.slug, _body())
    retry = _post(client, f.slug, _body())

    assert first.status_code == 201, first.text
    assert first.json() == {"created": True, "finished": True, "thanks": "Kiitos vastauksestasi!"}
    assert first.headers["access-control-allow-origin"] == SHOP
    assert (retry.status_code, retry.json()["created"]) == (200, False)
    rows = _stored(db)
    assert len(rows) == 1
    stored = rows[0]
    assert (stored.channel, stored.answers, stored.flagged) == ("widget", GOOD, False)
    assert stored.context == {"page": SHOP + "/kassa"}
    assert stored.idempotency_key == "widget:" + "k" * 32
    assert stored.client_hash and "testclient" not in stored.client_hash


@pytest.mark.parametrize("origin", [OTHER, None, "null", SHOP + ":8443"])
def test_a_response_from_elsewhere_is_refused_and_nothing_stored(
    client: TestClient, db: Database, factory: Factory, origin: str | None
) -> None:
    f = _survey(db, factory)

    response = _post(client, f.slug, _body(), origin=origin)

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "This site may not send responses to this survey."
    assert "access-control-allow-origin" not in response.headers
    assert _count(db) == 0


def test_a_simple_cross_origin_post_is_refused_too(
    client: TestClient, db: Database, factory: Factory
) -> None:
    """text/plain needs no preflight: the server's Origin check is what stops it."""
    f = _survey(db, factory)

    response = client.post(
        f"/api/v1/public/surveys/{f.slug}/responses",
        content=json.dumps(_body()),
        headers={"origin": OTHER, "content-type": "text/plain"},
    )

    assert response.status_code == 403
    assert _count(db) == 0


def test_wrong_answers_are_named_and_readable_by_the_widget(
    client: TestClient, db: Database, factory: Factory
) -> None:
    f = _survey(db, factory)

    response = _post(client, f.slug, _body(answers={"nps": 12}))

    assert response.status_code == 422
    assert response.headers["access-control-allow-origin"] == SHOP
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"answers.nps", "answers.ease"}  # out of range; required
    assert _count(db) == 0


def test_a_malformed_body_is_422(client: TestClient, db: Database, factory: Factory) -> None:
    f = _survey(db, factory)

    short_key = _post(client, f.slug, _body(idempotency_key="short"))
    extra = _post(client, f.slug, _body(channel="api"))
    not_json = client.post(
        f"/api/v1/public/surveys/{f.slug}/responses",
        content=b"{nope",
        headers={"origin": SHOP, "content-type": "application/json"},
    )

    assert short_key.status_code == extra.status_code == not_json.status_code == 422
    assert "idempotency_key" in short_key.text and "channel" in extra.text
    assert _count(db) == 0


def test_a_response_faster_than_a_person_is_flagged(
    client: TestClient, db: Database, factory: Factory
) -> None:
    f = _survey(db, factory)

    response = _post(client, f.slug, _body(started_at=utcnow().isoformat()))

    assert response.status_code == 201
    [stored] = _stored(db)
    assert (stored.flagged, stored.flag_reason) == (True, "too_fast")


def test_the_honeypot_flags_the_response(
    client: TestClient, db: Database, factory: Factory
) -> None:
    f = _survey(db, factory)

    response = _post(client, f.slug, _body(website="http://spam.example"))

    assert response.status_code == 201
    [stored] = _stored(db)
    assert (stored.flagged, stored.flag_reason) == (True, "honeypot")


@pytest.fixture
def strict_client(settings: Settings, db: Database) -> Iterator[TestClient]:
    limited = settings.model_copy(update={"survey_submissions_per_client": 2})
    with TestClient(create_app(limited, db), base_url="http://127.0.0.1:8000") as c:
        yield c


def test_submissions_are_rate_limited(
    strict_client: TestClient, db: Database, factory: Factory
) -> None:
    f = _survey(db, factory)

    statuses = [
        _post(strict_client, f.slug, _body(idempotency_key=f"key-{i:020d}")).status_code
        for i in range(3)
    ]

    assert statuses == [201, 201, 429]
    assert _count(db) == 2


# --- the security headers leave CORS alone; the script is served as JavaScript -------


def test_security_headers_and_cors_headers_coexist(
    client: TestClient, db: Database, factory: Factory
) -> None:
    f = _survey(db, factory)

    response = _post(client, f.slug, _body())

    assert response.headers["access-control-allow-origin"] == SHOP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_the_widget_script_is_served_as_javascript(client: TestClient) -> None:
    response = client.get("/static/widget/kohtaamo-widget.js")

    assert response.status_code == 200
    # nosniff is on: a browser runs a cross-origin script only with a JavaScript type.
    assert response.headers["content-type"].split(";")[0] in (
        "text/javascript",
        "application/javascript",
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    assert len(response.content) < 17_000
    assert b"eval(" not in response.content and b"new Function" not in response.content
