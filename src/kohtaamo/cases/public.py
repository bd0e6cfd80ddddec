"""What the customer does through their case link: read the messages and reply, and
answer the follow-up ("was it put right?").

The token names the organisation (see :mod:`kohtaamo.cases.links`); the caller opens a
transaction of that organisation and these functions find the case by the token's hash
within it. Forms carry a signed form token, as the public survey pages do
(``surveys.abuse``), bound to the case link and the form, so a post cannot be forged
from another site or replayed on another case.
"""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.cases import links, templates
from kohtaamo.cases import timeline as tl
from kohtaamo.cases.models import Case, CaseEvent, CaseMessage
from kohtaamo.errors import Conflict, FieldProblem, InvalidInput, NotFound
from kohtaamo.i18n import N_
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.tenancy import require_tenant
from kohtaamo.surveys.abuse import FormToken, read_form_token, sign_form_token

OUTCOMES: dict[str, str] = {
    "put_right": N_("Yes, it was put right"),
    "partly": N_("Partly"),
    "not_put_right": N_("No, it was not put right"),
}
REPLY_MAX = 5000
COMMENT_MAX = 2000
CUSTOMER_LABEL = "customer"  # the timeline's "who" when the customer has no name
FORMS = ("reply", "followup")


def case_for_token(session: Session, token: str, *, lock: bool = False) -> Case:
    """The session's organisation's case whose link ``token`` is, or NotFound."""
    if links.organisation_of_token(token) != require_tenant(session):
        raise NotFound("This link is not valid.")
    query = select(Case).where(Case.reply_token_hash == links.token_hash(token))
    found = session.scalar(query.with_for_update() if lock else query)
    if found is None:
        raise NotFound("This link is not valid.")
    return found


def conversation(session: Session, case: Case) -> list[CaseMessage]:
    """The case's messages both ways, oldest first."""
    return list(
        session.scalars(
            select(CaseMessage)
            .where(CaseMessage.case_id == case.id)
            .order_by(CaseMessage.created_at, CaseMessage.id)
        )
    )


def followup_open(case: Case) -> bool:
    return case.followup_sent_at is not None


def not_asked_yet() -> Conflict:
    return Conflict("We have not asked about this case yet. Thank you for your interest!")


# --- form tokens ---------------------------------------------------------------------


def _binding(token: str, form: str) -> str:
    # Survey slugs are url-safe base64 and never contain ":", so a case form's token can
    # never pass for a survey page's (both are signed the same way).
    return f"case-{form}:{links.token_hash(token)[:32]}"


def form_token(secret: str, token: str, form: str, language: str) -> str:
    """A signed token for one rendered reply or follow-up form of the case link."""
    now = time.time()
    issued = FormToken(_binding(token, form), form, secrets.token_urlsafe(16), now, now, language)
    return sign_form_token(secret, issued)


def read_form(secret: str, token: str, form: str, sent: str) -> FormToken:
    """The form token sent with a post, if genuine and for this link and form."""
    found = read_form_token(secret, sent, slug=_binding(token, form), now=time.time())
    if found is None or found.page != form:
        raise InvalidInput("The form has expired. Reload the page and try again.")
    return found


# --- use cases -----------------------------------------------------------------------


def _clean(text: str, limit: int, field: str, *, required: bool) -> str:
    text = text.replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
    if required and not text:
        raise InvalidInput("Write your message.", field=field)
    if len(text) > limit:
        raise InvalidInput("At most %(max)s characters.", field=field, max=limit)
    return text


def _label(case: Case) -> str:
    return (case.contact_name or "").strip()[:200] or CUSTOMER_LABEL


def receive_reply(
    session: Session, token: str, body: str, *, submission: str | None = None
) -> CaseMessage:
    """The customer's reply lands on the case: CaseMessage(direction="in") and a
    timeline line. The same form sent twice (``submission``) is stored once."""
    case = case_for_token(session, token, lock=True)
    text = _clean(body, REPLY_MAX, "body", required=True)
    if submission:
        for event in session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "reply")
        ):
            if event.data.get("submission") == submission:
                earlier = session.get(CaseMessage, uuid.UUID(str(event.data["message_id"])))
                if earlier is not None:
                    return earlier
    message = CaseMessage(
        organisation_id=case.organisation_id,
        case_id=case.id,
        direction="in",
        address=case.contact_email,
        subject="",
        body=text,
        language=templates.language_of(session, case),
        created_at=utcnow(),
    )
    session.add(message)
    session.flush()
    tl.record(
        session,
        case,
        "reply",
        label=_label(case),
        body=text,
        data={"message_id": str(message.id), "submission": submission, "direction": "in"},
    )
    return message


@dataclass(frozen=True)
class FollowupIn:
    outcome: str
    score: int | None = None
    comment: str = ""


def parse_followup(outcome: str, score: str, comment: str) -> FollowupIn:
    """The follow-up form's fields, checked: every problem named by its field."""
    problems: list[FieldProblem] = []
    if outcome not in OUTCOMES:
        problems.append(FieldProblem("outcome", "Choose whether it was put right."))
    value: int | None = None
    if score.strip():
        try:
            value = int(score)
        except ValueError:
            value = -1
        if not 0 <= value <= 10:
            problems.append(FieldProblem("score", "Choose a number from 0 to 10."))
    if problems:
        raise InvalidInput("Check your answers.", problems=problems)
    return FollowupIn(outcome, value, _clean(comment, COMMENT_MAX, "comment", required=False))


def record_followup(session: Session, token: str, answer: FollowupIn) -> tuple[Case, bool]:
    """Store the customer's follow-up answer on the case, with a timeline line.
    Returns the case and whether an earlier answer was replaced (the last one wins).
    Conflict while no follow-up has been sent."""
    case = case_for_token(session, token, lock=True)
    if not followup_open(case):
        raise not_asked_yet()
    updated = case.followup_at is not None
    case.followup_outcome = answer.outcome
    case.followup_score = answer.score
    case.followup_comment = answer.comment
    case.followup_at = utcnow()
    tl.record(
        session,
        case,
        "followup",
        label=_label(case),
        body=answer.comment,
        data={"outcome": answer.outcome, "score": answer.score, "updated": updated},
    )
    return case, updated
