"""Cases: opening one (from a rule, a complaint or a person), reading it with its
timeline, assigning it and writing notes. Moving a case along the workflow is in
:mod:`kohtaamo.cases.moves` (re-exported here as :func:`move`).

One open case per customer and topic: while a case is not closed it holds
``open_key`` = "customer:topic" (a unique column), so a second trigger finds it and
adds a line to its timeline instead of a duplicate. ``origin_key`` names what opened a
case (a response and rule, a comment, a complaint id): the same origin never opens a
second case, even after the first is closed. Both are unique constraints, so two
concurrent triggers cannot both insert; the loser finds the winner's case.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import Membership, Organisation
from kohtaamo.accounts.permissions import role_may
from kohtaamo.cases import repository as repo
from kohtaamo.cases import timeline as tl
from kohtaamo.cases.models import Case, CaseEvent, CaseRule
from kohtaamo.cases.moves import move
from kohtaamo.cases.rules import create_rule, delete_rule, list_rules, update_rule
from kohtaamo.cases.schemas import PRIORITIES
from kohtaamo.cases.workflow import State
from kohtaamo.errors import Conflict, InvalidInput, NotFound
from kohtaamo.journeys.models import Customer, Team, Touchpoint
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.tenancy import require_tenant
from kohtaamo.surveys.models import SurveyResponse

__all__ = [
    "add_note",
    "assign",
    "create_rule",
    "delete_rule",
    "get_case",
    "list_rules",
    "move",
    "open_case",
    "timeline",
    "update_rule",
]

SOURCES = ("rule", "complaint", "manual", "api")
LANGUAGES = ("fi", "en", "sv")
# Case numbers are max + 1; two transactions opening cases at once may pick the same
# number, and the loser retries with the next one (the unique constraint decides).
NUMBER_ATTEMPTS = 8
# Customer.consents key that, set to false, keeps case e-mails away. Only an explicit
# "no": answering a customer's own complaint is not marketing and needs no opt-in.
CONTACT_CONSENT = "contact"


def get_case(session: Session, case_id: uuid.UUID, *, lock: bool = False) -> Case:
    """The case ``case_id`` of the session's organisation, or NotFound."""
    found = repo.get(session, case_id, lock=lock)
    if found is None:
        raise NotFound("No such case.")
    return found


def timeline(session: Session, case_id: uuid.UUID) -> list[CaseEvent]:
    """The case's timeline, oldest first."""
    get_case(session, case_id)
    return repo.events(session, case_id)


def _language(
    session: Session,
    language: str | None,
    customer: Customer | None,
    response_id: uuid.UUID | None,
) -> str:
    """The customer's language: asked for, else theirs, else their answer's, else the
    organisation's."""
    if language in LANGUAGES:
        return language
    if customer is not None and customer.locale:
        short = customer.locale[:2].lower()
        if short in LANGUAGES:
            return short
    if response_id is not None:
        answered = session.scalar(
            select(SurveyResponse.language).where(SurveyResponse.id == response_id)
        )
        if answered in LANGUAGES:
            return str(answered)
    org = session.get(Organisation, require_tenant(session))
    default = (org.default_locale if org else "fi")[:2]
    return default if default in LANGUAGES else "fi"


def _contact(customer: Customer | None, contact_email: str | None) -> str | None:
    if contact_email:
        return contact_email
    if customer is None or not customer.email:
        return None
    if (customer.consents or {}).get(CONTACT_CONSENT) is False:
        return None
    return customer.email


def _retriggered(
    session: Session,
    case: Case,
    *,
    source: str,
    title: str,
    rule: CaseRule | None,
    origin_key: str | None,
    response_id: uuid.UUID | None,
    comment_id: uuid.UUID | None,
    actor: Actor | None,
) -> None:
    """A second trigger for an open case: one timeline line per origin (a retried job
    finds its line and adds none)."""
    if origin_key is not None:
        seen = repo.events_of_kind(session, case.id, "trigger")
        if any(e.data.get("origin_key") == origin_key for e in seen):
            return
    tl.record(
        session,
        case,
        "trigger",
        actor=actor,
        label=tl.actor_label(session, actor, rule),
        body=title,
        data={
            "source": source,
            "rule": rule.key if rule else None,
            "origin_key": origin_key,
            "response_id": str(response_id) if response_id else None,
            "comment_id": str(comment_id) if comment_id else None,
        },
    )


def open_case(
    session: Session,
    *,
    source: str,
    topic: str,
    title: str,
    description: str = "",
    customer_id: uuid.UUID | None = None,
    response_id: uuid.UUID | None = None,
    comment_id: uuid.UUID | None = None,
    touchpoint_id: uuid.UUID | None = None,
    rule: CaseRule | None = None,
    priority: str = "normal",
    language: str | None = None,
    contact_email: str | None = None,
    contact_name: str | None = None,
    origin_key: str | None = None,
    actor: Actor | None = None,
) -> tuple[Case, bool]:
    """Open a case, or find the one that already covers it; returns it and whether this
    call created it. Routed to the touchpoint's owning team, in the customer's language,
    with the SLA deadlines of the organisation; announced as webhook ``case.opened``."""
    if source not in SOURCES:
        raise InvalidInput("Unknown case source.", field="source")
    if priority not in PRIORITIES:
        raise InvalidInput("Unknown priority.", field="priority")
    if origin_key is not None:
        found = repo.by_origin_key(session, origin_key)
        if found is not None:
            return found, False
    customer = None
    if customer_id is not None:
        customer = session.scalar(select(Customer).where(Customer.id == customer_id))
        if customer is None:
            raise NotFound("No such customer.", field="customer_id")
    touchpoint = None
    if touchpoint_id is not None:
        touchpoint = session.scalar(select(Touchpoint).where(Touchpoint.id == touchpoint_id))
        if touchpoint is None:
            raise NotFound("No such touchpoint.", field="touchpoint_id")
    open_key = f"{customer_id}:{topic}" if customer_id is not None else None
    again = dict(
        source=source,
        title=title,
        rule=rule,
        origin_key=origin_key,
        response_id=response_id,
        comment_id=comment_id,
        actor=actor,
    )
    if open_key is not None:
        found = repo.by_open_key(session, open_key)
        if found is not None:
            _retriggered(session, found, **again)  # type: ignore[arg-type]
            return found, False

    from kohtaamo.cases import sla  # built alongside (helper B)

    now = utcnow()
    acknowledge_due, resolve_due = sla.deadlines(sla.settings_of(session), now)
    values = dict(
        organisation_id=require_tenant(session),
        state=State.NEW.value,
        priority=priority,
        topic=topic,
        title=title[:300],
        description=description,
        source=source,
        open_key=open_key,
        origin_key=origin_key,
        language=_language(session, language, customer, response_id),
        contact_email=_contact(customer, contact_email),
        contact_name=contact_name,
        rule_id=rule.id if rule else None,
        customer_id=customer_id,
        response_id=response_id,
        comment_id=comment_id,
        touchpoint_id=touchpoint_id,
        team_id=touchpoint.owner_team_id if touchpoint else None,
        opened_at=now,
        acknowledge_due_at=acknowledge_due,
        resolve_due_at=resolve_due,
    )
    for _ in range(NUMBER_ATTEMPTS):
        case = Case(number=repo.next_number(session), **values)
        try:
            with session.begin_nested():
                session.add(case)
                session.flush()
        except IntegrityError:
            # Somebody else committed first: their case for this origin or this
            # customer and topic wins; otherwise only the number clashed.
            if origin_key is not None and (found := repo.by_origin_key(session, origin_key)):
                return found, False
            if open_key is not None and (found := repo.by_open_key(session, open_key)):
                _retriggered(session, found, **again)  # type: ignore[arg-type]
                return found, False
            continue
        event = tl.record(
            session,
            case,
            "opened",
            actor=actor,
            label=tl.actor_label(session, actor, rule),
            to_state=case.state,
            body=description,
            data={"source": source, "rule": rule.key if rule else None, "origin_key": origin_key},
        )
        tl.emit(session, case, "case.opened", event)
        return case, True
    raise Conflict("The case could not be numbered. Try again.")


def _check_assignee(session: Session, user_id: uuid.UUID) -> None:
    member = session.scalar(
        select(Membership).where(Membership.user_id == user_id, Membership.is_active.is_(True))
    )
    if member is None:
        raise InvalidInput("This person is not a member of the organisation.", field="assignee_id")
    if not role_may(member.role, "cases.handle"):
        raise InvalidInput("This person's role does not handle cases.", field="assignee_id")


def assign(
    session: Session,
    case_id: uuid.UUID,
    *,
    team_id: uuid.UUID | None = None,
    assignee_id: uuid.UUID | None = None,
    priority: str | None = None,
    actor: Actor,
) -> Case:
    """Give the case to a team and/or a person who handles cases, or change its
    priority. A closed case keeps its last handler."""
    case = get_case(session, case_id, lock=True)
    if case.state == State.CLOSED:
        raise Conflict("A closed case cannot be reassigned.")
    if team_id is not None and session.scalar(select(Team.id).where(Team.id == team_id)) is None:
        raise InvalidInput("No such team.", field="team_id")
    if assignee_id is not None:
        _check_assignee(session, assignee_id)
    if priority is not None and priority not in PRIORITIES:
        raise InvalidInput("Unknown priority.", field="priority")
    changes: dict[str, dict[str, str | None]] = {}
    for name, value in (("team_id", team_id), ("assignee_id", assignee_id), ("priority", priority)):
        old = getattr(case, name)
        if value is not None and value != old:
            changes[name] = {"from": _text(old), "to": _text(value)}
            setattr(case, name, value)
    if changes:
        tl.record(session, case, "assigned", actor=actor, data=changes)
    return case


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def add_note(session: Session, case_id: uuid.UUID, body: str, actor: Actor) -> CaseEvent:
    """An internal note on the case's timeline (never sent to the customer)."""
    body = (body or "").strip()
    if not body:
        raise InvalidInput("Write the note.", field="body")
    case = get_case(session, case_id)
    return tl.record(session, case, "note", actor=actor, body=body)
