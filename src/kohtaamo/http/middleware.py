"""ASGI middleware: body size cap, locale choice, security headers."""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kohtaamo.i18n import SUPPORTED, gettext, negotiate

LOCALE_COOKIE = "kohtaamo_lang"


class BodySizeLimit:
    """Refuse bodies over ``limit`` bytes with 413, whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, limit: int, large_paths: dict[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.large_paths = large_paths or {}

    def _limit_for(self, path: str) -> int:
        for prefix, limit in self.large_paths.items():
            if path.startswith(prefix):
                return limit
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope["path"])
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, limit)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._refuse(scope, send, limit)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        locale = scope_locale(scope)
        body = json.dumps(
            {
                "type": "https://kohtaamo.fi/problems/payload_too_large",
                "title": gettext(locale, "Request too large"),
                "status": 413,
                "detail": gettext(locale, "The request body is too large."),
                "instance": scope["path"],
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(HTTPException):
    """Raised from ``receive``: FastAPI lets HTTPException through its body parsing."""

    def __init__(self) -> None:
        super().__init__(413, "The request body is too large.")


def scope_locale(scope: Scope, default: str = "fi") -> str:
    """The language for this request: explicit cookie choice, else Accept-Language."""
    headers: dict[bytes, bytes] = dict(scope.get("headers") or [])
    cookie = headers.get(b"cookie", b"").decode("latin-1")
    for part in cookie.split(";"):
        name, _, value = part.strip().partition("=")
        if name == LOCALE_COOKIE and value in SUPPORTED:
            return value
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    return negotiate(accept, default)


class LocaleAndSecurityHeaders:
    """Sets ``request.state.locale`` and adds security headers to every response."""

    CSP = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    DOCS_CSP = (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'"
    )

    def __init__(self, app: ASGIApp, default_locale: str = "fi", hsts: bool = False) -> None:
        self.app = app
        self.default_locale = default_locale
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        locale = scope_locale(scope, self.default_locale)
        scope.setdefault("state", {})["locale"] = locale
        path: str = scope["path"]
        csp = self.DOCS_CSP if path.startswith("/api/docs") else self.CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = {
                    b"content-security-policy": csp.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"same-origin",
                    b"x-frame-options": b"DENY",
                    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
                    b"content-language": locale.encode(),
                }
                if not path.startswith("/static/"):
                    # Pages and API answers may hold personal data: never store them.
                    extra[b"cache-control"] = b"no-store"
                if self.hsts:
                    extra[b"strict-transport-security"] = b"max-age=31536000; includeSubDomains"
                headers += [(k, v) for k, v in extra.items() if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
