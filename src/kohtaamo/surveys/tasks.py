"""Jobs of the survey domain: sending invitations and reminders, running journey triggers.

- ``surveys.send_invitation`` (one invitation, tenant job): renders and sends the mail
  itself rather than through ``mail.send``, so that the invitation's status follows
  what really happened: ``sent`` once the SMTP server took it, ``failed`` when it was
  refused for good or the retries ran out.
- ``surveys.tick`` (periodic system job): hands each organisation with something to
  do a ``surveys.run_triggers`` and a ``surveys.remind`` job, which then run in that
  organisation's own session: no survey query ever runs across tenants.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.accounts.models import Organisation
from kohtaamo.jobs import current_job, enqueue, periodic, task
from kohtaamo.jobs.execution import describe_error
from kohtaamo.kit.clock import utcnow
from kohtaamo.mail.backends import describe_recipients, mailer_from_settings
from kohtaamo.storage.tenancy import require_tenant
from kohtaamo.surveys import invitations
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.models import SurveyInvitation, SurveyTrigger
from kohtaamo.surveys.survey_invitation_mail import survey_invitation_message

log = logging.getLogger("kohtaamo.surveys")

SEND_TASK = "surveys.send_invitation"
TICK_TASK = "surveys.tick"
TRIGGERS_TASK = "surveys.run_triggers"
REMIND_TASK = "surveys.remind"
SEND_ATTEMPTS = 8
TICK_EVERY = timedelta(minutes=5)
TRIGGER_ROUNDS = 20  # batches per job: a backlog drains over a few ticks, not in one job


def enqueue_send(session: Session, invitation: SurveyInvitation, *, reminder: bool = False) -> None:
    """Send ``invitation`` (or its reminder) once the transaction commits and it is due."""
    enqueue(
        session,
        SEND_TASK,
        {"invitation_id": str(invitation.id), "reminder": reminder},
        run_after=None if reminder else invitation.send_after,
    )


def _permanent(exc: Exception) -> bool:
    """A refusal that retrying will not change (a 5xx reply, every recipient refused)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return True
    return isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600


# Eight attempts from 30 s, capped at an hour, as ``mail.send``: a few hours of SMTP
# outage are bridged, then the invitation is marked failed.
@task(SEND_TASK, max_attempts=SEND_ATTEMPTS, backoff=timedelta(seconds=30))
def send_invitation(session: Session, payload: dict[str, Any]) -> None:
    job = current_job()
    reminder = bool(payload.get("reminder"))
    invitation = session.scalar(
        select(SurveyInvitation).where(SurveyInvitation.id == uuid.UUID(payload["invitation_id"]))
    )
    if invitation is None:
        return
    now = utcnow()
    wanted = ("sent", "opened") if reminder else ("queued",)
    if invitation.status not in wanted or invitation.expires_at <= now:
        return  # answered, opted out, bounced or expired meanwhile: nothing to send
    if not reminder and invitation.send_after > now:
        enqueue_send(session, invitation)  # woken early (a clock step): wait again
        return
    survey = repo.survey(session, invitation.survey_id)
    version = (
        repo.version(session, survey.id, survey.live_version)
        if survey and survey.live_version
        else None
    )
    if survey is None or version is None or survey.status != "open":
        return  # the survey closed before the mail left: an invitation to nothing
    org = session.get(Organisation, require_tenant(session))
    token = invitations.link_token(job.settings.secret_key, survey.slug, invitation.id)
    message = survey_invitation_message(
        to=invitation.email,
        language=invitation.language,
        organisation=org.name if org else "",
        definition=SurveyDefinition.model_validate(version.definition),
        survey_link=invitations.survey_link(job.settings.base_url, survey.slug, token),
        optout_link=invitations.optout_link(job.settings.base_url, token),
        valid_days=max(1, (invitation.expires_at - now).days),
        reminder=reminder,
    )
    # The network call comes before the first write: on SQLite a write would hold the
    # database's lock for as long as the SMTP server takes.
    try:
        mailer_from_settings(job.settings).send(message)
    except Exception as exc:
        if _permanent(exc) or job.attempt >= SEND_ATTEMPTS:
            invitations.mark_failed(invitation, describe_error(exc))
            log.warning("survey invitation %s failed: %s", invitation.id, describe_error(exc))
            return
        raise  # the job is retried later
    invitations.mark_sent(invitation, invitations.token_hash(token), reminder=reminder, now=now)
    log.info("survey invitation sent to %s", describe_recipients(message.to))


@periodic(TICK_TASK, every=TICK_EVERY)
def tick(session: Session, payload: dict[str, Any]) -> None:
    """Give every organisation with active triggers or sent invitations its jobs."""
    now = utcnow()
    with_triggers = set(
        session.scalars(
            select(SurveyTrigger.organisation_id).where(SurveyTrigger.active.is_(True)).distinct()
        )
    )
    with_open_invitations = set(
        session.scalars(
            select(SurveyInvitation.organisation_id)
            .where(
                SurveyInvitation.status.in_(("sent", "opened")),
                SurveyInvitation.expires_at > now,
            )
            .distinct()
        )
    )
    for org_id in sorted(with_triggers):
        enqueue(session, TRIGGERS_TASK, {}, organisation_id=org_id)
    for org_id in sorted(with_open_invitations):
        enqueue(session, REMIND_TASK, {}, organisation_id=org_id)


@task(TRIGGERS_TASK)
def run_triggers(session: Session, payload: dict[str, Any]) -> None:
    # Imported here: triggers enqueues through this module (SEND_TASK, enqueue_send).
    from kohtaamo.surveys.triggers import do_run_triggers

    org_id = require_tenant(session)
    for _ in range(TRIGGER_ROUNDS):
        if not do_run_triggers(session, org_id).more:
            break


@task(REMIND_TASK)
def remind(session: Session, payload: dict[str, Any]) -> None:
    for invitation in invitations.claim_reminders(session, utcnow()):
        enqueue_send(session, invitation, reminder=True)
