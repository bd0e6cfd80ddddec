"""What every request handler needs: the database, the settings, the caller's locale."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request

from kohtaamo.config import Settings
from kohtaamo.storage.db import Database


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def locale_of(request: Request) -> str:
    return str(getattr(request.state, "locale", "fi"))


def client_address(request: Request) -> str:
    """The caller's address; X-Forwarded-For is believed only from configured proxies."""
    peer = request.client.host if request.client else "unknown"
    if peer in settings_of(request).trusted_proxies:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:64]
    return peer


class PermissionGuard:
    """A dependency that checks one permission of the permission table.

    Routes declare their permission with ``Depends(PermissionGuard(...))`` subclasses in
    the API and the pages; the authorisation tests read ``permission`` back from each
    route, so a route without one is noticed.
    """

    def __init__(self, permission: str) -> None:
        self.permission = permission

    def __call__(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError


def permission_of(call: Callable[..., Any]) -> str | None:
    perm = getattr(call, "permission", None)
    return perm if isinstance(perm, str) else None
