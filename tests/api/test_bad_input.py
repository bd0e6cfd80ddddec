"""Bad input gets the right status, a problem+json body that says what is wrong, and the
wrong field by name — in the caller's language. Never a 500.

Every JSON-body route of the registry is checked, plus a test-only probe route (see
``probe.py``) so that the shared plumbing is covered before domain routes exist.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from kohtaamo.app import create_app
from kohtaamo.config import Settings
from kohtaamo.i18n import gettext
from kohtaamo.storage.db import Database
from tests.api.probe import PROBE_PATH, add_probe
from tests.factories import Factory
from tests.security.routes import ROUTES
from tests.security.world import World, build_world, diff, snapshot

PROBLEM = "application/problem+json"
INVALID = "Some of the input is not valid."
MiB = 1024 * 1024


@pytest.fixture
def probe_app(settings: Settings, db: Database) -> FastAPI:
    return add_probe(create_app(settings, db))


@pytest.fixture
def probe(probe_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(probe_app, base_url="http://127.0.0.1:8000") as c:
        yield c


@pytest.fixture
def world(db: Database, client: TestClient) -> World:
    built = build_world(db)
    built.client = client
    return built


@pytest.fixture
def key(factory: Factory) -> str:
    return factory.api_key(factory.organisation())


def post(client: TestClient, key: str, body: bytes | Any, lang: str = "en", **kw: Any) -> Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {
        "authorization": f"Bearer {key}",
        "content-type": "application/json",
        "accept-language": lang,
        **kw.pop("headers", {}),
    }
    return client.post(PROBE_PATH, content=content, headers=headers, **kw)


def problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text[:400])
    assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"] and body["title"] and body["type"]
    return body


def fields(body: dict[str, Any]) -> set[str]:
    return {e["field"] for e in body.get("errors", [])}


VALID = {"name": "Kassa", "count": 3}


def test_the_probe_accepts_valid_input(probe: TestClient, key: str) -> None:
    assert post(probe, key, VALID).status_code == 200


@pytest.mark.parametrize(
    ("body", "expected_fields"),
    [
        (b'{"name": "Kassa", "count": 3', {"body"}),  # truncated
        (b"{'name': 'Kassa'}", {"body"}),  # not JSON
        (b"\xff\xfe\x00", {"body"}),  # not text
        (b"", {"body"}),
    ],
    ids=["truncated", "single-quotes", "binary", "empty"],
)
def test_malformed_json(
    probe: TestClient, key: str, body: bytes, expected_fields: set[str]
) -> None:
    response = post(probe, key, body)
    if body.startswith(b"\xff"):
        # Undecodable bytes never reach the JSON parser: FastAPI answers 400 itself.
        problem(response, 400)
        return
    found = problem(response, 422)
    assert fields(found) == expected_fields, found


def test_deeply_nested_json_is_refused_not_crashed(probe: TestClient, key: str) -> None:
    response = post(probe, key, b"[" * 100_000)
    assert response.status_code in (400, 413, 422), response.status_code
    assert response.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize(
    ("body", "expected_fields"),
    [
        ({"name": 5, "count": "many"}, {"name", "count"}),
        ({"name": "Kassa", "count": 3.5}, {"count"}),
        ({"name": "Kassa", "count": 11}, {"count"}),
        ({"name": "", "count": 1}, {"name"}),
        ({"name": "Kassa", "count": 1, "when": "2026-01-01T10:00:00"}, {"when"}),
        ({"name": "Kassa", "count": 1, "tags": "a,b"}, {"tags"}),
        ({"count": 1}, {"name"}),
        ([VALID], {"body"}),
        ("Kassa", {"body"}),
    ],
    ids=[
        "types",
        "float-for-int",
        "too-big",
        "empty",
        "naive-time",
        "not-list",
        "missing",
        "array",
        "string",
    ],
)
def test_wrong_types_name_the_field(
    probe: TestClient, key: str, body: Any, expected_fields: set[str]
) -> None:
    found = problem(post(probe, key, body), 422)
    assert fields(found) == expected_fields, found
    assert all(e["message"] for e in found["errors"])


@pytest.mark.parametrize("extra", ["organisation_id", "role", "created_at", "id", "zz"])
def test_unknown_fields_are_refused(probe: TestClient, key: str, extra: str) -> None:
    found = problem(post(probe, key, VALID | {extra: "00000000-0000-0000-0000-000000000000"}), 422)
    assert fields(found) == {extra}
    assert found["errors"][0]["message"] == "This field is not allowed."


def test_messages_follow_accept_language(probe: TestClient, key: str) -> None:
    en = problem(post(probe, key, VALID | {"zz": 1}, lang="en"), 422)
    fi = problem(post(probe, key, VALID | {"zz": 1}, lang="fi-FI,fi;q=0.9"), 422)
    assert en["detail"] == INVALID
    assert fi["detail"] == gettext("fi", INVALID)
    assert fi["detail"] != INVALID, "no Finnish translation for the validation summary"
    assert fi["errors"][0]["message"] == gettext("fi", "This field is not allowed.")
    assert fi["errors"][0]["message"] != "This field is not allowed."


# --- oversized bodies --------------------------------------------------------------


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


@pytest.mark.parametrize("path", [PROBE_PATH, "/login"])
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_oversized_body_is_413(
    probe: TestClient, key: str, settings: Settings, path: str, chunked: bool
) -> None:
    size = settings.max_body_bytes + MiB // 2
    body: Any = _chunks(size) if chunked else b" " * size
    headers = {
        "authorization": f"Bearer {key}",
        "content-type": "application/json",
        "accept-language": "en",
    }
    if path == "/login":
        headers["content-type"] = "application/x-www-form-urlencoded"

    response = probe.post(path, content=body, headers=headers)

    if chunked:
        assert "content-length" not in response.request.headers
    if path.startswith("/api/") or not chunked:
        found = problem(response, 413)
        assert "too large" in found["detail"]
    else:  # a page refused mid-stream says so on an error page
        assert response.status_code == 413
        assert "too large" in response.text


def test_body_just_under_the_cap_is_read(probe: TestClient, key: str, settings: Settings) -> None:
    padding = " " * (settings.max_body_bytes - 100)
    response = post(probe, key, (json.dumps(VALID)[:-1] + padding + "}").encode())
    assert response.status_code == 200


def test_413_is_localised(probe: TestClient, key: str, settings: Settings) -> None:
    response = post(probe, key, b" " * (settings.max_body_bytes + 1), lang="fi")
    found = problem(response, 413)
    assert found["detail"] == gettext("fi", "The request body is too large.")
    assert found["detail"] != "The request body is too large.", "no Finnish translation"


# --- every JSON-body route of the registry ------------------------------------------

BODY_ROUTES = [case for case in ROUTES if case.is_api and case.method in ("POST", "PUT", "PATCH")]


@pytest.mark.parametrize("case", BODY_ROUTES, ids=str)
def test_registry_routes_refuse_bad_bodies(client: TestClient, world: World, case: Any) -> None:
    call = case.call(world, world.a)
    url = case.path.format(**call.path_params)
    headers = {"authorization": f"Bearer {world.a.key}", "content-type": "application/json"}
    for content in (b"{not json", json.dumps([1, 2]).encode()):
        response = client.request(case.method, url, content=content, headers=headers)
        assert response.status_code in (400, 422), (case, content, response.status_code)
        assert response.headers["content-type"].startswith(PROBLEM)
    if isinstance(call.json, dict):
        # A tenant field in the body is refused (422) or ignored; B never changes.
        sneaky = call.json | {"organisation_id": str(world.b.id)}
        before = snapshot(world.db, world.b.id)
        response = client.request(case.method, url, json=sneaky, headers=headers)
        if response.status_code == 422:
            assert "organisation_id" in response.text, case
        else:
            assert response.status_code in case.ok, (case, response.status_code)
        assert not diff(before, snapshot(world.db, world.b.id))
