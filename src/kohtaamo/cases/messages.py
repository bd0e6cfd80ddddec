"""Sending the customer a message on their case.

The handler edits the text rendered from a template (``cases.templates.render``);
:func:`send_message` checks it, fills the placeholders still in it (the plan typed into
the step's form), makes sure it carries the customer's reply link, and then writes the
message, its timeline line and the ``mail.send`` job in the caller's transaction: the
e-mail leaves only if the case change commits, and then exactly once (the job retries
while SMTP is down; a job that ran is done).

A message goes to the case's contact address and nowhere else: a different or second
recipient, or a header smuggled into the subject with a line break, is refused.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.cases import links, templates
from kohtaamo.cases import timeline as tl
from kohtaamo.cases.models import Case, CaseMessage
from kohtaamo.cases.template_texts import FOLLOWUP_LINE, REPLY_LINE
from kohtaamo.config import Settings
from kohtaamo.errors import InvalidInput
from kohtaamo.kit.clock import utcnow
from kohtaamo.mail.service import enqueue_mail
from kohtaamo.storage.tenancy import require_tenant

# Everything str.splitlines() breaks on: any of them would end an e-mail header.
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _recipient(case: Case, to: str | None) -> str:
    """The case's contact address, the only one a case message may go to."""
    contact = (case.contact_email or "").strip()
    if not contact:
        raise InvalidInput(
            "The case has no contact address: record that no contact is possible instead.",
            field="to",
        )
    for address in (contact, to or ""):
        if any(ch in address for ch in ",;") or any(ch in _LINE_BREAKS for ch in address):
            raise InvalidInput("A case message goes to one address only.", field="to")
    try:
        validate_email(contact, check_deliverability=False)
    except EmailNotValidError:
        raise InvalidInput(
            "The case's contact address is not a valid e-mail address.", field="to"
        ) from None
    if to is not None and to.strip().casefold() != contact.casefold():
        raise InvalidInput("A case message goes only to the case's contact address.", field="to")
    return contact


def _subject(subject: str) -> str:
    if any(ch in _LINE_BREAKS for ch in subject):
        raise InvalidInput("The subject must be a single line.", field="message_subject")
    subject = subject.strip()
    if not subject:
        raise InvalidInput("Write the message's subject.", field="message_subject")
    if len(subject) > templates.SUBJECT_MAX:
        raise InvalidInput(
            "At most %(max)s characters.", field="message_subject", max=templates.SUBJECT_MAX
        )
    return subject


def ensure_reply_token(case: Case, settings: Settings | None = None) -> str:
    """The case's reply token, its hash stored on the case (kept from the first message)."""
    token = links.reply_token(
        (settings or links.current_settings()).secret_key, case.organisation_id, case.id
    )
    digest = links.token_hash(token)
    if case.reply_token_hash != digest:  # the first message (or a new server secret)
        case.reply_token_hash = digest
    return token


def compose(
    session: Session,
    case: Case,
    *,
    subject: str,
    body: str,
    template_key: str | None = None,
    settings: Settings | None = None,
) -> tuple[str, str]:
    """The (subject, body) the customer will get: checked, placeholders filled, with the
    reply link (and, for the follow-up, its link) added if the handler left it out."""
    subject = _subject(subject)
    if not body.strip():
        raise InvalidInput("Write the message to the customer.", field="message_body")
    if len(body) > templates.BODY_MAX:
        raise InvalidInput(
            "At most %(max)s characters.", field="message_body", max=templates.BODY_MAX
        )
    lang = templates.language_of(session, case)
    values = templates.values_for(session, case, language=lang, settings=settings)
    subject = templates.fill(
        subject, values, required=templates.LATE, field="message_subject"
    ).strip()
    if any(ch in _LINE_BREAKS for ch in subject):  # a value cannot break it, but be sure
        raise InvalidInput("The subject must be a single line.", field="message_subject")
    text = templates.fill(body, values, required=templates.LATE, field="message_body").strip()
    extra = []
    if values["reply_link"] not in text:
        extra.append(REPLY_LINE[lang].format(link=values["reply_link"]))
    if template_key == "followup" and values["followup_link"] not in text:
        extra.append(FOLLOWUP_LINE[lang].format(link=values["followup_link"]))
    if extra:
        text = text + "\n\n" + "\n".join(extra)
    return subject, text + "\n"


def send_message(
    session: Session,
    case: Case,
    *,
    subject: str,
    body: str,
    template_key: str | None = None,
    actor: Actor | None = None,
    to: str | None = None,
    settings: Settings | None = None,
) -> CaseMessage:
    """E-mail the customer of ``case`` (flushed, not committed): the CaseMessage row, the
    timeline line and the mail job are written together. ``to``, when given, must be the
    case's contact address. InvalidInput names the field at fault."""
    address = _recipient(case, to)
    subject, text = compose(
        session, case, subject=subject, body=body, template_key=template_key, settings=settings
    )
    ensure_reply_token(case, settings)
    job_id = enqueue_mail(session, to=address, subject=subject, text=text)
    message = CaseMessage(
        organisation_id=require_tenant(session),
        case_id=case.id,
        direction="out",
        address=address,
        subject=subject,
        body=text,
        language=templates.language_of(session, case),
        template_key=template_key,
        job_id=job_id,
        created_by=actor.user_id if actor is not None else None,
        created_at=utcnow(),
    )
    session.add(message)
    session.flush()
    tl.record(
        session,
        case,
        "message",
        actor=actor,
        body=subject,
        data={"message_id": str(message.id), "template": template_key, "direction": "out"},
    )
    return message
