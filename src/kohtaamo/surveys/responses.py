"""Responses: every way an answer arrives ends here (public link, e-mail link, widget,
API, kiosk, demo).

A response is saved page by page while partial and finished once; a finished response
never changes. An idempotency key stores a retried submission once; an invitation has
at most one response (a unique column). Responses caught by the anti-abuse checks are
kept with a flag, contribute no measures and notify nobody.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from kohtaamo.errors import Conflict, Gone, InvalidInput, NotFound
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.journeys.models import Customer
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import after_commit
from kohtaamo.storage.tenancy import require_tenant
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys.answers import check_answers, measures
from kohtaamo.surveys.catalogue import ResponseChannel, SurveyStatus
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.models import (
    Survey,
    SurveyInvitation,
    SurveyMeasure,
    SurveyResponse,
    SurveyVersion,
)
from kohtaamo.surveys.schemas import SurveySettings


@dataclass
class Submission:
    """What a respondent sent, with what the channel knows about them."""

    answers: dict[str, Any]
    language: str
    finished: bool
    channel: ResponseChannel
    pages: set[str] | None = None  # page keys this submission completes (page by page)
    customer_external_id: str | None = None
    context: dict[str, str] = field(default_factory=dict)
    event_key: str | None = None
    idempotency_key: str | None = None
    client_hash: str | None = None
    started_at: datetime | None = None
    honeypot: bool = False  # the hidden field bots fill in was filled in
    invitation: SurveyInvitation | None = None
    resume_hash: str | None = None  # continue the partial response this cookie started


@dataclass(frozen=True)
class FinishedResponse:
    """What observers (case rules, text analytics, invitations) hear after commit."""

    organisation_id: uuid.UUID
    response_id: uuid.UUID
    survey_id: uuid.UUID
    customer_id: uuid.UUID | None
    touchpoint_id: uuid.UUID | None


Observer = Callable[[FinishedResponse], None]
_observers: list[Observer] = []


def subscribe(callback: Observer) -> Callable[[], None]:
    """Hear of every finished, unflagged response after its commit; returns unsubscribe."""
    _observers.append(callback)
    return lambda: _observers.remove(callback)


TxHook = Callable[[Session, FinishedResponse], None]
_tx_hooks: list[TxHook] = []


def on_finished(hook: TxHook) -> Callable[[], None]:
    """Run ``hook`` inside the transaction that finishes a response, after its measures
    are written: for work that must be exactly as durable as the response (enqueue a
    job, write a row). Registering the same hook twice keeps one. Returns unregister."""
    if hook not in _tx_hooks:
        _tx_hooks.append(hook)
    return lambda: _tx_hooks.remove(hook) if hook in _tx_hooks else None


def _check_open(survey: Survey) -> int:
    if survey.status == SurveyStatus.DRAFT or survey.live_version is None:
        raise NotFound("No such survey.")
    if survey.status == SurveyStatus.CLOSED:
        raise Gone("This survey is closed and no longer takes responses.")
    return survey.live_version


def live_version(session: Session, survey: Survey) -> SurveyVersion:
    """The version respondents answer, or why they cannot (404 draft, 410 closed)."""
    found = repo.version(session, survey.id, _check_open(survey))
    if found is None:  # pragma: no cover - live_version always names a stored version
        raise NotFound("No such survey.")
    return found


# Published versions never change, so each is read and parsed once per process rather
# than on every submission (a query and a pydantic validation of the whole document).
_PUBLISHED_MAX = 1024
_published: OrderedDict[tuple[uuid.UUID, int], tuple[uuid.UUID, SurveyDefinition]] = OrderedDict()
_published_lock = threading.Lock()


def _parsed(version: SurveyVersion) -> tuple[uuid.UUID, SurveyDefinition]:
    return version.id, SurveyDefinition.model_validate(version.definition)


def _published_version(
    survey_id: uuid.UUID, number: int, load: Callable[[], SurveyVersion | None]
) -> tuple[uuid.UUID, SurveyDefinition] | None:
    """(id, definition) of a survey's version ``number``, cached once it is published."""
    key = (survey_id, number)
    with _published_lock:
        found = _published.get(key)
        if found is not None:
            _published.move_to_end(key)
            return found
    version = load()
    if version is None:
        return None
    found = _parsed(version)
    if version.published_at is not None:
        with _published_lock:
            _published[key] = found
            while len(_published) > _PUBLISHED_MAX:
                _published.popitem(last=False)
    return found


def _live(session: Session, survey: Survey) -> tuple[uuid.UUID, SurveyDefinition]:
    """:func:`live_version`'s id and definition (cached; the same 404 and 410)."""
    number = _check_open(survey)
    found = _published_version(survey.id, number, lambda: live_version(session, survey))
    assert found is not None  # live_version raises rather than return nothing
    return found


def live_document(session: Session, survey: Survey) -> tuple[uuid.UUID, SurveyDefinition]:
    """The live version's id and parsed definition, cached once published (the same 404
    and 410 as :func:`live_version`)."""
    return _live(session, survey)


def _existing(session: Session, sub: Submission) -> SurveyResponse | None:
    if sub.invitation is not None:
        return repo.response_of_invitation(session, sub.invitation.id)
    if sub.resume_hash is not None:
        return repo.response_by_resume_hash(session, sub.resume_hash)
    return None


def _customer_id(session: Session, sub: Submission) -> uuid.UUID | None:
    if sub.invitation is not None:
        return sub.invitation.customer_id
    if sub.customer_external_id is None:
        return None
    found = journeys_repo.customer(session, sub.customer_external_id)
    if found is None:  # like events: an unknown customer gets a bare profile
        found = Customer(external_id=sub.customer_external_id)
        session.add(found)
        session.flush()
    return found.id


def do_submit(session: Session, survey: Survey, sub: Submission) -> tuple[SurveyResponse, bool]:
    """Store a submission; returns the response and whether this call created it.

    Raises InvalidInput (every problem listed), NotFound (draft), Gone (closed) or
    Conflict (a finished response, a used invitation, a key used for another survey).
    """
    version_id, definition = _live(session, survey)
    if sub.idempotency_key is not None:
        earlier = repo.response_by_idempotency_key(session, sub.idempotency_key)
        if earlier is not None:
            if earlier.survey_id != survey.id:
                raise Conflict("This idempotency key was already used for another survey.")
            return earlier, False
    existing = _existing(session, sub)
    if existing is not None:
        if existing.finished_at is not None:
            raise Conflict("This response is finished and cannot be changed.")
        answered = repo.version_by_id(session, existing.version_id)
        if answered is not None:  # a response keeps the version it started on
            version_id, definition = _parsed(answered)
    merged = {**(existing.answers if existing else {}), **sub.answers}
    clean, problems = check_answers(definition, merged, finished=sub.finished, pages=sub.pages)
    if problems:
        raise InvalidInput(problems=problems)
    now = utcnow()
    if existing is None:
        response = SurveyResponse(
            survey_id=survey.id,
            version_id=version_id,
            channel=sub.channel.value,
            language=sub.language,
            answers=clean,
            pages_done=sorted(sub.pages or []),
            context=dict(sub.context),
            customer_id=_customer_id(session, sub),
            invitation_id=sub.invitation.id if sub.invitation else None,
            touchpoint_id=(sub.invitation.touchpoint_id if sub.invitation else None)
            or survey.touchpoint_id,
            event_key=sub.event_key or (sub.invitation.event_key if sub.invitation else None),
            idempotency_key=sub.idempotency_key,
            resume_hash=sub.resume_hash,
            client_hash=sub.client_hash,
            started_at=min(sub.started_at or now, now),
            updated_at=now,
        )
        try:
            with session.begin_nested():
                session.add(response)
                session.flush()
        except IntegrityError as exc:
            raise Conflict("This response was already submitted.") from exc
        created = True
    else:
        response = existing
        response.answers = clean
        response.pages_done = sorted(set(response.pages_done or []) | (sub.pages or set()))
        response.updated_at = now
        if response.idempotency_key is None:
            # The post that finishes a response saved page by page names it too, so
            # that this post, retried, finds it rather than a finished-response conflict.
            response.idempotency_key = sub.idempotency_key
        session.flush()
        created = False
    if sub.invitation is not None:
        _mark_invitation(sub.invitation, now, finished=sub.finished)
    if sub.finished:
        _finish(session, survey, definition, response, sub, now)
    return response, created


def _mark_invitation(invitation: SurveyInvitation, now: datetime, *, finished: bool) -> None:
    invitation.opened_at = invitation.opened_at or now
    invitation.started_at = invitation.started_at or now
    invitation.status = "finished" if finished else "started"
    if finished:
        invitation.finished_at = now


def _flag(survey: Survey, response: SurveyResponse, sub: Submission, now: datetime) -> str | None:
    if sub.honeypot:
        return "honeypot"
    settings = SurveySettings.model_validate(survey.settings or {})
    elapsed = (now - response.started_at).total_seconds()
    if sub.channel in (ResponseChannel.API, ResponseChannel.KIOSK) and sub.started_at is None:
        return None  # systems that do not say when the respondent started are not timed
    if elapsed < settings.min_seconds:
        return "too_fast"
    return None


def _finish(
    session: Session,
    survey: Survey,
    definition: SurveyDefinition,
    response: SurveyResponse,
    sub: Submission,
    now: datetime,
) -> None:
    reason = _flag(survey, response, sub, now)
    duration_ms = max(0, int((now - response.started_at).total_seconds() * 1000))
    # Conditional: of two concurrent finishes of one response, only one succeeds.
    done = session.execute(
        update(SurveyResponse)
        .where(SurveyResponse.id == response.id, SurveyResponse.finished_at.is_(None))
        .values(
            finished_at=now,
            duration_ms=duration_ms,
            flagged=reason is not None,
            flag_reason=reason,
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("This response is finished and cannot be changed.")
    # What the update stored, without reading the row back (it was flushed just before).
    for name, value in (
        ("finished_at", now),
        ("duration_ms", duration_ms),
        ("flagged", reason is not None),
        ("flag_reason", reason),
    ):
        set_committed_value(response, name, value)
    if reason is not None:
        return
    tp_ids = repo.touchpoint_ids(session, definition.touchpoint_keys())
    organisation_id = require_tenant(session)
    rows = [
        {
            "organisation_id": organisation_id,
            "response_id": response.id,
            "survey_id": survey.id,
            "question_key": m.question,
            "role": m.role.value,
            "value": m.value,
            "scale_min": m.scale_min,
            "scale_max": m.scale_max,
            "touchpoint_id": tp_ids.get(m.touchpoint) if m.touchpoint else response.touchpoint_id,
            "customer_id": response.customer_id,
            "answered_at": now,
        }
        for m in measures(definition, response.answers)
    ]
    if rows:  # one statement for all (nothing reads them back as objects)
        session.execute(insert(SurveyMeasure), rows)
    event = FinishedResponse(
        organisation_id=organisation_id,
        response_id=response.id,
        survey_id=survey.id,
        customer_id=response.customer_id,
        touchpoint_id=response.touchpoint_id,
    )
    for hook in list(_tx_hooks):
        hook(session, event)
    after_commit(session, lambda: _notify(event))


def _notify(event: FinishedResponse) -> None:
    for callback in list(_observers):
        callback(event)
