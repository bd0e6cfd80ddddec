"""Render errors as RFC 9457 problem details (API) or a readable page (UI), localised."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from kohtaamo.errors import RULE_ERROR_TYPE, FieldProblem, KohtaamoError, Unavailable
from kohtaamo.i18n import gettext

log = logging.getLogger("kohtaamo")

PROBLEM_TYPE = "https://kohtaamo.fi/problems/"

# Pydantic error types in plain words; anything else falls back to pydantic's own text.
VALIDATION_MESSAGES = {
    "missing": "This field is required.",
    "extra_forbidden": "This field is not allowed.",
    "json_invalid": "The body is not valid JSON: %(detail)s",
    "string_too_short": "Too short: at least %(min_length)s characters.",
    "string_too_long": "Too long: at most %(max_length)s characters.",
    "too_short": "Too few items: at least %(min_length)s.",
    "too_long": "Too many items: at most %(max_length)s.",
    "enum": "Choose one of: %(expected)s.",
    "literal_error": "Choose one of: %(expected)s.",
    "int_parsing": "Give a whole number.",
    "int_type": "Give a whole number.",
    "float_parsing": "Give a number.",
    "float_type": "Give a number.",
    "bool_parsing": "Give true or false.",
    "bool_type": "Give true or false.",
    "string_type": "Give text.",
    "uuid_parsing": "Give a valid identifier (UUID).",
    "uuid_type": "Give a valid identifier (UUID).",
    "datetime_parsing": "Give a date and time in ISO 8601 format with a time zone.",
    "datetime_from_date_parsing": "Give a date and time in ISO 8601 format with a time zone.",
    "timezone_aware": "The time must include a time zone.",
    "date_parsing": "Give a date in ISO 8601 format (YYYY-MM-DD).",
    "value_error": "%(detail)s",
    "greater_than_equal": "Must be at least %(ge)s.",
    "less_than_equal": "Must be at most %(le)s.",
    "greater_than": "Must be more than %(gt)s.",
    "less_than": "Must be less than %(lt)s.",
    "list_type": "Give a list.",
    "dict_type": "Give an object.",
    "model_attributes_type": "Give an object.",
}
STATUS_TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}
BUSY_RETRY_AFTER_S = 1  # a group commit or a writer's transaction lasts milliseconds


def request_locale(request: Request) -> str:
    return str(getattr(request.state, "locale", "en"))


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or str(loc[0] if loc else "")


def validation_problems(exc: RequestValidationError, locale: str) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        kind = err.get("type", "")
        ctx = dict(err.get("ctx") or {})
        ctx.setdefault("detail", ctx.get("error", err.get("msg", "")))
        if kind in ("enum", "literal_error") and "expected" in ctx:
            ctx["expected"] = ctx["expected"]
        template = VALIDATION_MESSAGES.get(kind)
        if kind == RULE_ERROR_TYPE:
            template = str(ctx.pop("msgid"))
            ctx.pop("detail", None)
        try:
            message = (
                gettext(locale, template, **{k: str(v) for k, v in ctx.items()})
                if template
                else err.get("msg", "")
            )
        except (KeyError, ValueError):
            message = err.get("msg", "")
        # A JSON syntax error's location is a character offset, not a field: name the body.
        field = "body" if kind == "json_invalid" else _field_path(err.get("loc", ()))
        out.append({"field": field, "message": message, "type": kind})
    return out


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    code: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    locale = request_locale(request)
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + code,
        "title": gettext(locale, STATUS_TITLES.get(status, "Error")),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
    html_renderer = getattr(request.app.state, "render_html_problem", None)
    if not is_api(request) and html_renderer is not None:
        response: Response = html_renderer(request, body, headers)
        return response
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


def _problem_items(problems: list[FieldProblem], locale: str) -> list[dict[str, Any]]:
    return [
        {
            "field": p.field,
            "message": gettext(locale, p.message, **p.params)
            if p.params
            else gettext(locale, p.message),
        }
        for p in problems
    ]


async def handle_kohtaamo_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, KohtaamoError)
    locale = request_locale(request)
    params = {k: v for k, v in exc.params.items() if isinstance(v, str | int | float)}
    try:
        detail = gettext(locale, exc.message, **params) if params else gettext(locale, exc.message)
    except (KeyError, ValueError):
        detail = gettext(locale, exc.message)
    return problem_response(
        request,
        exc.status,
        detail,
        code=exc.code,
        errors=_problem_items(exc.problems, locale) or None,
        headers=exc.headers,
    )


async def handle_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    locale = request_locale(request)
    return problem_response(
        request,
        422,
        gettext(locale, "Some of the input is not valid."),
        code="invalid_input",
        errors=validation_problems(exc, locale),
    )


def _allowed_methods(request: Request) -> str | None:
    """Every method any route serves at this path.

    The router names only the first route whose path matched, so ``Allow`` on a 405
    would miss e.g. POST when GET and POST of one path live in two functions.
    """
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods)) or None


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    locale = request_locale(request)
    detail = (
        exc.detail if isinstance(exc.detail, str) else STATUS_TITLES.get(exc.status_code, "Error")
    )
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        allowed = _allowed_methods(request)
        if allowed:
            headers["Allow"] = allowed
    return problem_response(
        request,
        exc.status_code,
        gettext(locale, detail),
        code=str(exc.status_code),
        headers=headers,
    )


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    # Never log request bodies: they may hold personal data.
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    locale = request_locale(request)
    return problem_response(
        request,
        500,
        gettext(locale, "Something went wrong on our side. Nothing you sent was lost; try again."),
        code="internal",
    )


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite giving up on its lock ("database is locked" / "busy")."""
    text = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, OperationalError) and (
        "database is locked" in text or "database is busy" in text
    )


async def handle_operational_error(request: Request, exc: Exception) -> Response:
    """A busy database is a 503 with Retry-After (the request may simply be sent again),
    never a 500; any other database failure is unexpected."""
    if not is_busy(exc):
        raise exc  # on to the server error handler: logged, a 500
    log.warning("database busy on %s %s: answered 503", request.method, request.url.path)
    retry = {"Retry-After": str(BUSY_RETRY_AFTER_S)}  # a header, not a message to translate
    busy = Unavailable(headers=retry)
    return await handle_kohtaamo_error(request, busy)
