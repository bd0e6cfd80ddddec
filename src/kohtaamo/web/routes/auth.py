"""Signing in and out, switching organisation and language."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.accounts import service
from kohtaamo.errors import InvalidInput, TooManyRequests, Unauthenticated
from kohtaamo.http.context import client_address, database, locale_of, settings_of
from kohtaamo.http.middleware import LOCALE_COOKIE
from kohtaamo.i18n import SUPPORTED, gettext
from kohtaamo.storage.tenancy import ALL_TENANTS
from kohtaamo.web.deps import WebContext, verify_csrf, web_user
from kohtaamo.web.render import error_text, render_login
from kohtaamo.web.security import PRESESSION_COOKIE, SESSION_COOKIE, set_cookie

router = APIRouter()

LOCALE_COOKIE_AGE = 365 * 86400


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: no open redirect through ?next=."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None, done: str | None = None) -> Response:
    return render_login(request, next=_safe_next(next), password_saved=done == "password")


@router.post("/login", dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    settings = settings_of(request)
    locale = locale_of(request)
    try:
        with database(request).transaction(ALL_TENANTS) as session:
            result = service.do_login(
                session,
                email=email,
                password=password,
                client=client_address(request),
                max_age_s=settings.session_max_age_s,
                window_s=settings.login_window_s,
                max_failures=settings.login_max_failures,
            )
    except TooManyRequests as exc:
        response = render_login(
            request,
            error=error_text(locale, exc),
            status_code=exc.status,
            email=email,
            next=_safe_next(next),
        )
        response.headers.update(exc.headers)
        return response
    if result is None:
        # The failed attempt is committed above (it feeds the throttle); now say so.
        return render_login(
            request,
            error=gettext(locale, "The e-mail address or password is wrong."),
            status_code=401,
            email=email,
            next=_safe_next(next),
        )
    cookie, user = result
    response = RedirectResponse(_safe_next(next), status_code=303)
    # A new random session token at every sign-in: no session fixation.
    set_cookie(request, response, SESSION_COOKIE, cookie, max_age=settings.session_max_age_s)
    response.delete_cookie(PRESESSION_COOKIE, path="/")
    if user.locale and LOCALE_COOKIE not in request.cookies:
        set_cookie(request, response, LOCALE_COOKIE, user.locale, max_age=LOCALE_COOKIE_AGE)
    return response


@router.post("/logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        with database(request).transaction(ALL_TENANTS) as session:
            service.do_logout(session, cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/organisation/switch", dependencies=[Depends(verify_csrf)])
def switch_organisation(
    request: Request,
    ctx: Annotated[WebContext, Depends(web_user)],
    organisation_id: Annotated[uuid.UUID, Form()],
) -> Response:
    with ctx.db.transaction(ALL_TENANTS) as session:
        ws, user = service.authenticate_session(session, ctx.cookie)
        service.do_switch_organisation(session, ws, user, organisation_id)
    return RedirectResponse("/", status_code=303)


@router.post("/language", dependencies=[Depends(verify_csrf)])
def choose_language(
    request: Request,
    locale: Annotated[str, Form(max_length=8)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    if locale not in SUPPORTED:
        raise InvalidInput("Unknown language.", field="locale")
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        try:
            with database(request).transaction(ALL_TENANTS) as session:
                _, user = service.authenticate_session(session, cookie)
                service.do_set_locale(session, user, locale)
        except Unauthenticated:
            pass
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_cookie(request, response, LOCALE_COOKIE, locale, max_age=LOCALE_COOKIE_AGE)
    return response
