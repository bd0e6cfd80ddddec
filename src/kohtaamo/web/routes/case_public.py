"""The customer's case pages, public by link: ``/c/<token>`` shows the messages of
their case and takes a reply; ``/c/<token>/followup`` asks whether it was put right.

No sign-in: the token in the address is the key, and it names the organisation, whose
transaction is then opened (see ``cases.links``). The pages speak the case's language
(fi, en or sv; ``?lang=`` switches) in the respondent layout. Forms carry a signed form
token like the survey pages; no rate limit (one customer, one case: the link is theirs).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from kohtaamo.cases import links, public
from kohtaamo.cases.models import Case
from kohtaamo.errors import InvalidInput, KohtaamoError, NotFound
from kohtaamo.http.context import database, settings_of
from kohtaamo.i18n import RESPONDENT_LANGUAGES, gettext, negotiate
from kohtaamo.web.render import templates

router = APIRouter()

NAMES = {"fi": "Suomi", "en": "English", "sv": "Svenska"}


def _tenant(token: str) -> uuid.UUID:
    found = links.organisation_of_token(token)
    if found is None:
        raise NotFound("This link is not valid.")
    return found


def _language(request: Request, case: Case | None, asked: str | None = None) -> str:
    if asked in RESPONDENT_LANGUAGES:
        return str(asked)
    asked = request.query_params.get("lang")
    if asked in RESPONDENT_LANGUAGES:
        return str(asked)
    if case is not None and case.language in RESPONDENT_LANGUAGES:
        return case.language
    return negotiate(request.headers.get("accept-language"), "fi", RESPONDENT_LANGUAGES)


def _page(
    request: Request,
    template: str,
    lang: str,
    *,
    token: str = "",
    path: str = "",
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    """A customer's page in ``lang``, in the respondent layout."""
    switch = (
        [(code, NAMES[code], f"{path}?lang={code}") for code in RESPONDENT_LANGUAGES]
        if path
        else []
    )
    context = {
        "lang": lang,
        "_": lambda message, **params: gettext(lang, message, **params),
        "languages": switch,
        "token": token,
        **values,
    }
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    response.headers["content-language"] = lang
    # The link is the customer's key: keep it out of other sites' Referer headers.
    response.headers["referrer-policy"] = "no-referrer"
    response.headers["cache-control"] = "no-store"
    return response


def _problem(request: Request, exc: KohtaamoError, lang: str) -> HTMLResponse:
    return _page(
        request,
        "cases/public_problem.html",
        lang,
        status_code=exc.status,
        message=exc.message,
        params=exc.params,
        status=exc.status,
    )


def _errors(lang: str, exc: InvalidInput) -> dict[str, str]:
    """Messages by field; one without a field (an expired form) under "form"."""
    found = {p.field: gettext(lang, p.message, **p.params) for p in exc.problems}
    return found or {"form": gettext(lang, exc.message, **exc.params)}


# --- reading and replying ----------------------------------------------------------------


def _case_page(
    request: Request,
    token: str,
    lang: str | None = None,
    *,
    body: str = "",
    error: InvalidInput | None = None,
    status_code: int = 200,
    sent: bool = False,
) -> Response:
    language = _language(request, None, lang)
    try:
        with database(request).transaction(_tenant(token), readonly=True) as session:
            case = public.case_for_token(session, token)
            language = _language(request, case, lang)
            messages = public.conversation(session, case)
    except KohtaamoError as exc:
        return _problem(request, exc, language)
    secret = settings_of(request).secret_key
    return _page(
        request,
        "cases/public_case.html",
        language,
        token=token,
        path=f"/c/{token}",
        status_code=status_code,
        case=case,
        messages=messages,
        form_token=public.form_token(secret, token, "reply", language),
        body=body,
        errors=_errors(language, error) if error else {},
        sent=sent,
        followup_open=public.followup_open(case),
    )


@router.get("/c/{token}")
def case_page(request: Request, token: str, sent: str = "") -> Response:
    """The customer's case: the messages both ways and a form to reply."""
    return _case_page(request, token, sent=sent == "1")


@router.post("/c/{token}")
async def case_reply(request: Request, token: str) -> Response:
    """The customer's reply: it lands on the case; then back to the page (303)."""
    form = await request.form()
    return await run_in_threadpool(_reply, request, token, form)


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _reply(request: Request, token: str, form: FormData) -> Response:
    body = _field(form, "body")
    lang: str | None = None
    try:
        sent = public.read_form(
            settings_of(request).secret_key, token, "reply", _field(form, "form_token")
        )
        lang = sent.language
        with database(request).transaction(_tenant(token)) as session:
            public.receive_reply(session, token, body, submission=sent.submission)
    except InvalidInput as exc:  # shown again, what they wrote kept, with a fresh form
        return _case_page(request, token, lang, body=body, error=exc, status_code=422)
    except KohtaamoError as exc:
        return _problem(request, exc, lang or _language(request, None))
    return RedirectResponse(f"/c/{token}?sent=1&lang={lang}", status_code=303)


# --- the follow-up -----------------------------------------------------------------------


def _followup_page(
    request: Request,
    token: str,
    lang: str | None = None,
    *,
    values: dict[str, str] | None = None,
    error: InvalidInput | None = None,
    status_code: int = 200,
) -> Response:
    language = _language(request, None, lang)
    try:
        with database(request).transaction(_tenant(token), readonly=True) as session:
            case = public.case_for_token(session, token)
            language = _language(request, case, lang)
            if not public.followup_open(case):
                raise public.not_asked_yet()
    except KohtaamoError as exc:
        return _problem(request, exc, language)
    earlier = {
        "outcome": case.followup_outcome or "",
        "score": "" if case.followup_score is None else str(case.followup_score),
        "comment": case.followup_comment,
    }
    return _page(
        request,
        "cases/public_followup.html",
        language,
        token=token,
        path=f"/c/{token}/followup",
        status_code=status_code,
        case=case,
        answered=case.followup_at is not None,
        values=values if values is not None else earlier,
        errors=_errors(language, error) if error else {},
        outcomes=[(k, gettext(language, v)) for k, v in public.OUTCOMES.items()],
        form_token=public.form_token(settings_of(request).secret_key, token, "followup", language),
    )


@router.get("/c/{token}/followup")
def followup_page(request: Request, token: str) -> Response:
    """The follow-up question, with the earlier answer when there is one."""
    return _followup_page(request, token)


@router.post("/c/{token}/followup")
async def followup_post(request: Request, token: str) -> Response:
    """Store the answer (the last one wins) and thank the customer."""
    form = await request.form()
    return await run_in_threadpool(_followup, request, token, form)


def _followup(request: Request, token: str, form: FormData) -> Response:
    values = {k: _field(form, k) for k in ("outcome", "score", "comment")}
    lang: str | None = None
    try:
        sent = public.read_form(
            settings_of(request).secret_key, token, "followup", _field(form, "form_token")
        )
        lang = sent.language
        answer = public.parse_followup(values["outcome"], values["score"], values["comment"])
        with database(request).transaction(_tenant(token)) as session:
            _, updated = public.record_followup(session, token, answer)
    except InvalidInput as exc:  # shown again, the answers kept, with a fresh form
        return _followup_page(request, token, lang, values=values, error=exc, status_code=422)
    except KohtaamoError as exc:
        return _problem(request, exc, lang or _language(request, None))
    return _page(
        request,
        "cases/public_thanks.html",
        lang,
        token=token,
        updated=updated,
        outcome=answer.outcome,
    )
