"""Cookies and CSRF tokens of the pages."""

from __future__ import annotations

import base64
import hashlib
import hmac

from fastapi import Request, Response

from kohtaamo.http.context import settings_of
from kohtaamo.kit.ids import token

SESSION_COOKIE = "kohtaamo_session"
PRESESSION_COOKIE = "kohtaamo_pre"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def csrf_token_for(secret: str, binding: str) -> str:
    """A token bound to the session (or the pre-session cookie before sign-in)."""
    digest = hmac.new(secret.encode(), b"csrf:" + binding.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def csrf_binding(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRESESSION_COOKIE)


def begin_presession(request: Request) -> str | None:
    """Give an anonymous visitor a random value that the sign-in form's token binds to.

    Returns the new value to set as a cookie, or None when the visitor already has one.
    """
    if request.cookies.get(PRESESSION_COOKIE) or request.cookies.get(SESSION_COOKIE):
        return None
    value = token(24)
    request.state.presession = value
    return value


def current_csrf_token(request: Request) -> str:
    binding = csrf_binding(request) or getattr(request.state, "presession", None)
    if not binding:
        return ""
    return csrf_token_for(settings_of(request).secret_key, binding)


def set_cookie(
    request: Request, response: Response, name: str, value: str, *, max_age: int
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings_of(request).cookie_secure,
        path="/",
    )
