"""Settings: the organisation's API keys.

A new key's plaintext is shown once, on the page that answers the form, and never
again: only its hash is stored and the list shows the prefix.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.accounts import service
from kohtaamo.accounts.models import ApiKey
from kohtaamo.accounts.permissions import Scope
from kohtaamo.errors import InvalidInput, KohtaamoError
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.routes.settings import flash_of

router = APIRouter(prefix="/settings/api-keys")

KeyManager = Annotated[WebContext, Depends(page_permission("apikeys.manage"))]

SCOPE_LABELS = {Scope.READ: N_("Read"), Scope.WRITE: N_("Write")}
SCOPE_CHOICES = (
    (Scope.READ, SCOPE_LABELS[Scope.READ], N_("Read the organisation's data.")),
    (
        Scope.WRITE,
        SCOPE_LABELS[Scope.WRITE],
        N_("Also change data and send events. People and keys are never managed by keys."),
    ),
)
DONE = {"revoked": N_("The API key was revoked. It no longer works.")}


@dataclass(frozen=True)
class KeyRow:
    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _row(key: ApiKey) -> KeyRow:
    return KeyRow(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        scopes=list(key.scopes),
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


def _parse_scopes(values: list[str]) -> list[Scope]:
    try:
        return [Scope(v) for v in values]
    except ValueError:
        raise InvalidInput("Choose at least one scope.", field="scopes") from None


def _keys_page(
    request: Request,
    ctx: WebContext,
    *,
    status_code: int = 200,
    flash: str | None = None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    with ctx.transaction(readonly=True) as session:
        keys = [_row(k) for k in service.list_api_keys(session, ctx.org_actor)]
    return render(
        request,
        "settings/api_keys.html",
        status_code=status_code,
        active="settings",
        keys=keys,
        scope_labels=SCOPE_LABELS,
        scope_choices=SCOPE_CHOICES,
        flash=flash,
        form=form or {},
        errors=errors or {},
    )


@router.get("", response_class=HTMLResponse)
def api_keys(request: Request, ctx: KeyManager, done: str | None = None) -> Response:
    return _keys_page(request, ctx, flash=flash_of(request, done, DONE))


@router.post("", dependencies=[Depends(verify_csrf)])
def create_api_key(
    request: Request,
    ctx: KeyManager,
    name: Annotated[str, Form(max_length=120)] = "",
    scopes: Annotated[list[str], Form(max_length=2)] = [],  # noqa: B006 - FastAPI copies it
) -> Response:
    try:
        with ctx.transaction() as session:
            key, plaintext = service.do_create_api_key(
                session, ctx.org_actor, name=name, scopes=_parse_scopes(scopes)
            )
            row = _row(key)
    except KohtaamoError as exc:
        return _keys_page(
            request,
            ctx,
            status_code=exc.status,
            form={"name": name, "scopes": scopes},
            errors=field_errors(locale_of(request), exc),
        )
    return render(
        request, "settings/api_key_created.html", active="settings", key=row, plaintext=plaintext
    )


@router.post("/{key_id}/revoke", dependencies=[Depends(verify_csrf)])
def revoke_api_key(request: Request, ctx: KeyManager, key_id: uuid.UUID) -> Response:
    with ctx.transaction() as session:
        service.do_revoke_api_key(session, ctx.org_actor, key_id)
    return RedirectResponse("/settings/api-keys?done=revoked", status_code=303)
