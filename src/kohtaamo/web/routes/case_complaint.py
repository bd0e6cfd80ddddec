"""The organisation's public complaint form: ``/o/<organisation slug>/complaint``.

No sign-in: the organisation's short name in the address names the tenant. Organisations
are not tenant data, so finding it needs no bypass of the tenancy filter; the
organisation's transaction is then opened as the survey pages do. The page speaks the
customer's language (fi, en, sv; ``?lang=`` switches, else the browser's choice) in the
respondent layout. The form carries a signed form token (``surveys.abuse``) bound to the
organisation — it stands in for a session, and its submission id is the complaint's
origin key, so sending the same form twice opens one case — and a honeypot field;
submissions share the survey pages' rate limits.
"""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from kohtaamo.accounts import repository as accounts_repo
from kohtaamo.cases import complaints
from kohtaamo.errors import InvalidInput, KohtaamoError, NotFound, TooManyRequests
from kohtaamo.http.context import client_address, database, settings_of
from kohtaamo.i18n import RESPONDENT_LANGUAGES, gettext, negotiate
from kohtaamo.surveys.abuse import FormToken, client_hash, read_form_token, sign_form_token
from kohtaamo.web.render import templates
from kohtaamo.web.respond_lookup import submission_limits

router = APIRouter()

NAMES = {"fi": "Suomi", "en": "English", "sv": "Svenska"}
FIELDS = ("name", "email", "text", "touchpoint")
HONEYPOT_FIELD = "website"
FORM = "complaint"
SLUG_MAX = 80


def _binding(org_slug: str) -> str:
    # Survey slugs never contain ":": this token can never pass for a survey page's.
    return f"complaint:{org_slug}"


def _organisation(request: Request, org_slug: str) -> tuple[uuid.UUID, str]:
    """(id, name) of the organisation the address names, or NotFound."""
    if not org_slug or len(org_slug) > SLUG_MAX:
        raise NotFound("No such organisation.")
    with database(request).transaction(None, readonly=True) as session:
        org = accounts_repo.organisation_by_slug(session, org_slug)
        if org is None:
            raise NotFound("No such organisation.")
        return org.id, org.name


def _language(request: Request, asked: str | None = None) -> str:
    for value in (asked, request.query_params.get("lang")):
        if value in RESPONDENT_LANGUAGES:
            return str(value)
    return negotiate(request.headers.get("accept-language"), "fi", RESPONDENT_LANGUAGES)


def _page(
    request: Request,
    template: str,
    lang: str,
    *,
    path: str = "",
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    switch = [(c, NAMES[c], f"{path}?lang={c}") for c in RESPONDENT_LANGUAGES] if path else []
    context = {
        "lang": lang,
        "_": lambda message, **params: gettext(lang, message, **params),
        "languages": switch,
        **values,
    }
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    response.headers["content-language"] = lang
    response.headers["cache-control"] = "no-store"
    response.headers.update(headers or {})
    return response


def _problem(request: Request, exc: KohtaamoError, lang: str) -> HTMLResponse:
    return _page(
        request,
        "cases/public_complaint_problem.html",
        lang,
        status_code=exc.status,
        headers=exc.headers,
        message=exc.message,
        params=exc.params,
        status=exc.status,
    )


def _form_page(
    request: Request,
    org_slug: str,
    lang: str | None = None,
    *,
    values: dict[str, str] | None = None,
    error: InvalidInput | None = None,
    status_code: int = 200,
) -> Response:
    language = _language(request, lang)
    try:
        org_id, org_name = _organisation(request, org_slug)
        with database(request).transaction(org_id, readonly=True) as session:
            places = complaints.touchpoints(session, language)
    except KohtaamoError as exc:
        return _problem(request, exc, language)
    now = time.time()
    token = FormToken(_binding(org_slug), FORM, secrets.token_urlsafe(16), now, now, language)
    errors = (
        {p.field: gettext(language, p.message, **p.params) for p in error.problems}
        or {"form": gettext(language, error.message, **error.params)}
        if error
        else {}
    )
    return _page(
        request,
        "cases/public_complaint.html",
        language,
        path=f"/o/{org_slug}/complaint",
        status_code=status_code,
        org_slug=org_slug,
        organisation=org_name,
        places=places,
        values=values or {},
        errors=errors,
        form_token=sign_form_token(settings_of(request).secret_key, token),
        honeypot_field=HONEYPOT_FIELD,
        text_max=complaints.TEXT_MAX,
    )


@router.get("/o/{org_slug}/complaint")
def complaint_form(request: Request, org_slug: str) -> Response:
    """The complaint form of the organisation, in the customer's language."""
    return _form_page(request, org_slug)


@router.post("/o/{org_slug}/complaint")
async def complaint_post(request: Request, org_slug: str) -> Response:
    """Open a complaint case and thank the customer with its number; a form with
    mistakes comes back with what they wrote kept."""
    form = await request.form()
    return await run_in_threadpool(_submit, request, org_slug, form)


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _submit(request: Request, org_slug: str, form: FormData) -> Response:
    values = {name: _field(form, name) for name in FIELDS}
    secret = settings_of(request).secret_key
    token = read_form_token(
        secret, _field(form, "form_token"), slug=_binding(org_slug), now=time.time()
    )
    lang = token.language if token is not None and token.page == FORM else None
    try:
        org_id, org_name = _organisation(request, org_slug)
        if lang is None:
            raise InvalidInput("The form has expired. Reload the page and try again.")
        address = client_address(request)
        wait = submission_limits(request).check(str(org_id), FORM, client_hash(secret, address))
        if wait is not None:
            raise TooManyRequests(
                "Too many messages from your connection. Wait a moment and try again.",
                headers={"Retry-After": str(wait)},
            )
        assert token is not None
        number = None
        if not _field(form, HONEYPOT_FIELD):  # a bot filled the trap: thank it, keep nothing
            with database(request).transaction(org_id) as session:
                sent = complaints.parse_form(session, values)
                case, _ = complaints.open_complaint(
                    session,
                    title=complaints.title_of(sent.text),
                    description=sent.text,
                    contact_email=sent.email,
                    contact_name=sent.name or None,
                    touchpoint_id=sent.touchpoint_id,
                    language=lang,
                    origin_key=f"complaint-form:{token.submission}",
                )
                number = case.number
    except InvalidInput as exc:  # shown again with what they wrote, and a fresh form
        return _form_page(request, org_slug, lang, values=values, error=exc, status_code=422)
    except KohtaamoError as exc:
        return _problem(request, exc, lang or _language(request))
    assert lang is not None  # an expired form was refused above
    return _page(
        request,
        "cases/public_complaint_thanks.html",
        lang,
        organisation=org_name,
        number=number,
    )
