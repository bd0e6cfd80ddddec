"""Explicit complaints from the public form and from forwarded e-mail.

Both channels open a case through :func:`kohtaamo.cases.service.open_case` with source
"complaint", the topic and priority of the organisation's active complaint rule (else
topic "complaint", priority high) and an origin key of the channel (the form's
submission id, the message's Message-ID), so a double submit or a retried delivery
opens one case. The form's checks are here too, so the page only renders.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.cases import repository as repo
from kohtaamo.cases.models import Case
from kohtaamo.cases.service import open_case
from kohtaamo.errors import FieldProblem, InvalidInput
from kohtaamo.journeys.models import Customer, Touchpoint
from kohtaamo.journeys.schemas import EMAIL_RE

DEFAULT_TOPIC = "complaint"
DEFAULT_PRIORITY = "high"
TEXT_MAX = 5000
NAME_MAX = 200
TITLE_MAX = 300
LANGUAGES = ("fi", "en", "sv")


def open_complaint(
    session: Session,
    *,
    title: str,
    description: str,
    contact_email: str,
    origin_key: str,
    contact_name: str | None = None,
    customer_id: uuid.UUID | None = None,
    touchpoint_id: uuid.UUID | None = None,
    language: str | None = None,
    actor: Actor | None = None,
) -> tuple[Case, bool]:
    """Open the complaint's case, or find the one this origin (or this customer's open
    complaint) already opened; returns it and whether this call created it."""
    rule = next(iter(repo.rules(session, active_only=True, kind="complaint")), None)
    return open_case(
        session,
        source="complaint",
        topic=rule.topic if rule else DEFAULT_TOPIC,
        title=(title.strip() or description.strip())[:TITLE_MAX],
        description=description,
        customer_id=customer_id,
        touchpoint_id=touchpoint_id,
        rule=rule,
        priority=rule.priority if rule else DEFAULT_PRIORITY,
        language=language if language in LANGUAGES else None,
        contact_email=contact_email,
        contact_name=contact_name or None,
        origin_key=origin_key[:200],
        actor=actor,
    )


def customer_by_email(session: Session, email: str) -> uuid.UUID | None:
    """The organisation's customer with this address (case-blind), if exactly one."""
    found = list(
        session.scalars(
            select(Customer.id).where(func.lower(Customer.email) == email.lower()).limit(2)
        )
    )
    return found[0] if len(found) == 1 else None


def clean_email(value: str) -> str | None:
    """A plausible e-mail address, lower-cased, or None."""
    value = value.strip().lower()
    return value if EMAIL_RE.match(value) and len(value) <= 254 else None


# --- the public form ---------------------------------------------------------------------


def touchpoints(session: Session, language: str) -> list[tuple[str, str]]:
    """(id, name in ``language``) of the organisation's touchpoints, by name."""
    rows = session.scalars(select(Touchpoint)).all()
    named = [
        (str(t.id), getattr(t, f"name_{language}", "") or t.name_fi or t.name_en or t.key)
        for t in rows
    ]
    return sorted(named, key=lambda pair: pair[1].casefold())


@dataclass(frozen=True)
class FormComplaint:
    """A checked complaint from the public form."""

    name: str
    email: str
    text: str
    touchpoint_id: uuid.UUID | None


def _strip(value: str) -> str:
    return value.replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL


def _is_touchpoint(session: Session, touchpoint_id: uuid.UUID) -> bool:
    found = session.scalar(select(Touchpoint.id).where(Touchpoint.id == touchpoint_id))
    return found is not None


def parse_form(session: Session, values: dict[str, str]) -> FormComplaint:
    """The form's fields checked; InvalidInput naming every field that is wrong."""
    problems: list[FieldProblem] = []
    name = _strip(values.get("name", ""))
    if len(name) > NAME_MAX:
        problems.append(FieldProblem("name", "At most %(max)s characters.", {"max": NAME_MAX}))
    email = clean_email(_strip(values.get("email", "")))
    if email is None:
        problems.append(FieldProblem("email", "Give a valid e-mail address."))
    text = _strip(values.get("text", "")).replace("\r\n", "\n")
    if not text:
        problems.append(FieldProblem("text", "Tell us what happened."))
    elif len(text) > TEXT_MAX:
        problems.append(FieldProblem("text", "At most %(max)s characters.", {"max": TEXT_MAX}))
    touchpoint_id = None
    where = values.get("touchpoint", "").strip()
    if where:
        try:
            touchpoint_id = uuid.UUID(where)
        except ValueError:
            touchpoint_id = None
        if touchpoint_id is None or not _is_touchpoint(session, touchpoint_id):
            problems.append(FieldProblem("touchpoint", "Choose one of the places listed."))
    if problems:
        raise InvalidInput("Check your answers.", problems=problems)
    assert email is not None
    return FormComplaint(name, email, text, touchpoint_id)


def title_of(text: str) -> str:
    """A case title from the complaint's first line (at most 80 characters)."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= 80 else first[:79].rstrip() + "…"
