"""Personal single-use survey links sent by e-mail.

The token travels only in the link; the database keeps its SHA-256. A token opens its
invitation's survey until the invitation expires or its response is finished.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy.orm import Session

from kohtaamo.errors import Conflict, Gone, NotFound
from kohtaamo.kit.clock import utcnow
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys.models import Survey, SurveyInvitation


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
