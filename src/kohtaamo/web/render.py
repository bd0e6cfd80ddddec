"""Rendering pages: one Jinja2 environment, translations per request, the navigation."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.routing import Match

from kohtaamo.accounts.permissions import ROLE_LABELS, Permission, Role
from kohtaamo.errors import KohtaamoError
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_, gettext, ngettext
from kohtaamo.web.deps import web_user
from kohtaamo.web.security import (
    PRESESSION_COOKIE,
    SESSION_COOKIE,
    begin_presession,
    current_csrf_token,
    set_cookie,
)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.autoescape = True

DEFAULT_TIMEZONE = "Europe/Helsinki"
# The language switcher names each language in that language, so anyone can find theirs.
LANGUAGES: tuple[tuple[str, str], ...] = (("fi", "Suomi"), ("en", "English"))


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    path: str
    permission: str
    summary: str = ""  # one line: the overview card and the top of the area's page
    upcoming: str = ""  # what the area will hold, said while it is still empty


# The areas of the product, in menu order. Later issues fill each area.
NAVIGATION: tuple[NavItem, ...] = (
    NavItem("overview", N_("Overview"), "/", "org.view"),
    NavItem(
        "journeys",
        N_("Journeys"),
        "/journeys",
        "journeys.view",
        N_("Customer journeys, their stages and touchpoints, and the paths customers take."),
        N_(
            "Model your customer journeys as stages and touchpoints, then see from "
            "interaction data which paths customers really take and where they drop off."
        ),
    ),
    NavItem(
        "feedback",
        N_("Feedback"),
        "/feedback",
        "feedback.view",
        N_("Surveys at touchpoints and what customers answer."),
        N_(
            "Ask customers at each touchpoint what they expected and what they got, "
            "and read their answers as they arrive."
        ),
    ),
    NavItem(
        "analytics",
        N_("Analytics"),
        "/analytics",
        "analytics.view",
        N_("NPS, satisfaction and effort, and the gap between expectation and experience."),
        N_(
            "Follow NPS, CSAT and customer effort over time with confidence intervals, "
            "compare segments, and find the touchpoints that matter most for loyalty."
        ),
    ),
    NavItem(
        "text",
        N_("Text"),
        "/text",
        "text.view",
        N_("Themes, sentiment and emotions in open comments."),
        N_(
            "Read what customers say in their own words: themes, sentiment and emotions "
            "in open comments, in Finnish and English."
        ),
    ),
    NavItem(
        "cases",
        N_("Cases"),
        "/cases",
        "cases.view",
        N_("Service recovery: every unhappy customer gets an answer."),
        N_(
            "When a customer has a bad experience, a case opens here: acknowledge, "
            "apologise, fix it and follow up until the loop is closed."
        ),
    ),
    NavItem(
        "programme",
        N_("Programme"),
        "/programme",
        "programme.view",
        N_("The desired customer experience, its standards, measures and actions."),
        N_(
            "Write down the customer experience you want to deliver, the standards that "
            "carry it at each touchpoint, how you measure it and what you will do next."
        ),
    ),
    NavItem("settings", N_("Settings"), "/settings", "org.view"),
)
NAV_BY_KEY: dict[str, NavItem] = {item.key: item for item in NAVIGATION}
AREAS: tuple[NavItem, ...] = tuple(item for item in NAVIGATION if item.summary)


def role_label(locale: str, role: Role | str) -> str:
    en, fi = ROLE_LABELS[Role(role)]
    return fi if locale == "fi" else en


def permission_label(locale: str, permission: Permission) -> str:
    return permission.label_fi if locale == "fi" else permission.label_en


def format_when(locale: str, timezone: str, value: datetime | None) -> str:
    """A stored UTC time as the organisation's local time, in the reader's language."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value, format="short", tzinfo=ZoneInfo(timezone), locale=locale)


# Field names as errors name them, in words (the problem page lists wrong fields).
FIELD_LABELS: dict[str, str] = {
    "email": N_("E-mail address"),
    "password": N_("Password"),
    "name": N_("Name"),
    "role": N_("Role"),
    "scopes": N_("Scopes"),
    "locale": N_("Language"),
    "organisation_id": N_("Organisation"),
}


def error_text(locale: str, exc: KohtaamoError) -> str:
    """The error's message in the reader's language, its placeholders filled in."""
    params = {k: v for k, v in exc.params.items() if isinstance(v, str | int | float)}
    try:
        return gettext(locale, exc.message, **params)
    except (KeyError, ValueError):
        return gettext(locale, exc.message)


def field_errors(locale: str, exc: KohtaamoError) -> dict[str, str]:
    """Messages by field for showing next to a form's inputs; ``""`` holds the rest."""
    out: dict[str, str] = {}
    for problem in exc.problems:
        try:
            out.setdefault(problem.field, gettext(locale, problem.message, **problem.params))
        except (KeyError, ValueError):
            out.setdefault(problem.field, gettext(locale, problem.message))
    if not out:
        out[""] = error_text(locale, exc)
    return out


def _here(request: Request) -> str:
    """Where the language switcher returns to: this page, if it can be opened with GET."""
    path = request.url.path
    if request.method in ("GET", "HEAD"):
        return path
    as_get = {**request.scope, "method": "GET"}
    for route in request.app.router.routes:
        if route.matches(as_get)[0] == Match.FULL:
            return path
    return "/"


def page_context(request: Request, **values: Any) -> dict[str, Any]:
    locale = str(getattr(request.state, "locale", "fi"))
    web = getattr(request.state, "web", None)
    nav = [item for item in NAVIGATION if web is not None and web.may(item.permission)]
    org = getattr(web, "current_org", None)
    timezone = getattr(org, "timezone", None) or DEFAULT_TIMEZONE
    return {
        "request": request,
        "locale": locale,
        "_": partial(gettext, locale),
        "_n": partial(ngettext, locale),
        "csrf_token": current_csrf_token(request),
        "web": web,
        "nav": nav,
        "languages": LANGUAGES,
        "here": _here(request),
        "role_label": partial(role_label, locale),
        "permission_label": partial(permission_label, locale),
        "when": partial(format_when, locale, timezone),
        "field_labels": FIELD_LABELS,
        **values,
    }


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    return templates.TemplateResponse(
        request, template, page_context(request, **values), status_code=status_code
    )


def render_login(
    request: Request,
    *,
    error: str | None = None,
    status_code: int = 200,
    email: str = "",
    next: str = "/",
    password_saved: bool = False,
) -> Response:
    """The sign-in form, with a pre-session cookie for its CSRF token when there is none.

    ``error`` must already be in the reader's language.
    """
    fresh = begin_presession(request)
    response = render(
        request,
        "auth/login.html",
        status_code=status_code,
        next=next,
        error=error,
        email=email,
        password_saved=password_saved,
    )
    if fresh:
        set_cookie(request, response, PRESESSION_COOKIE, fresh, max_age=3600)
    return response


# The framework's own errors (an unknown address, a wrong method) carry English status
# phrases as their detail; the pages say it in words instead.
FRAMEWORK_DETAILS: dict[int, str] = {
    404: N_("There is no page at this address."),
    405: N_("This address does not accept this kind of request."),
}


def render_problem(
    request: Request, problem: dict[str, Any], headers: dict[str, str] | None
) -> Response:
    """The app-wide HTML error renderer (registered on app.state by the app factory)."""
    if problem["status"] == 401:
        target = "/login?next=" + quote(request.url.path)
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    signed_in = request.cookies.get(SESSION_COOKIE)
    if getattr(request.state, "web", None) is None and signed_in and problem["status"] < 500:
        # An error outside a page's own checks (an unknown address, say): still show
        # the signed-in layout, in the user's language, when the session is valid.
        with suppress(KohtaamoError):
            web_user(request)
    status = int(problem["status"])
    if str(problem["type"]).endswith(f"/{status}") and status in FRAMEWORK_DETAILS:
        problem = problem | {"detail": gettext(locale_of(request), FRAMEWORK_DETAILS[status])}
    if request.url.path == "/login" and request.method == "POST":
        # An expired form or a malformed field on sign-in: show the form again, not a
        # dead end, so the next attempt carries a fresh token.
        response = render_login(request, error=problem["detail"], status_code=problem["status"])
    else:
        response = render(
            request, "errors/problem.html", status_code=problem["status"], problem=problem
        )
    response.headers.update(headers or {})
    return response
