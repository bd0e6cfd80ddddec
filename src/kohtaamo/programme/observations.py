"""Employees' observations: submitted quickly from the front line (redacted of personal
data before they are stored), added to and voted for by colleagues, and decided by a
manager into an action or a standard, or declined with a reason. The submitter is told
what became of it, by e-mail in their language, in the same transaction as the decision."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import Organisation, User
from kohtaamo.errors import Conflict, InvalidInput, NotFound
from kohtaamo.i18n import gettext
from kohtaamo.journeys.models import Touchpoint
from kohtaamo.kit.clock import utcnow
from kohtaamo.mail.service import enqueue_mail
from kohtaamo.programme import service
from kohtaamo.programme.models import (
    Action,
    Observation,
    ObservationNote,
    ObservationVote,
    Standard,
)
from kohtaamo.programme.schemas import ActionIn, DecisionIn, NoteIn, ObservationIn
from kohtaamo.programme.vocab import OBSERVATION_STATUS_LABELS, ObservationStatus
from kohtaamo.storage.tenancy import require_tenant
from kohtaamo.text.redact import redact

DECIDED = frozenset(
    {ObservationStatus.ACTION, ObservationStatus.STANDARD, ObservationStatus.DECLINED}
)


def get(session: Session, observation_id: uuid.UUID) -> Observation:
    found = session.get(Observation, observation_id)
    if found is None:
        raise NotFound()
    return found


def board(
    session: Session, *, status: str | None = None, author_id: uuid.UUID | None = None
) -> Sequence[Observation]:
    """Most voted first, then newest."""
    query = select(Observation)
    if status:
        query = query.where(Observation.status == status)
    if author_id is not None:
        query = query.where(Observation.author_id == author_id)
    return session.scalars(
        query.order_by(Observation.votes.desc(), Observation.created_at.desc())
    ).all()


def submit(session: Session, data: ObservationIn, actor: Actor) -> Observation:
    actor.require("observations.submit")
    if data.touchpoint_id is not None and session.get(Touchpoint, data.touchpoint_id) is None:
        raise InvalidInput("There is no such touchpoint.", field="touchpoint_id")
    cleaned = redact(data.body)
    number = int(session.scalar(select(func.max(Observation.number))) or 0) + 1
    row = Observation(
        number=number,
        author_id=actor.user_id,
        touchpoint_id=data.touchpoint_id,
        kind=data.kind.value,
        body=cleaned.text,
        redactions=sum(cleaned.counts.values()),
    )
    session.add(row)
    session.flush()
    return row


def add_note(
    session: Session, observation_id: uuid.UUID, data: NoteIn, actor: Actor
) -> ObservationNote:
    actor.require("observations.submit")
    get(session, observation_id)
    note = ObservationNote(
        observation_id=observation_id, author_id=actor.user_id, body=redact(data.body).text
    )
    session.add(note)
    session.flush()
    return note


def notes(session: Session, observation_id: uuid.UUID) -> Sequence[ObservationNote]:
    query = select(ObservationNote).where(ObservationNote.observation_id == observation_id)
    return session.scalars(query.order_by(ObservationNote.created_at)).all()


def toggle_vote(session: Session, observation_id: uuid.UUID, actor: Actor) -> bool:
    """Vote, or take the vote back; returns whether the person now votes for it. The
    count is recounted from the votes in the same transaction, so it never drifts."""
    actor.require("observations.submit")
    row = get(session, observation_id)
    if actor.user_id is None:
        raise InvalidInput("Only people vote.")
    mine = (ObservationVote.observation_id == observation_id) & (
        ObservationVote.user_id == actor.user_id
    )
    voted = session.scalar(select(func.count()).select_from(ObservationVote).where(mine))
    if voted:
        session.execute(delete(ObservationVote).where(mine))
    else:
        session.add(ObservationVote(observation_id=observation_id, user_id=actor.user_id))
    session.flush()
    row.votes = int(
        session.scalar(
            select(func.count())
            .select_from(ObservationVote)
            .where(ObservationVote.observation_id == observation_id)
        )
        or 0
    )
    session.flush()
    return not voted


def decide(
    session: Session,
    observation_id: uuid.UUID,
    data: DecisionIn,
    actor: Actor,
    *,
    base_url: str,
) -> Observation:
    """Record what became of the observation and tell its submitter."""
    actor.require("programme.edit")
    row = get(session, observation_id)
    if row.status in DECIDED:
        raise Conflict("This observation has been decided already.", field="outcome")
    outcome = data.outcome
    if outcome == ObservationStatus.NEW:
        raise InvalidInput("Choose what becomes of the observation.", field="outcome")
    if outcome == ObservationStatus.DECLINED and not data.note:
        raise InvalidInput("Say why it was declined: the submitter will read it.", field="note")
    if outcome == ObservationStatus.STANDARD:
        if data.standard_id is None or session.get(Standard, data.standard_id) is None:
            raise InvalidInput("Choose the standard it changes.", field="standard_id")
        row.standard_id = data.standard_id
    if outcome == ObservationStatus.ACTION:
        title = data.action_title or row.body[:120]
        service.create_action(
            session,
            ActionIn(title=title, description=row.body, expected_effect=data.note),
            actor,
            observation_id=row.id,
        )
    row.status = outcome.value
    row.decision_note = data.note
    row.decided_by = actor.user_id
    row.decided_at = utcnow()
    session.flush()
    _tell_submitter(session, row, base_url)
    return row


def action_of(session: Session, observation_id: uuid.UUID) -> Action | None:
    return session.scalar(select(Action).where(Action.observation_id == observation_id))


def _tell_submitter(session: Session, row: Observation, base_url: str) -> None:
    if row.author_id is None:
        return
    author = session.get(User, row.author_id)
    if author is None or not author.is_active:
        return
    org = session.get(Organisation, require_tenant(session))
    locale = author.locale or (org.default_locale if org is not None else "fi")
    status = gettext(locale, OBSERVATION_STATUS_LABELS[ObservationStatus(row.status)])
    link = f"{base_url.rstrip('/')}/programme/observations/{row.id}"
    subject = gettext(
        locale, "Your observation #%(number)s: %(status)s", number=row.number, status=status
    )
    lines = [
        gettext(locale, "Thank you for your observation:"),
        "",
        f"  {row.body[:500]}",
        "",
        gettext(locale, "What became of it: %(status)s.", status=status),
    ]
    if row.decision_note:
        lines += ["", row.decision_note]
    lines += ["", link]
    enqueue_mail(session, to=author.email, subject=subject, text="\n".join(lines))
