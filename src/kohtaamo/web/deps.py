"""Who is signed in, CSRF checks and per-page permission checks for the pages."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import Membership, Organisation, User
from kohtaamo.accounts.repository import memberships_of_user
from kohtaamo.accounts.service import actor_for_session, authenticate_session
from kohtaamo.errors import KohtaamoError, PermissionDenied, Unauthenticated
from kohtaamo.http.context import PermissionGuard, database, settings_of
from kohtaamo.http.middleware import LOCALE_COOKIE
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from kohtaamo.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    csrf_binding,
    csrf_token_for,
)


class LoginRequired(Unauthenticated):
    """Rendered as a redirect to the sign-in page rather than an error page."""


class CsrfFailed(KohtaamoError):
    status = 403
    code = "csrf"
    default_message = "The form has expired. Reload the page and try again."


@dataclass
class WebContext:
    user: User
    cookie: str
    actor: Actor | None
    organisations: list[tuple[Membership, Organisation]]
    db: Database
    locale: str
    current_org: Organisation | None = None
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def org_actor(self) -> Actor:
        if self.actor is None:
            raise PermissionDenied("You are not a member of any organisation.")
        return self.actor

    def may(self, permission: str) -> bool:
        return self.actor is not None and self.actor.may(permission)

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[Session]:
        with self.db.transaction(self.org_actor.organisation_id, readonly=readonly) as session:
            yield session


def web_user(request: Request) -> WebContext:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise LoginRequired()
    db = database(request)
    try:
        with db.transaction(ALL_TENANTS) as session:
            ws, user = authenticate_session(session, cookie)
            actor = actor_for_session(session, ws, user)
            orgs = memberships_of_user(session, user.id)
    except Unauthenticated as exc:
        raise LoginRequired(exc.message) from exc
    if LOCALE_COOKIE not in request.cookies and user.locale:
        request.state.locale = user.locale
    current = next((o for _, o in orgs if actor and o.id == actor.organisation_id), None)
    ctx = WebContext(
        user=user,
        cookie=cookie,
        actor=actor,
        organisations=orgs,
        db=db,
        locale=str(request.state.locale),
        current_org=current,
    )
    request.state.web = ctx
    return ctx


async def verify_csrf(request: Request) -> None:
    """Every state-changing form and htmx request carries the token of its page."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    binding = csrf_binding(request)
    expected = csrf_token_for(settings_of(request).secret_key, binding) if binding else None
    if not sent or expected is None or not hmac.compare_digest(sent, expected):
        raise CsrfFailed()


class PagePermission(PermissionGuard):
    def __call__(self, ctx: WebContext = Depends(web_user)) -> WebContext:
        ctx.org_actor.require(self.permission)
        return ctx


def page_permission(permission: str) -> PagePermission:
    return PagePermission(permission)
