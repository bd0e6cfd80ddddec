"""The CX description (asiakaskokemuskuvaus): the page ``/programme/description``, its
PDF ``/programme/description.pdf?lang=fi|en`` (both programme.view), and the form for
its own words ``/programme/description/edit`` (programme.edit). The PDF is the same
document with print CSS, rendered by WeasyPrint offline (no address is fetched)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.accounts import repository as accounts_repo
from kohtaamo.errors import InvalidInput, KohtaamoError
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.kit.clock import utcnow
from kohtaamo.programme import description
from kohtaamo.programme.schemas import DescriptionIn
from kohtaamo.programme.status import programme_status
from kohtaamo.programme.tree import load_pyramid
from kohtaamo.web import programme_document
from kohtaamo.web.analytics_view import analytics_source
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.journey_report import touchpoint_name
from kohtaamo.web.render import field_errors, render, templates
from kohtaamo.web.routes.analytics_report import OfflineFetcher
from kohtaamo.web.routes.settings import flash_of
from kohtaamo.web.validation import parsed

router = APIRouter(prefix="/programme/description")

Viewer = Annotated[WebContext, Depends(page_permission("programme.view"))]
Editor = Annotated[WebContext, Depends(page_permission("programme.edit"))]
LANGUAGES = ("fi", "en")
FIELDS = ("title_fi", "title_en", "promise_fi", "promise_en", "closing_fi", "closing_en")
DONE = {"saved": N_("The description was saved.")}


def _document(
    request: Request, ctx: WebContext, locale: str
) -> tuple[programme_document.Document, str, str]:
    with ctx.transaction(readonly=True) as session:
        words = description.peek(session)
        pyramid = load_pyramid(session)
        tps = {t.id: touchpoint_name(t, locale) for t in journeys_repo.touchpoints(session)}
        teams = {t.id: t.name for t in journeys_repo.teams(session)}
        editor = ""
        if words.updated_by is not None:
            people = {m.user_id: m.user.name for m in accounts_repo.members(session)}
            editor = people.get(words.updated_by, "")
    status = programme_status(
        analytics_source(request), ctx.org_actor.organisation_id, pyramid, with_trend=False
    )
    doc = programme_document.build(locale, words, pyramid, status, tps, teams)
    org_name = ctx.current_org.name if ctx.current_org else ""
    return doc, org_name, editor


@router.get("", response_class=HTMLResponse)
def description_page(request: Request, ctx: Viewer, done: str | None = None) -> Response:
    locale = locale_of(request)
    doc, org_name, editor = _document(request, ctx, locale)
    return render(
        request,
        "programme/description.html",
        active="programme",
        doc=doc,
        org_name=org_name,
        editor=editor,
        today=utcnow().date().isoformat(),
        flash=flash_of(request, done, DONE),
    )


@router.get(".pdf")
def description_pdf(request: Request, ctx: Viewer, lang: str = "") -> Response:
    from weasyprint import HTML

    locale = lang or locale_of(request)
    if locale not in LANGUAGES:
        raise InvalidInput("Choose Finnish or English.", field="lang")
    doc, org_name, editor = _document(request, ctx, locale)
    html = templates.env.get_template("programme/description_pdf.html").render(
        locale=locale,
        _=lambda msgid, **kw: gettext(locale, msgid, **kw),
        doc=doc,
        org_name=org_name,
        editor=editor,
        today=utcnow().date().isoformat(),
    )
    pdf = bytes(HTML(string=html, url_fetcher=OfflineFetcher()).write_pdf())
    slug = ctx.current_org.slug if ctx.current_org else "organisation"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "content-disposition": f'attachment; filename="cx-description-{slug}-{locale}.pdf"',
            "cache-control": "no-store",
        },
    )


def _form_page(
    request: Request,
    ctx: WebContext,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "programme/description_edit.html",
        active="programme",
        values=values,
        errors=errors or {},
        status_code=status_code,
    )


@router.get("/edit", response_class=HTMLResponse)
def edit_form(request: Request, ctx: Editor) -> Response:
    with ctx.transaction(readonly=True) as session:
        words = description.peek(session)
        values = {f: str(getattr(words, f)) for f in FIELDS}
    return _form_page(request, ctx, values)


@router.post("/edit", dependencies=[Depends(verify_csrf)])
def save(
    request: Request,
    ctx: Editor,
    title_fi: Annotated[str, Form(max_length=400)] = "",
    title_en: Annotated[str, Form(max_length=400)] = "",
    promise_fi: Annotated[str, Form(max_length=16000)] = "",
    promise_en: Annotated[str, Form(max_length=16000)] = "",
    closing_fi: Annotated[str, Form(max_length=8000)] = "",
    closing_en: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    values = {
        "title_fi": title_fi,
        "title_en": title_en,
        "promise_fi": promise_fi,
        "promise_en": promise_en,
        "closing_fi": closing_fi,
        "closing_en": closing_en,
    }
    try:
        data = parsed(DescriptionIn, values)
        with ctx.transaction() as session:
            description.update_texts(session, data, ctx.org_actor)
    except KohtaamoError as exc:
        errors = field_errors(locale_of(request), exc)
        return _form_page(request, ctx, values, errors, exc.status)
    return RedirectResponse("/programme/description?done=saved", status_code=303)
