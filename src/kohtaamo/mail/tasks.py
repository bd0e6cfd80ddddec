"""The ``mail.send`` job."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from kohtaamo.jobs import current_job, task
from kohtaamo.mail.backends import EmailMessageData, describe_recipients, mailer_from_settings

log = logging.getLogger("kohtaamo.mail")

SEND_TASK = "mail.send"


# Eight attempts from 30 s, capped at an hour: about four hours of SMTP outage are
# bridged. The payload holds addresses and text: cleared once the mail has left.
@task(SEND_TASK, max_attempts=8, backoff=timedelta(seconds=30), scrub_payload=True)
def send(session: Session, payload: dict[str, Any]) -> None:
    message = EmailMessageData(
        tuple(payload["to"]), payload["subject"], payload["text"], payload.get("html")
    )
    mailer_from_settings(current_job().settings).send(message)
    log.info("mail sent to %s", describe_recipients(message.to))
