"""The embeddable widget's API: a survey's live definition and its responses, by slug.

No credential: the slug (random, unguessable) names the survey and thereby its
organisation. The widget runs on the organisation's own site, so these requests are
cross-origin: an origin the survey lists in ``allowed_origins`` gets CORS approval (its
exact value echoed, no credentials); a submission from any other origin, or with no
Origin at all, is refused with 403 and stores nothing. Kiosks and other systems submit
through the keyed ``POST /surveys/{survey_id}/responses`` instead.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kohtaamo.api.responses import PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMA
from kohtaamo.config import Settings
from kohtaamo.errors import (
    InvalidInput,
    KohtaamoError,
    NotFound,
    PermissionDenied,
    TooManyRequests,
)
from kohtaamo.http.context import client_address, database, settings_of
from kohtaamo.journeys.ingest import problems_of
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys import service
from kohtaamo.surveys.abuse import RateLimiter, RateLimits, SubmissionLimits, client_hash
from kohtaamo.surveys.catalogue import ResponseChannel
from kohtaamo.surveys.definition import Lang
from kohtaamo.surveys.models import Survey
from kohtaamo.surveys.responses import Submission, live_version
from kohtaamo.surveys.schemas import SurveySettings
from kohtaamo.surveys.submit import store_submission
from kohtaamo.surveys.widget import (
    READS_PER_MINUTE,
    PublicResponseIn,
    PublicSubmitOut,
    PublicSurveyOut,
    allowed_origin,
    cors_headers,
    localise,
    pick_language,
    preflight_headers,
    submission_key,
)

router = APIRouter(prefix="/public/surveys", tags=["survey widget"])

Slug = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
_SLUG = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}}}


_NOT_FOUND = _problem("No such survey, or it is not published.")
_GONE = _problem("The survey is closed.")
_LIMITED = _problem("Too many requests from this address; see Retry-After.")
_REFUSED = _problem("The Origin is not one the survey allows (or there is none).")


class _Limits:
    """This app's limiters (kept on ``app.state``, so each app counts for itself)."""

    def __init__(self, settings: Settings) -> None:
        self.submissions = SubmissionLimits(
            RateLimits(
                per_client=settings.survey_submissions_per_client,
                per_organisation=settings.survey_submissions_per_organisation,
            )
        )
        self.reads = RateLimiter()


def _limits(request: Request) -> _Limits:
    state = request.app.state
    found = getattr(state, "survey_widget_limits", None)
    if found is None:
        found = _Limits(settings_of(request))
        state.survey_widget_limits = found
    return found


def _retry_after(seconds: int) -> dict[str, str]:
    return {"Retry-After": str(max(1, seconds))}


def _check_reads(request: Request) -> None:
    wait = _limits(request).reads.take(("widget-read", client_address(request)), READS_PER_MINUTE)
    if wait is not None:
        headers = cors_headers(None) | _retry_after(int(wait) + 1)
        raise TooManyRequests(headers=headers)


@contextmanager
def _survey(request: Request, slug: str, *, readonly: bool) -> Iterator[tuple[Session, Survey]]:
    """The slug's survey in a transaction of its organisation; errors carry ``Vary``."""
    db = database(request)
    organisation: uuid.UUID | None = None
    if _SLUG.match(slug):
        with db.transaction(None, readonly=True) as session:
            organisation = repo.organisation_of_slug(session, slug)
    if organisation is None:
        raise NotFound("No such survey.", headers=cors_headers(None))
    with db.transaction(organisation, readonly=readonly) as session:
        survey = repo.survey_by_slug(session, slug)
        if survey is None:  # pragma: no cover - deleted between the two lookups
            raise NotFound("No such survey.", headers=cors_headers(None))
        yield session, survey


def _approved(request: Request, survey: Survey) -> str | None:
    settings = SurveySettings.model_validate(survey.settings or {})
    return allowed_origin(settings, request.headers.get("origin"))


def _with_cors(exc: KohtaamoError, origin: str | None) -> KohtaamoError:
    exc.headers = cors_headers(origin) | exc.headers
    return exc


@router.get(
    "/{slug}",
    response_model=PublicSurveyOut,
    summary="A survey's live definition, for the widget",
    responses={404: _NOT_FOUND, 410: _GONE, 429: _LIMITED},
)
def public_survey(
    request: Request,
    response: Response,
    slug: Slug,
    lang: Annotated[
        Lang | None, Query(description="The questions in this language; none: all languages")
    ] = None,
) -> PublicSurveyOut:
    """With `lang`, `survey` has every text in that language (else the survey's default
    language) and the widget's own words; without, `definition` has all languages.
    `widget` says when the widget shows the survey. Sites in the survey's allowed
    origins get CORS approval."""
    _check_reads(request)
    origin: str | None = None
    try:
        with _survey(request, slug, readonly=True) as (session, survey):
            origin = _approved(request, survey)
            version = live_version(session, survey)
            definition = service.definition_of(version)
            widget = SurveySettings.model_validate(survey.settings or {}).widget
    except KohtaamoError as exc:
        raise _with_cors(exc, origin) from None
    response.headers.update(cors_headers(origin))
    language = pick_language(definition, lang) if lang is not None else None
    return PublicSurveyOut(
        slug=slug,
        version=version.number,
        language=language,
        languages=list(definition.languages),
        widget=widget,
        survey=localise(definition, language) if language is not None else None,
        definition=definition if language is None else None,
    )


@router.options(
    "/{slug}/responses",
    status_code=204,
    summary="CORS preflight of a widget submission",
    responses={
        204: {"description": "The origin may send responses"},
        403: _REFUSED,
        404: _NOT_FOUND,
        429: _LIMITED,
    },
)
def preflight(request: Request, slug: Slug) -> Response:
    """Approves `POST` with a JSON body from the survey's allowed origins only."""
    _check_reads(request)
    with _survey(request, slug, readonly=True) as (_session, survey):
        origin = _approved(request, survey)
    method = request.headers.get("access-control-request-method", "POST").upper()
    if origin is None or method not in ("POST", "GET"):
        raise PermissionDenied(
            "This site may not send responses to this survey.", headers={"Vary": "Origin"}
        )
    return Response(status_code=204, headers=preflight_headers(origin))


_RESPONSE_BODY = {
    "required": True,
    "content": {"application/json": {"schema": PublicResponseIn.model_json_schema()}},
}


@router.post(
    "/{slug}/responses",
    response_model=PublicSubmitOut,
    status_code=201,
    summary="Send a response from the widget",
    openapi_extra={"requestBody": _RESPONSE_BODY},
    responses={
        200: {"description": "A retry: the response was stored earlier", "model": PublicSubmitOut},
        403: _REFUSED,
        404: _NOT_FOUND,
        410: _GONE,
        429: _LIMITED,
    },
)
async def submit(request: Request, slug: Slug) -> JSONResponse:
    """Only from the survey's allowed origins (the browser's `Origin`). The body is read
    whatever its content type, so a "simple" cross-origin post without a preflight is
    refused here too. `idempotency_key`: made once per answer by the widget; a retry
    with it answers 200 and stores nothing new. `website` must stay empty."""
    raw = await request.body()
    return await run_in_threadpool(_submit, request, slug, raw)


def _parse(raw: bytes) -> PublicResponseIn:
    try:
        return PublicResponseIn.model_validate_json(raw)
    except ValidationError as exc:
        raise InvalidInput(problems=problems_of(exc)) from None


def _submit(request: Request, slug: str, raw: bytes) -> JSONResponse:
    origin: str | None = None
    address = client_address(request)
    secret = settings_of(request).secret_key
    try:
        # Checks first, in a read-only transaction: the write (below) holds no lock
        # while they run, and joins concurrent submissions' commit on SQLite.
        with _survey(request, slug, readonly=True) as (_session, survey):
            origin = _approved(request, survey)
            body = _parse(raw)
            if origin is None:
                raise PermissionDenied("This site may not send responses to this survey.")
            wait = _limits(request).submissions.check(
                str(survey.organisation_id), str(survey.id), client_hash(secret, address)
            )
            if wait is not None:
                raise TooManyRequests(headers=_retry_after(wait))
            organisation, survey_id = survey.organisation_id, survey.id
        context = {"page": body.page} if body.page else {}
        stored = store_submission(
            database(request),
            organisation,
            survey_id,
            Submission(
                answers=dict(body.answers),
                language=body.language,
                finished=body.finished,
                channel=ResponseChannel.WIDGET,
                context=context,
                idempotency_key=submission_key(body.idempotency_key),
                client_hash=client_hash(secret, address),
                started_at=body.started_at,
                honeypot=bool(body.website),
            ),
        )
        thanks = ""
        if stored.finished:
            lang = pick_language(stored.definition, stored.language)
            thanks = localise(stored.definition, lang).thanks
        out = PublicSubmitOut(created=stored.created, finished=stored.finished, thanks=thanks)
    except KohtaamoError as exc:
        raise _with_cors(exc, origin) from None
    return JSONResponse(
        out.model_dump(mode="json"),
        status_code=201 if stored.created else 200,
        headers=cors_headers(origin),
    )
