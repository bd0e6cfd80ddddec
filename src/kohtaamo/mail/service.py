"""Sending e-mail from a use case: a job in the caller's transaction."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from kohtaamo.jobs import enqueue
from kohtaamo.mail.backends import EmailMessageData
from kohtaamo.mail.tasks import SEND_TASK


def enqueue_mail(
    session: Session,
    *,
    to: str | list[str] | tuple[str, ...],
    subject: str,
    text: str,
    html: str | None = None,
    organisation_id: uuid.UUID | None = None,
) -> uuid.UUID | None:
    """Send an e-mail once the transaction commits, retrying while SMTP is down."""
    recipients = (to,) if isinstance(to, str) else tuple(to)
    message = EmailMessageData(recipients, subject, text, html)  # validate now, not later
    return enqueue(
        session,
        SEND_TASK,
        {"to": list(message.to), "subject": subject, "text": text, "html": html},
        organisation_id=organisation_id,
    )
