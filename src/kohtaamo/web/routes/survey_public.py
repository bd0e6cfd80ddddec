"""The respondent's survey pages: ``/s/<slug>``, public, one page of questions at a time.

No sign-in: the slug names the survey and so its organisation. Each rendered page
carries a signed form token (``surveys.abuse``): it binds the post to that page and
says when the first page was shown, for the plausible-time check. Pages are saved as
they are sent (``responses.do_submit``), resumable through a cookie (or the personal
link's token); show-if logic is evaluated here between pages and, when JavaScript runs,
within a page by ``static/respond.js``. Errors are shown in the respondent's language
in the respondent layout, never the staff one. Finding the survey, its version and the
response being resumed is in ``web/respond_lookup.py``.
"""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import FormData

from kohtaamo.errors import (
    Conflict,
    InvalidInput,
    KohtaamoError,
    TooManyRequests,
)
from kohtaamo.http.context import client_address, database, settings_of
from kohtaamo.surveys import invitations
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys.abuse import (
    FormToken,
    client_hash,
    read_form_token,
    sign_form_token,
)
from kohtaamo.surveys.answers import check_answers
from kohtaamo.surveys.catalogue import ResponseChannel
from kohtaamo.surveys.definition import Page, SurveyDefinition
from kohtaamo.surveys.responses import Submission, do_submit
from kohtaamo.web.respond_lookup import (
    definition_of,
    existing_response,
    fallback_language,
    live_survey,
    organisation_of,
    resume_hash,
    submission_limits,
    survey_language,
)
from kohtaamo.web.respond_view import (
    field_errors,
    form_answers,
    hidden_from_link,
    next_page,
    page_values,
    render_respondent,
    shown_on_page,
)

router = APIRouter()

RESUME_COOKIE = "kohtaamo_resume"
RESUME_MAX_AGE = 30 * 86400
TOKEN_FIELD = "form_token"
HONEYPOT_FIELD = "website"  # a field people never see and bots love to fill in


@dataclass
class Visit:
    """What one request learnt about the survey and the respondent, for rendering."""

    slug: str
    definition: SurveyDefinition
    language: str
    invitation_token: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)
    form: FormToken | None = None
    new_resume: str = ""  # a resume token to set as the cookie


def _token_for(request: Request, visit: Visit, page: Page, base: FormToken) -> str:
    now = time.time()
    fresh = FormToken(
        slug=visit.slug,
        page=page.key,
        submission=secrets.token_urlsafe(16),
        issued_at=now,
        started_at=base.started_at,
        language=visit.language,
        resume=base.resume,
        hidden=base.hidden,
        honeypot=base.honeypot,
    )
    return sign_form_token(settings_of(request).secret_key, fresh)


def _show(
    request: Request,
    visit: Visit,
    page: Page,
    *,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
) -> Response:
    assert visit.form is not None
    definition = visit.definition
    shown = shown_on_page(definition, page, visit.answers)
    response = render_respondent(
        request,
        "respond/page.html",
        visit.language,
        status_code=status_code,
        definition=definition,
        slug=visit.slug,
        page=page,
        questions=shown,
        first=page.key == definition.pages[0].key,
        number=definition.pages.index(page) + 1,
        last=next_page(definition, visit.answers, visit.done | {page.key}) is None,
        values=page_values(shown, values if values is not None else visit.answers),
        errors=errors or {},
        general=general or [],
        form_token=_token_for(request, visit, page, visit.form),
        invitation_token=visit.invitation_token,
        honeypot_field=HONEYPOT_FIELD,
    )
    if visit.new_resume:
        response.set_cookie(
            RESUME_COOKIE,
            visit.new_resume,
            max_age=RESUME_MAX_AGE,
            path=f"/s/{visit.slug}",
            httponly=True,
            samesite="lax",
            secure=settings_of(request).cookie_secure,
        )
    return response


def _thanks(request: Request, visit: Visit) -> Response:
    return render_respondent(
        request, "respond/thanks.html", visit.language, definition=visit.definition, slug=visit.slug
    )


def _problem(
    request: Request, exc: KohtaamoError, language: str, slug: str, languages: list[str]
) -> Response:
    return render_respondent(
        request,
        "respond/problem.html",
        language,
        status_code=exc.status,
        headers=exc.headers,
        message=exc.message,
        params=exc.params,
        status=exc.status,
        slug=slug,
        survey_languages=languages,
    )


@router.get("/s/{slug}")
def survey_page(request: Request, slug: str, lang: str | None = None, t: str = "") -> Response:
    """Show the page the respondent is at: the first, or where they left off."""
    language = fallback_language(request)
    languages: list[str] = []
    try:
        org = organisation_of(request, slug)
        with database(request).transaction(org, readonly=not t) as session:
            survey = live_survey(repo.survey_by_slug(session, slug))
            version_id, definition = definition_of(session, survey)
            language = survey_language(request, definition, lang)
            languages = list(definition.languages)
            invitation = invitations.invitation_for_token(session, survey, t) if t else None
            if invitation is not None:
                invitations.mark_opened(invitation)
            resume = "" if invitation else request.cookies.get(RESUME_COOKIE, "")[:64]
            existing = existing_response(session, invitation, resume)
            if existing is not None and (
                existing.finished_at is not None or existing.survey_id != survey.id
            ):
                existing = None  # a finished response: this visit starts a new one
            visit = Visit(slug, definition, language, invitation_token=t)
            if existing is not None:
                if existing.version_id != version_id:
                    _, visit.definition = definition_of(session, survey, existing.version_id)
                visit.answers, visit.done = dict(existing.answers), set(existing.pages_done)
            elif invitation is None:
                resume = secrets.token_urlsafe(24)
                visit.new_resume = resume
    except KohtaamoError as exc:
        return _problem(request, exc, language, slug, languages)
    now = time.time()
    hidden = hidden_from_link(request, visit.definition)
    visit.form = FormToken(slug, "", "", now, now, language, resume=resume, hidden=hidden)
    page = next_page(visit.definition, visit.answers, visit.done) or visit.definition.pages[-1]
    return _show(request, visit, page)


@router.post("/s/{slug}")
async def survey_post(request: Request, slug: str) -> Response:
    """Save one page's answers; show the next page, the same page with errors, or thanks."""
    form = await request.form()
    return await run_in_threadpool(_submit, request, slug, form)


def _submit(request: Request, slug: str, form: FormData) -> Response:
    secret = settings_of(request).secret_key
    sent = form.get(TOKEN_FIELD)
    token = read_form_token(
        secret, sent if isinstance(sent, str) else "", slug=slug, now=time.time()
    )
    language = token.language if token else fallback_language(request)
    languages: list[str] = []
    t = str(form.get("t") or "")
    org: uuid.UUID | None = None
    visit: Visit | None = None
    page: Page | None = None
    following: Page | None = None
    honeypot = False
    values: dict[str, Any] = {}
    try:
        org = organisation_of(request, slug)
        address = client_address(request)
        wait = submission_limits(request).check(str(org), slug, address)
        if wait is not None:
            raise TooManyRequests(
                "Too many answers from your connection. Wait a moment and try again.",
                headers={"Retry-After": str(wait)},
            )
        if token is None:
            raise InvalidInput("The form has expired. Reload the page and try again.")
        with database(request).transaction(org) as session:
            survey = live_survey(repo.survey_by_slug(session, slug))
            version_id, definition = definition_of(session, survey)
            languages = list(definition.languages)
            invitation = invitations.invitation_for_token(session, survey, t) if t else None
            existing = existing_response(session, invitation, token.resume)
            if existing is not None and existing.version_id != version_id:
                _, definition = definition_of(session, survey, existing.version_id)
            earlier = dict(existing.answers) if existing is not None else {}
            done = set(existing.pages_done) if existing is not None else set()
            visit = Visit(slug, definition, language, t, earlier, done, token)
            page = next((p for p in definition.pages if p.key == token.page), None)
            if page is None:  # the survey changed under the form: show where they are
                raise InvalidInput("The form has expired. Reload the page and try again.")
            values = form_answers(form, shown_on_page(definition, page, earlier))
            answers = {**values, **token.hidden}
            clean, problems = check_answers(
                definition, {**earlier, **answers}, finished=False, pages=done | {page.key}
            )
            if problems:
                raise InvalidInput(problems=problems)
            following = next_page(definition, clean, done | {page.key})
            honeypot = token.honeypot or bool(form.get(HONEYPOT_FIELD))
            do_submit(
                session,
                survey,
                Submission(
                    answers=answers,
                    language=language,
                    finished=following is None,
                    channel=ResponseChannel.EMAIL if invitation else ResponseChannel.LINK,
                    pages={page.key},
                    idempotency_key=f"form:{token.submission}" if following is None else None,
                    client_hash=client_hash(secret, address),
                    started_at=datetime.fromtimestamp(token.started_at, UTC),
                    honeypot=honeypot,
                    invitation=invitation,
                    resume_hash=resume_hash(token.resume)
                    if token.resume and not invitation
                    else None,
                ),
            )
            visit.answers, visit.done = clean, done | {page.key}
    except InvalidInput as exc:
        if visit is None or page is None or not exc.problems:
            return _problem(request, exc, language, slug, languages)
        errors, general = field_errors(exc.problems, page, language)
        return _show(
            request, visit, page, status_code=422, values=values, errors=errors, general=general
        )
    except Conflict as exc:
        if visit is not None and org is not None and _already_finished(request, org, visit.form):
            return _thanks(request, visit)
        return _problem(request, exc, language, slug, languages)
    except KohtaamoError as exc:
        return _problem(request, exc, language, slug, languages)
    if following is None:
        return _thanks(request, visit)
    visit.form = FormToken(
        slug, "", "", 0, token.started_at, language, token.resume, token.hidden, honeypot
    )
    return _show(request, visit, following)


def _already_finished(request: Request, org: uuid.UUID, token: FormToken | None) -> bool:
    """Whether this very form was sent before and finished a response (a double click)."""
    if token is None:
        return False
    with database(request).transaction(org, readonly=True) as session:
        found = repo.response_by_idempotency_key(session, f"form:{token.submission}")
        return found is not None and found.finished_at is not None
