"""T-05: API keys are hashed at rest, shown once, scoped, revocable, header-only."""

from __future__ import annotations

import hashlib
import inspect
import logging
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from kohtaamo.accounts import service
from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import ApiKey
from kohtaamo.accounts.permissions import Role, Scope
from kohtaamo.api.deps import QUERY_KEY_NAMES
from kohtaamo.models import Base
from kohtaamo.storage.db import Database
from tests.security.world import World

PROBLEM = "application/problem+json"


def full_dump(db: Database) -> str:
    """Everything in the database as text: ``iterdump`` on SQLite, every table on PostgreSQL."""
    if db.dialect == "sqlite":
        raw = db.engine.raw_connection()
        try:
            return "\n".join(raw.driver_connection.iterdump())  # type: ignore[union-attr]
        finally:
            raw.close()
    with db.engine.connect() as conn:
        names = conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
        lines = []
        for name in list(names):
            lines.append(f'-- table "{name}"')
            lines += [repr(row) for row in conn.execute(text(f'SELECT * FROM "{name}"'))]
        return "\n".join(lines)


def call(client: TestClient, key: str, path: str = "/api/v1/me", **params: str) -> object:
    return client.get(path, params=params, headers={"authorization": f"Bearer {key}"})


def test_key_is_stored_only_as_a_hash(db: Database, world: World) -> None:
    plaintext = world.api_key(world.a, [Scope.READ], name="CRM")
    prefix, secret = re.fullmatch(r"kh_([A-Za-z0-9]{12})_(.+)", plaintext).groups()  # type: ignore[union-attr]

    dump = full_dump(db)

    assert prefix in dump  # the dump really holds the key row...
    assert secret not in dump  # ...but never the secret
    assert plaintext not in dump
    with db.engine.connect() as conn:
        stored = conn.execute(
            select(ApiKey.__table__.c.secret_hash).where(ApiKey.__table__.c.prefix == prefix)
        ).scalar_one()
    assert stored == hashlib.sha256(secret.encode()).hexdigest()
    for table in Base.metadata.sorted_tables:
        assert table.name in dump, f"the dump misses {table.name}"


def test_key_is_shown_once(client: TestClient, world: World) -> None:
    operator = Actor(organisation_id=world.a.id, role=Role.OWNER)
    with world.db.transaction(world.a.id) as session:
        key, plaintext = service.do_create_api_key(
            session, operator, name="Kerran", scopes=[Scope.READ]
        )
        assert not any(plaintext in str(v) for v in vars(key).values())
    me = client.get("/api/v1/me", headers={"authorization": f"Bearer {plaintext}"})
    assert me.status_code == 200
    assert me.json()["api_key"]["prefix"] == key.prefix
    assert plaintext.split("_", 2)[2] not in me.text
    assert "key" not in me.json()["api_key"]


def test_revoked_key_fails_on_the_next_request(client: TestClient, world: World) -> None:
    key = world.api_key(world.a, [Scope.READ])
    assert call(client, key).status_code == 200  # type: ignore[attr-defined]
    operator = Actor(organisation_id=world.a.id, role=Role.OWNER)
    with world.db.transaction(world.a.id) as session:
        row = session.scalar(select(ApiKey).where(ApiKey.prefix == key.split("_")[1]))
        assert row is not None
        service.do_revoke_api_key(session, operator, row.id)

    response = client.get(
        "/api/v1/me", headers={"authorization": f"Bearer {key}", "accept-language": "en"}
    )

    assert response.status_code == 401
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["detail"] == "The API key has been revoked."


def test_revoking_another_tenants_key_is_not_found(world: World) -> None:
    operator = Actor(organisation_id=world.a.id, role=Role.OWNER)
    with world.db.transaction(world.b.id) as session:
        b_key = session.scalar(select(ApiKey.id))
    assert b_key is not None
    with world.db.transaction(world.a.id) as session, pytest.raises(service.NotFound):
        service.do_revoke_api_key(session, operator, b_key)
    with world.db.engine.connect() as conn:
        assert (
            conn.execute(
                select(ApiKey.__table__.c.revoked_at).where(ApiKey.__table__.c.id == b_key)
            ).scalar_one()
            is None
        )


@pytest.mark.parametrize("name", sorted(QUERY_KEY_NAMES))
def test_key_in_the_query_string_is_refused_and_not_logged(
    client: TestClient, world: World, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    caplog.set_level(logging.DEBUG)
    key = world.a.key

    # Even with a valid Authorization header: the key in the URL has leaked already.
    response = client.get(
        "/api/v1/me",
        params={name: key},
        headers={"authorization": f"Bearer {key}", "accept-language": "en"},
    )

    assert response.status_code == 401
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "not accepted in the URL" in response.json()["detail"]
    # The server's own logs (the test client's request log is not the server's).
    server_logs = [r.getMessage() for r in caplog.records if not r.name.startswith("http")]
    assert not [line for line in server_logs if key in line]
    assert key.split("_", 2)[2] not in response.text  # the secret may itself hold "_"


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer nonsense",
        "Bearer kh_AAAAAAAAAAAA_" + "x" * 43,  # well-formed, unknown prefix
        "Basic a2g6a2g=",
        "Bearer kh_" + "A" * 12 + "_" + "é" * 30,
        "Bearer " + "kh_" * 2000,
    ],
)
def test_wrong_or_malformed_key_is_401_problem(
    client: TestClient, world: World, authorization: str | None
) -> None:
    headers: dict[str, str | bytes] = {"accept-language": "en"}
    if authorization is not None:
        headers["authorization"] = authorization.encode("latin-1")
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["detail"]


def test_right_prefix_wrong_secret_is_401(client: TestClient, world: World) -> None:
    prefix = world.a.key.split("_")[1]
    forged = f"kh_{prefix}_{'A' * 43}"
    response = client.get("/api/v1/me", headers={"authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith(PROBLEM)


def test_secret_comparison_is_constant_time() -> None:
    source = inspect.getsource(service.authenticate_api_key)
    assert "hmac.compare_digest(" in source
    # The secret hash must not be compared with == anywhere in the accounts service.
    assert not re.search(
        r"secret_hash\s*[!=]=|[!=]=\s*[\w.]*secret_hash", inspect.getsource(service)
    )
