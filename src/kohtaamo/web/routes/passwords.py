"""Choosing a password from an invitation link, and asking for a reset link."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.accounts import invitations
from kohtaamo.errors import KohtaamoError, NotFound
from kohtaamo.http.context import database, locale_of, settings_of
from kohtaamo.i18n import gettext
from kohtaamo.web.deps import verify_csrf
from kohtaamo.web.render import render
from kohtaamo.web.security import PRESESSION_COOKIE, begin_presession, set_cookie

router = APIRouter(prefix="/password")


def _page(request: Request, template: str, status_code: int = 200, **values: object) -> Response:
    fresh = begin_presession(request)
    response = render(request, template, status_code=status_code, **values)
    if fresh:
        set_cookie(request, response, PRESESSION_COOKIE, fresh, max_age=3600)
    return response


@router.get("/forgot", response_class=HTMLResponse)
def forgot_page(request: Request) -> Response:
    return _page(request, "auth/forgot.html", sent=False)


@router.post("/forgot", dependencies=[Depends(verify_csrf)])
def forgot(request: Request, email: Annotated[str, Form(max_length=254)]) -> Response:
    with database(request).transaction() as session:
        invitations.do_request_password_reset(
            session, email, base_url=settings_of(request).base_url, locale=locale_of(request)
        )
    # The same answer whether or not the address has an account.
    return _page(request, "auth/forgot.html", sent=True)


@router.get("/set/{link}", response_class=HTMLResponse)
def set_password_page(request: Request, link: str) -> Response:
    with database(request).transaction(readonly=True) as session:
        found = invitations.check_password_token(session, link[:100])
    return _page(request, "auth/set_password.html", link=link, purpose=found.purpose, error=None)


@router.post("/set/{link}", dependencies=[Depends(verify_csrf)])
def set_password(
    request: Request,
    link: str,
    password: Annotated[str, Form(max_length=1024)],
    password_again: Annotated[str, Form(max_length=1024)],
) -> Response:
    locale = locale_of(request)
    if password != password_again:
        error = gettext(locale, "The two passwords differ.")
        return _page(request, "auth/set_password.html", 422, link=link, purpose="", error=error)
    try:
        with database(request).transaction() as session:
            invitations.do_set_password(session, link[:100], password)
    except NotFound:
        raise
    except KohtaamoError as exc:
        error = gettext(locale, exc.message, **{k: str(v) for k, v in exc.params.items()})
        return _page(
            request, "auth/set_password.html", exc.status, link=link, purpose="", error=error
        )
    return RedirectResponse("/login?done=password", status_code=303)
