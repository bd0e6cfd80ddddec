"""Personal single-use survey links sent by e-mail.

The token travels only in the link; the database keeps its SHA-256. A token opens its
invitation's survey until the invitation expires or its response is finished.

A sent link's token is derived from the invitation's id with the server's secret
(HMAC), so a reminder can repeat the very link of the first mail without the token
ever being stored. It starts with the survey's public slug: the opt-out page
``/s/optout/<token>`` learns the organisation from it, as the survey page does from its
address. Until the first mail leaves, ``token_hash`` holds the hash of a random token
nobody knows, so a queued invitation opens nothing.

Statuses: queued → sent → opened → started → finished, or bounced, opted_out, failed;
each has its timestamp column. Who may be invited (opt-outs, bounces, consent, the quiet
period) is decided in ``screening``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kohtaamo.errors import Conflict, Gone, NotFound
from kohtaamo.journeys.models import Customer
from kohtaamo.kit.clock import utcnow
from kohtaamo.kit.ids import new_id
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys.catalogue import LANGUAGES
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.models import Survey, SurveyInvitation, SurveyOptOut
from kohtaamo.surveys.schemas import SurveySettings
from kohtaamo.surveys.screening import CONSENT_KEY, email_hash, opted_out_hashes

STATUSES = ("queued", "sent", "opened", "started", "finished", "bounced", "opted_out", "failed")
# Invitations that may still get mail (the first one while queued, reminders after).
NOT_STARTED = ("queued", "sent", "opened")


def new_token() -> tuple[str, str]:
    """A fresh token (for the link) and its hash (for the database)."""
    token = secrets.token_urlsafe(24)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_for_token(session: Session, survey: Survey, token: str) -> SurveyInvitation:
    """The invitation a link's token names, if it may still be answered.

    NotFound: unknown or tampered token, or a token of another survey; Gone: expired;
    Conflict: already answered (the link works once).
    """
    if not token or len(token) > 100:
        raise NotFound("This survey link is not valid.")
    found = repo.invitation_by_token_hash(session, token_hash(token))
    if found is None or found.survey_id != survey.id:
        raise NotFound("This survey link is not valid.")
    if found.finished_at is not None:
        raise Conflict("You have already answered this survey. Thank you!")
    if found.expires_at <= utcnow():
        raise Gone("This survey link has expired.")
    return found


def mark_opened(invitation: SurveyInvitation) -> None:
    if invitation.opened_at is None:
        invitation.opened_at = utcnow()
        if invitation.status in ("queued", "sent"):
            invitation.status = "opened"


# --- links ------------------------------------------------------------------------------


def link_token(secret: str, slug: str, invitation_id: uuid.UUID) -> str:
    """The token of an invitation's links: ``<survey slug>.<HMAC of the id>``.

    Slugs are url-safe base64, which has no ".", so the slug is always recoverable.
    """
    mac = hmac.new(
        secret.encode("utf-8"), b"kohtaamo/survey-invitation/" + invitation_id.bytes, "sha256"
    ).digest()
    return f"{slug}.{base64.urlsafe_b64encode(mac[:24]).decode('ascii')}"


def slug_of_token(token: str) -> str | None:
    slug, dot, rest = token.partition(".")
    return slug if dot and slug and rest and len(token) <= 100 else None


def survey_link(base_url: str, slug: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/s/{slug}?t={token}"


def optout_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/s/optout/{token}"


# --- new invitations (who may be invited: ``screening``) --------------------------------


def language_for(customer: Customer, definition: SurveyDefinition, fallback: str | None) -> str:
    """The customer's language if the survey speaks it, else ``fallback``, else the
    survey's default language."""
    for candidate in ((customer.locale or "")[:2].lower(), fallback):
        if candidate and candidate in LANGUAGES and candidate in definition.languages:
            return candidate
    return definition.default_language


def new_invitation(
    session: Session,
    survey: Survey,
    customer: Customer,
    *,
    language: str,
    send_after: datetime,
    valid_days: int,
    now: datetime,
    campaign: str | None = None,
    trigger_id: uuid.UUID | None = None,
    event_key: str | None = None,
    touchpoint_id: uuid.UUID | None = None,
) -> SurveyInvitation:
    """A queued invitation (the caller enqueues its sending in the same transaction)."""
    assert customer.email
    invitation = SurveyInvitation(
        id=new_id(),
        survey_id=survey.id,
        customer_id=customer.id,
        email=customer.email.lower(),
        language=language,
        token_hash=new_token()[1],  # nobody knows this token: nothing opens until sent
        status="queued",
        trigger_id=trigger_id,
        campaign=campaign,
        event_key=event_key,
        touchpoint_id=touchpoint_id or survey.touchpoint_id,
        created_at=now,
        send_after=send_after,
        expires_at=max(send_after, now) + timedelta(days=valid_days),
    )
    session.add(invitation)
    return invitation


# --- sending outcomes -------------------------------------------------------------------


def mark_sent(
    invitation: SurveyInvitation, link_hash: str, *, reminder: bool, now: datetime
) -> None:
    invitation.token_hash = link_hash
    invitation.error = None
    if reminder:
        return  # counted when it was queued (see ``claim_reminders``)
    invitation.sent_at = now
    if invitation.status == "queued":
        invitation.status = "sent"


def mark_failed(invitation: SurveyInvitation, error: str) -> None:
    """A mail that could not be delivered (refused, or retries ran out)."""
    invitation.error = error[:500]
    if invitation.status in NOT_STARTED:
        invitation.status = "failed"


def claim_reminders(session: Session, now: datetime, *, limit: int = 500) -> list[SurveyInvitation]:
    """Invitations due a reminder now, counted as reminded (so no tick queues one twice).

    Due: sent or opened but not started, not expired, fewer than the survey's
    ``max_reminders`` so far, and ``reminder_after_days`` since the last mail.
    """
    due: list[SurveyInvitation] = []
    for survey in session.scalars(select(Survey).where(Survey.status == "open")):
        settings = SurveySettings.model_validate(survey.settings or {})
        if settings.max_reminders == 0:
            continue
        cutoff = now - timedelta(days=settings.reminder_after_days)
        found = session.scalars(
            select(SurveyInvitation)
            .where(
                SurveyInvitation.survey_id == survey.id,
                SurveyInvitation.status.in_(("sent", "opened")),
                SurveyInvitation.expires_at > now,
                SurveyInvitation.reminders_sent < settings.max_reminders,
                func.coalesce(SurveyInvitation.last_reminder_at, SurveyInvitation.sent_at)
                <= cutoff,
            )
            .order_by(SurveyInvitation.sent_at)
            .limit(limit - len(due))
        )
        due.extend(found)
        if len(due) >= limit:
            break
    opted = opted_out_hashes(session, [i.email for i in due])
    kept = [i for i in due if email_hash(i.email) not in opted]
    for invitation in kept:
        invitation.reminders_sent += 1
        invitation.last_reminder_at = now
    session.flush()
    return kept


# --- opting out and bounces -------------------------------------------------------------


def invitation_for_optout(session: Session, token: str) -> SurveyInvitation:
    """The invitation an opt-out link names; works also after the survey was answered."""
    if slug_of_token(token) is None:
        raise NotFound("This link is not valid.")
    found = repo.invitation_by_token_hash(session, token_hash(token))
    if found is None:
        raise NotFound("This link is not valid.")
    return found


def do_opt_out(session: Session, invitation: SurveyInvitation) -> None:
    """No more surveys to this address from this organisation: remembered by hash, the
    customer's consent withdrawn, and the address's pending invitations stopped."""
    now = utcnow()
    digest = email_hash(invitation.email)
    if not session.scalar(select(SurveyOptOut.id).where(SurveyOptOut.email_hash == digest)):
        try:
            with session.begin_nested():
                session.add(SurveyOptOut(email_hash=digest, created_at=now))
                session.flush()
        except IntegrityError:
            pass  # the same link clicked twice at once: one row is enough
    customer = (
        session.scalar(select(Customer).where(Customer.id == invitation.customer_id))
        if invitation.customer_id
        else None
    )
    if customer is not None:
        # A new dict: JSON columns notice reassignment, not changes inside.
        customer.consents = {**(customer.consents or {}), CONSENT_KEY: False}
        customer.updated_at = now
    invitation.opted_out_at = invitation.opted_out_at or now
    session.execute(
        update(SurveyInvitation)
        .where(
            SurveyInvitation.email == invitation.email,
            SurveyInvitation.status.in_(NOT_STARTED),
        )
        .values(status="opted_out", opted_out_at=now)
        .execution_options(synchronize_session="fetch")
    )
    session.flush()


def do_mark_bounced(
    session: Session, *, email: str | None = None, invitation: SurveyInvitation | None = None
) -> int:
    """Record that mail to an address (or of one invitation) came back; returns how many
    invitations were marked. Invitations already opened or answered are left alone: the
    address evidently works. A bounced address is not invited again (``Screen``)."""
    if (email is None) == (invitation is None):
        raise ValueError("give an e-mail address or an invitation")
    now = utcnow()
    stmt = update(SurveyInvitation).where(SurveyInvitation.status.in_(("queued", "sent")))
    if invitation is not None:
        stmt = stmt.where(SurveyInvitation.id == invitation.id)
    else:
        assert email is not None
        stmt = stmt.where(SurveyInvitation.email == email.strip().lower())
    result = session.execute(
        stmt.values(status="bounced", bounced_at=now).execution_options(synchronize_session="fetch")
    )
    session.flush()
    return int(result.rowcount)  # type: ignore[attr-defined]


# --- reading ----------------------------------------------------------------------------


def status_counts(session: Session, survey_id: uuid.UUID) -> dict[str, int]:
    rows = session.execute(
        select(SurveyInvitation.status, func.count())
        .where(SurveyInvitation.survey_id == survey_id)
        .group_by(SurveyInvitation.status)
    )
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: int(n) for status, n in rows})
    return counts


def page_of_invitations(
    session: Session, survey_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[list[SurveyInvitation], int]:
    where = SurveyInvitation.survey_id == survey_id
    total = int(session.scalar(select(func.count()).where(where)) or 0)
    items = session.scalars(
        select(SurveyInvitation)
        .where(where)
        .order_by(SurveyInvitation.created_at.desc(), SurveyInvitation.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(items), total
