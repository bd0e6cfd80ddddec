"""Rendering pages: one Jinja2 environment, translations per request, the navigation."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from kohtaamo.i18n import N_, gettext, ngettext
from kohtaamo.web.security import current_csrf_token

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.autoescape = True


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    path: str
    permission: str


# The areas of the product, in menu order. Later issues fill each area.
NAVIGATION: tuple[NavItem, ...] = (
    NavItem("overview", N_("Overview"), "/", "org.view"),
    NavItem("journeys", N_("Journeys"), "/journeys", "journeys.view"),
    NavItem("feedback", N_("Feedback"), "/feedback", "feedback.view"),
    NavItem("analytics", N_("Analytics"), "/analytics", "analytics.view"),
    NavItem("text", N_("Text"), "/text", "text.view"),
    NavItem("cases", N_("Cases"), "/cases", "cases.view"),
    NavItem("programme", N_("Programme"), "/programme", "programme.view"),
    NavItem("settings", N_("Settings"), "/settings", "org.view"),
)


def page_context(request: Request, **values: Any) -> dict[str, Any]:
    locale = str(getattr(request.state, "locale", "fi"))
    web = getattr(request.state, "web", None)
    nav = [item for item in NAVIGATION if web is not None and web.may(item.permission)]
    return {
        "request": request,
        "locale": locale,
        "_": partial(gettext, locale),
        "ngettext": partial(ngettext, locale),
        "csrf_token": current_csrf_token(request),
        "web": web,
        "nav": nav,
        **values,
    }


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    return templates.TemplateResponse(
        request, template, page_context(request, **values), status_code=status_code
    )


def render_problem(
    request: Request, problem: dict[str, Any], headers: dict[str, str] | None
) -> Response:
    """The app-wide HTML error renderer (registered on app.state by the app factory)."""
    if problem["status"] == 401:
        target = "/login?next=" + quote(request.url.path)
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    response = render(
        request, "errors/problem.html", status_code=problem["status"], problem=problem
    )
    response.headers.update(headers or {})
    return response
