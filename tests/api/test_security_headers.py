"""Security headers on every kind of answer: pages, API, errors, refusals, static files."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from kohtaamo.accounts.permissions import Role
from kohtaamo.app import STATIC_DIR
from tests.factories import Factory
from tests.security.world import as_browser, open_session


def assert_secure(response: Response, *, cacheable: bool = False) -> None:
    csp = response.headers.get("content-security-policy", "")
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'", csp
    assert directives.get("object-src") == "object-src 'none'", csp
    assert "'unsafe-inline'" not in directives.get("script-src", "'unsafe-inline'"), csp
    assert "*" not in directives.get("default-src", "*"), csp
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert response.headers.get("x-frame-options") == "DENY"
    assert response.headers.get("referrer-policy")
    if not cacheable:
        assert response.headers.get("cache-control") == "no-store", response.request.url


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/login"),
        ("GET", "/"),  # redirect to sign-in
        ("GET", "/no-such-page"),
        ("POST", "/login"),  # CSRF refusal
        ("GET", "/api/v1/me"),  # 401
        ("GET", "/api/v1/nothing"),
        ("DELETE", "/api/v1/me"),
        ("GET", "/api/openapi.json"),
    ],
)
def test_anonymous_answers_carry_security_headers(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(method, path, follow_redirects=False)
    assert response.status_code < 500
    assert_secure(response)


def test_signed_in_page_and_api_answers(client: TestClient, factory: Factory) -> None:
    org = factory.organisation()
    key = factory.api_key(org)
    member = factory.member(org, Role.VIEWER)
    as_browser(client, open_session(factory.db, member.user, org))
    page = client.get("/")
    assert page.status_code == 200
    assert_secure(page)
    client.cookies.clear()
    api = client.get("/api/v1/me", headers={"authorization": f"Bearer {key}"})
    assert api.status_code == 200
    assert_secure(api)


def test_oversized_refusal_carries_headers(client: TestClient) -> None:
    response = client.post(
        "/login", content=b"x" * (3 * 1024 * 1024), headers={"content-type": "text/plain"}
    )
    assert response.status_code == 413
    assert_secure(response)


def test_static_files_may_be_cached_but_not_sniffed(client: TestClient) -> None:
    asset = next(p for p in sorted(STATIC_DIR.rglob("*")) if p.is_file())
    response = client.get("/static/" + asset.relative_to(STATIC_DIR).as_posix())
    assert response.status_code == 200
    assert response.headers.get("cache-control") != "no-store"
    assert_secure(response, cacheable=True)


def test_docs_page_is_not_frameable(client: TestClient) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
