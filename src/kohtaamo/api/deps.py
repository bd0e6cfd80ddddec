"""Authentication of machines (API keys) and per-route permission checks for the API."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.service import authenticate_api_key
from kohtaamo.errors import Unauthenticated
from kohtaamo.http.context import PermissionGuard, database, locale_of
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS

_bearer = HTTPBearer(auto_error=False, description="An organisation's API key: `kh_…`")
QUERY_KEY_NAMES = {"api_key", "apikey", "key", "token", "access_token"}


@dataclass(frozen=True)
class ApiContext:
    actor: Actor
    db: Database
    locale: str

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[Session]:
        """The caller's organisation's transaction; committed when the block ends."""
        with self.db.transaction(self.actor.organisation_id, readonly=readonly) as session:
            yield session


def api_actor(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> ApiContext:
    if QUERY_KEY_NAMES & {k.lower() for k in request.query_params}:
        raise Unauthenticated(
            "API keys are not accepted in the URL. Send the key in the Authorization header."
        )
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("Send an API key in the Authorization header: Bearer kh_…")
    db = database(request)
    # Read-only: a write transaction here would queue every API call behind the writer
    # (SQLite has one), and the service's last_used_at change is dropped with it...
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        actor = authenticate_api_key(session, credentials.credentials)
    if actor.api_key_id is not None and _use_due(actor.api_key_id):
        # ...and kept by a write transaction about once a minute per key instead.
        with db.transaction(actor.organisation_id) as session:
            authenticate_api_key(session, credentials.credentials)
    return ApiContext(actor=actor, db=db, locale=locale_of(request))


_RECORD_EVERY_S = 60.0  # as often as the service refreshes last_used_at
_recorded: dict[uuid.UUID, float] = {}
_recorded_lock = threading.Lock()


def _use_due(key_id: uuid.UUID) -> bool:
    """True for one caller per key per minute in this process: the use is to be written."""
    now = time.monotonic()
    with _recorded_lock:
        last = _recorded.get(key_id)
        if last is not None and now - last < _RECORD_EVERY_S:
            return False
        _recorded[key_id] = now
        return True


class ApiPermission(PermissionGuard):
    # async: a check this small is cheaper on the event loop than in a worker thread.
    async def __call__(self, ctx: ApiContext = Depends(api_actor)) -> ApiContext:
        ctx.actor.require(self.permission)
        return ctx


def api_permission(permission: str) -> ApiPermission:
    return ApiPermission(permission)
