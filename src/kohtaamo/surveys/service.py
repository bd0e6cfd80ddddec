"""Use cases of surveys and their versions.

Services flush, never commit. Editing a published survey makes a new draft version;
publishing freezes it and makes it the one respondents get. Responses are in
``responses``; invitations in ``invitations``; journey triggers in ``triggers``.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.errors import Conflict, InvalidInput, NotFound
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.kit.clock import utcnow
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys.catalogue import SurveyStatus
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.models import Survey, SurveyVersion
from kohtaamo.surveys.schemas import SurveyIn, SurveyOut, SurveySettings, SurveyUpdate


def new_slug() -> str:
    """A public link name: 12 url-safe characters (72 bits), unguessable."""
    return secrets.token_urlsafe(9)


def get_survey(session: Session, actor: Actor, survey_id: uuid.UUID) -> Survey:
    actor.require("feedback.view")
    found = repo.survey(session, survey_id)
    if found is None:
        raise NotFound("No such survey.")
    return found


def list_surveys(session: Session, actor: Actor, *, status: str | None = None) -> list[SurveyOut]:
    actor.require("feedback.view")
    counts = repo.response_counts(session)
    return [
        survey_out(session, s, counts.get(s.id, (0, 0)))
        for s in repo.surveys(session, status=status)
    ]


def survey_out(
    session: Session, survey: Survey, counts: tuple[int, int] | None = None
) -> SurveyOut:
    latest = repo.latest_version(session, survey.id)
    touchpoint = (
        journeys_repo.touchpoint(session, survey.touchpoint_id) if survey.touchpoint_id else None
    )
    if counts is None:
        counts = repo.response_counts(session).get(survey.id, (0, 0))
    return SurveyOut(
        id=survey.id,
        key=survey.key,
        name=survey.name,
        kind=survey.kind,
        status=survey.status,
        slug=survey.slug,
        touchpoint=touchpoint.key if touchpoint else None,
        live_version=survey.live_version,
        latest_version=latest.number if latest else 0,
        has_draft=latest is not None and latest.published_at is None,
        settings=SurveySettings.model_validate(survey.settings or {}),
        finished_responses=counts[0],
        partial_responses=counts[1],
        created_at=survey.created_at,
        updated_at=survey.updated_at,
    )


def definition_of(version: SurveyVersion) -> SurveyDefinition:
    """A stored definition (validated when it was saved)."""
    return SurveyDefinition.model_validate(version.definition)


def _touchpoint_id(session: Session, key: str | None, field: str) -> uuid.UUID | None:
    if key is None:
        return None
    found = journeys_repo.touchpoint_by_key(session, key)
    if found is None:
        raise InvalidInput("No touchpoint has this key.", field=field)
    return found.id


def check_definition_touchpoints(session: Session, definition: SurveyDefinition) -> None:
    known = journeys_repo.touchpoint_keys(session)
    missing = sorted(definition.touchpoint_keys() - known.keys())
    if missing:
        raise InvalidInput(
            "Questions refer to touchpoints that are not in the catalogue: %(keys)s.",
            field="definition",
            keys=", ".join(missing),
        )


def do_create_survey(session: Session, actor: Actor, data: SurveyIn) -> Survey:
    actor.require("feedback.edit")
    if repo.survey_by_key(session, data.key) is not None:
        raise Conflict("A survey with this key already exists.", field="key")
    check_definition_touchpoints(session, data.definition)
    survey = Survey(
        key=data.key,
        name=data.name,
        kind=data.kind.value,
        status=SurveyStatus.DRAFT.value,
        slug=new_slug(),
        touchpoint_id=_touchpoint_id(session, data.touchpoint, "touchpoint"),
        settings=data.settings.model_dump(mode="json"),
    )
    session.add(survey)
    session.flush()
    session.add(
        SurveyVersion(
            survey_id=survey.id, number=1, definition=data.definition.model_dump(mode="json")
        )
    )
    session.flush()
    return survey


def do_update_survey(
    session: Session, actor: Actor, survey_id: uuid.UUID, data: SurveyUpdate
) -> Survey:
    actor.require("feedback.edit")
    survey = get_survey(session, actor, survey_id)
    if data.name is not None:
        survey.name = data.name
    if data.kind is not None:
        survey.kind = data.kind.value
    if "touchpoint" in data.model_fields_set:
        survey.touchpoint_id = _touchpoint_id(session, data.touchpoint, "touchpoint")
    if data.settings is not None:
        survey.settings = data.settings.model_dump(mode="json")
    session.flush()
    return survey


def do_save_definition(
    session: Session, actor: Actor, survey_id: uuid.UUID, definition: SurveyDefinition
) -> SurveyVersion:
    """Save into the draft version; a published survey gets a new draft (n + 1)."""
    actor.require("feedback.edit")
    survey = get_survey(session, actor, survey_id)
    check_definition_touchpoints(session, definition)
    latest = repo.latest_version(session, survey.id)
    doc = definition.model_dump(mode="json")
    if latest is not None and latest.published_at is None:
        latest.definition = doc
        session.flush()
        return latest
    version = SurveyVersion(
        survey_id=survey.id, number=(latest.number + 1) if latest else 1, definition=doc
    )
    session.add(version)
    survey.updated_at = utcnow()
    session.flush()
    return version


def do_publish(session: Session, actor: Actor, survey_id: uuid.UUID) -> SurveyVersion:
    """Freeze the latest version and let respondents answer it (opens a draft survey)."""
    actor.require("feedback.edit")
    survey = get_survey(session, actor, survey_id)
    latest = repo.latest_version(session, survey.id)
    if latest is None:
        raise Conflict("This survey has no questions to publish.")
    if latest.published_at is not None and survey.live_version == latest.number:
        if survey.status != SurveyStatus.OPEN:
            survey.status = SurveyStatus.OPEN.value
            session.flush()
        return latest
    definition = definition_of(latest)
    check_definition_touchpoints(session, definition)
    latest.published_at = utcnow()
    survey.live_version = latest.number
    survey.status = SurveyStatus.OPEN.value
    session.flush()
    return latest


def do_close(session: Session, actor: Actor, survey_id: uuid.UUID) -> Survey:
    actor.require("feedback.edit")
    survey = get_survey(session, actor, survey_id)
    if survey.live_version is None:
        raise Conflict("A survey that was never published cannot be closed.")
    survey.status = SurveyStatus.CLOSED.value
    session.flush()
    return survey


def do_reopen(session: Session, actor: Actor, survey_id: uuid.UUID) -> Survey:
    actor.require("feedback.edit")
    survey = get_survey(session, actor, survey_id)
    if survey.live_version is None:
        raise Conflict("Publish the survey first.")
    survey.status = SurveyStatus.OPEN.value
    session.flush()
    return survey


def do_delete_survey(session: Session, actor: Actor, survey_id: uuid.UUID) -> None:
    """Only a survey nobody has answered may be deleted; others are closed instead."""
    actor.require("feedback.edit")
    survey = get_survey(session, actor, survey_id)
    if repo.response_counts(session).get(survey.id, (0, 0)) != (0, 0):
        raise Conflict("This survey has responses. Close it instead of deleting it.")
    session.delete(survey)
    session.flush()


def get_version(
    session: Session, actor: Actor, survey_id: uuid.UUID, number: int | None = None
) -> SurveyVersion:
    """A version by number; ``None``: the latest (the draft if there is one)."""
    survey = get_survey(session, actor, survey_id)
    found = (
        repo.latest_version(session, survey.id)
        if number is None
        else repo.version(session, survey.id, number)
    )
    if found is None:
        raise NotFound("No such survey version.")
    return found


def parse_definition_or_problems(data: Any) -> SurveyDefinition:
    """A definition from JSON-like data, or InvalidInput listing every problem."""
    from kohtaamo.journeys.ingest import problems_of

    try:
        return SurveyDefinition.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(problems=problems_of(exc)) from exc
