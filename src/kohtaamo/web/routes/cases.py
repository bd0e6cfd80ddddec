"""The case inbox (``/cases``: mine, my team's, breaching soon, all open, closed, each
filterable by touchpoint, with counts per view) and the form for a manual case
(``/cases/new``). The case page and its forms live in ``case_page`` and ``case_forms``,
whose routers this one includes after its fixed addresses."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.accounts import repository as accounts_repo
from kohtaamo.cases import repository, service
from kohtaamo.cases.schemas import CaseIn
from kohtaamo.errors import InvalidInput, KohtaamoError
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import gettext
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.kit.clock import utcnow
from kohtaamo.web import case_view as cv
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.journey_report import touchpoint_name
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.routes import case_forms, case_page
from kohtaamo.web.routes.journeys import optional_id, validated
from kohtaamo.web.text_view import language_label

router = APIRouter(prefix="/cases")

Viewer = Annotated[WebContext, Depends(page_permission("cases.view"))]
Handler = Annotated[WebContext, Depends(page_permission("cases.handle"))]
PAGE_SIZE = 50


@router.get("", response_class=HTMLResponse)
def inbox(
    request: Request,
    ctx: Viewer,
    view: str = "mine",
    touchpoint: str = "",
    page: int = 1,
) -> Response:
    locale = locale_of(request)
    if view not in cv.VIEWS:
        view = "mine"
    touchpoint_id = _id_or_none(touchpoint)
    page = max(1, page)
    user_id = ctx.user.id
    with ctx.transaction(readonly=True) as session:
        filters: dict[str, Any] = {"user_id": user_id, "touchpoint_id": touchpoint_id}
        counts = {v: repository.count_inbox(session, view=v, **filters) for v in cv.VIEWS}
        found = repository.inbox(
            session, view=view, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, **filters
        )
        names = _names(session, locale)
        warn = cv.warn_before(session)
        now = utcnow()
        rows = [cv.inbox_row(locale, c, warn=warn, now=now, **names) for c in found]
    return render(
        request,
        "cases/inbox.html",
        active="cases",
        view=view,
        views=[(v, gettext(locale, text), counts[v]) for v, text in cv.VIEWS.items()],
        rows=rows,
        touchpoint=str(touchpoint_id or ""),
        touchpoints=_options(names["touchpoints"]),
        page=page,
        has_next=counts[view] > page * PAGE_SIZE,
        can_handle=ctx.may("cases.handle"),
        can_configure=ctx.may("cases.configure"),
    )


def _id_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None  # a mangled filter shows everything rather than an error page


def _names(session: Any, locale: str) -> dict[str, dict[uuid.UUID, str]]:
    """Names of the organisation's teams, people and touchpoints, by id."""
    return {
        "teams": {t.id: t.name for t in journeys_repo.teams(session)},
        "people": {m.user_id: m.user.name for m in accounts_repo.members(session)},
        "touchpoints": {
            t.id: touchpoint_name(t, locale) for t in journeys_repo.touchpoints(session)
        },
    }


def _options(names: dict[uuid.UUID, str]) -> list[tuple[str, str]]:
    return sorted(((str(i), n) for i, n in names.items()), key=lambda p: p[1].lower())


# --- a manual case --------------------------------------------------------------------


NEW_FIELDS = (
    "title",
    "description",
    "topic",
    "priority",
    "touchpoint_id",
    "customer_external_id",
    "contact_name",
    "contact_email",
    "language",
)


def _new_page(
    request: Request,
    ctx: WebContext,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    locale = locale_of(request)
    with ctx.transaction(readonly=True) as session:
        tps = {t.id: touchpoint_name(t, locale) for t in journeys_repo.touchpoints(session)}
    defaults = {name: "" for name in NEW_FIELDS} | {"priority": "normal", "language": locale}
    return render(
        request,
        "cases/new.html",
        status_code=status_code,
        active="cases",
        form=defaults | (form or {}),
        errors=errors or {},
        touchpoints=_options(tps),
        priorities=[(k, gettext(locale, v)) for k, v in cv.PRIORITIES.items()],
        languages=[(k, language_label(locale, k)) for k in cv.CASE_LANGUAGES],
    )


@router.get("/new", response_class=HTMLResponse)
def new_case(request: Request, ctx: Handler) -> Response:
    return _new_page(request, ctx)


@router.post("/new", dependencies=[Depends(verify_csrf)])
async def create_case(request: Request, ctx: Handler) -> Response:
    """A case a person opens by hand (a complaint by phone, at the counter, in a letter)."""
    raw = await request.form()
    form = {name: str(raw.get(name) or "")[:20000] for name in NEW_FIELDS}
    values: dict[str, Any] = {k: v.strip() for k, v in form.items()}
    values["description"] = form["description"]
    for name in ("customer_external_id", "contact_name", "contact_email", "priority"):
        values[name] = values[name] or None
    try:
        values["touchpoint_id"] = optional_id(values["touchpoint_id"], "touchpoint_id")
        data = validated(CaseIn, values)
        with ctx.transaction() as session:
            customer_id = None
            if data.customer_external_id:
                found = journeys_repo.customer(session, data.customer_external_id)
                if found is None:
                    raise InvalidInput(
                        "No customer has this identifier.", field="customer_external_id"
                    )
                customer_id = found.id
            case, _created = service.open_case(
                session,
                source="manual",
                topic=data.topic,
                title=data.title,
                description=data.description,
                customer_id=customer_id,
                touchpoint_id=data.touchpoint_id,
                priority=data.priority or "normal",
                language=data.language,
                contact_email=data.contact_email,
                contact_name=data.contact_name,
                actor=ctx.org_actor,
            )
            case_id = case.id
    except KohtaamoError as exc:
        errors = field_errors(locale_of(request), exc)
        return _new_page(request, ctx, form=form, errors=errors, status_code=exc.status)
    return RedirectResponse(f"/cases/{case_id}?done=opened", status_code=303)


# The case page and its forms take /cases/{case_id}: after /cases/new above.
router.include_router(case_page.router)
router.include_router(case_forms.router)
