"""Finding what a respondent's request is about: the organisation a survey's slug names,
the live survey and the definition of the version answered, the respondent's language,
the response being resumed, and the submission rate limits.

Published versions and slugs never change, so both are kept in small in-process caches:
the public survey page is the busiest page of the app (``bench/responses.py``).
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import OrderedDict
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from kohtaamo.errors import Gone, NotFound
from kohtaamo.http.context import database, settings_of
from kohtaamo.i18n import RESPONDENT_LANGUAGES, negotiate
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys.abuse import RateLimits, SubmissionLimits
from kohtaamo.surveys.catalogue import SurveyStatus
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.models import Survey, SurveyInvitation, SurveyResponse

_CACHE_SIZE = 2048


class _Cache:
    """A small thread-safe LRU map: published versions and slugs never change."""

    def __init__(self) -> None:
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
            return self._data.get(key)

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            while len(self._data) > _CACHE_SIZE:
                self._data.popitem(last=False)


_organisations = _Cache()  # slug -> organisation id
_definitions = _Cache()  # (survey id, version number) or version id -> (version id, definition)
_limits_lock = threading.Lock()


def organisation_of(request: Request, slug: str) -> uuid.UUID:
    """The organisation whose survey ``slug`` names (NotFound for an unknown slug)."""
    found: uuid.UUID | None = _organisations.get(slug)
    if found is None:
        if len(slug) > 32:
            raise NotFound("No such survey.")
        with database(request).transaction(None, readonly=True) as session:
            found = repo.organisation_of_slug(session, slug)
        if found is None:
            raise NotFound("No such survey.")
        _organisations.put(slug, found)
    return found


def live_survey(survey: Survey | None) -> Survey:
    """``survey`` if it takes responses: NotFound when missing or a draft, Gone when closed."""
    if survey is None or survey.status == SurveyStatus.DRAFT or survey.live_version is None:
        raise NotFound("No such survey.")
    if survey.status == SurveyStatus.CLOSED:
        raise Gone("This survey is closed and no longer takes responses.")
    return survey


def definition_of(
    session: Session, survey: Survey, version_id: uuid.UUID | None = None
) -> tuple[uuid.UUID, SurveyDefinition]:
    """The live version's definition, or the one ``version_id`` names (parsed once)."""
    key: Any = version_id or (survey.id, survey.live_version)
    cached = _definitions.get(key)
    if cached is None:
        found = (
            repo.version_by_id(session, version_id)
            if version_id is not None
            else repo.version(session, survey.id, survey.live_version or 0)
        )
        if found is None:
            raise NotFound("No such survey.")
        cached = (found.id, SurveyDefinition.model_validate(found.definition))
        _definitions.put(key, cached)
        _definitions.put(found.id, cached)
    return cached


def submission_limits(request: Request) -> SubmissionLimits:
    """The app's per-client and per-organisation submission limits (made on first use)."""
    state = request.app.state
    with _limits_lock:
        limits: SubmissionLimits | None = getattr(state, "survey_limits", None)
        if limits is None:
            settings = settings_of(request)
            limits = SubmissionLimits(
                RateLimits(
                    settings.survey_submissions_per_client,
                    settings.survey_submissions_per_organisation,
                )
            )
            state.survey_limits = limits
    return limits


def survey_language(request: Request, definition: SurveyDefinition, asked: str | None) -> str:
    """``?lang=`` if the survey has it, else the browser's choice among them, else default."""
    languages = tuple(definition.languages)
    if asked in languages:
        return str(asked)
    return negotiate(request.headers.get("accept-language"), definition.default_language, languages)


def resume_hash(value: str) -> str:
    """How the database keeps a resume cookie's token."""
    return hashlib.sha256(value.encode()).hexdigest()


def fallback_language(request: Request) -> str:
    """The respondent's language before the survey is known (for error pages)."""
    asked = request.query_params.get("lang")
    if asked in RESPONDENT_LANGUAGES:
        return str(asked)
    return negotiate(request.headers.get("accept-language"), "fi", RESPONDENT_LANGUAGES)


def existing_response(
    session: Session, invitation: SurveyInvitation | None, resume: str
) -> SurveyResponse | None:
    """The response a personal link or a resume cookie continues, if any."""
    if invitation is not None:
        return repo.response_of_invitation(session, invitation.id)
    if resume:
        return repo.response_by_resume_hash(session, resume_hash(resume))
    return None
