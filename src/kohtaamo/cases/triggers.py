"""What opens a case: the organisation's rules applied to a finished response (a
detractor NPS, experience clearly below expectation) or to an analysed comment (negative,
optionally on chosen themes), and explicit complaints or manual cases.

Evaluation runs in jobs (:mod:`kohtaamo.cases.tasks`) and is idempotent: every case a
rule opens has the origin key "response:<id>:<rule>" or "comment:<id>:<rule>", so a job
that runs twice opens nothing the second time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import Organisation
from kohtaamo.cases import repository as repo
from kohtaamo.cases.models import Case, CaseRule
from kohtaamo.cases.rules import (
    create_rule,
    default_rules,
    delete_rule,
    ensure_default_rules,
    list_rules,
    update_rule,
)
from kohtaamo.cases.schemas import CaseIn
from kohtaamo.cases.service import open_case
from kohtaamo.errors import NotFound
from kohtaamo.i18n import N_, gettext
from kohtaamo.journeys.models import Customer
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.tenancy import require_tenant
from kohtaamo.surveys.models import SurveyInvitation, SurveyMeasure, SurveyResponse
from kohtaamo.text.models import CommentAnalysis

__all__ = [
    "create_rule",
    "default_rules",
    "delete_rule",
    "ensure_default_rules",
    "evaluate_comments",
    "evaluate_response",
    "list_rules",
    "open_from_input",
    "update_rule",
]

DETRACTOR_THRESHOLD = 6
GAP_THRESHOLD = 2.0
COMMENT_MAX_AGE_DAYS = 14
RESPONSE_KINDS = ("detractor", "gap")
COMMENT_KINDS = ("negative_comment",)


@dataclass(frozen=True)
class _Hit:
    """Why a rule fires on a response: the title, and the touchpoint it concerns."""

    title: str
    touchpoint_id: uuid.UUID | None
    description: str


def _staff_locale(session: Session) -> str:
    org = session.get(Organisation, require_tenant(session))
    return org.default_locale if org else "fi"


def _detractor(rule: CaseRule, measures: list[SurveyMeasure], locale: str) -> _Hit | None:
    threshold = int(rule.params.get("threshold", DETRACTOR_THRESHOLD))
    low = [m for m in measures if m.role == "nps" and m.value <= threshold]
    if not low:
        return None
    worst = min(low, key=lambda m: m.value)
    title = gettext(locale, N_("Detractor: NPS %(score)s"), score=int(worst.value))
    return _Hit(title, worst.touchpoint_id, "")


def _gaps(measures: list[SurveyMeasure]) -> list[tuple[float, SurveyMeasure]]:
    """(experience − expectation, the experience measure) per question, and for the
    compared form the answer's distance from the scale's midpoint (as the analytics)."""
    expected = {m.question_key: m for m in measures if m.role == "expectation"}
    out = [
        (m.value - expected[m.question_key].value, m)
        for m in measures
        if m.role == "experience" and m.question_key in expected
    ]
    out += [
        (m.value - (m.scale_min + m.scale_max) / 2.0, m)
        for m in measures
        if m.role == "expectation_gap"
    ]
    return out


def _gap(rule: CaseRule, measures: list[SurveyMeasure], locale: str) -> _Hit | None:
    threshold = float(rule.params.get("threshold", GAP_THRESHOLD))
    only = {uuid.UUID(i) for i in rule.params.get("touchpoint_ids", [])}
    below = [
        (gap, m)
        for gap, m in _gaps(measures)
        if gap <= -threshold and (not only or m.touchpoint_id in only)
    ]
    if not below:
        return None
    gap, worst = min(below, key=lambda pair: pair[0])
    title = gettext(
        locale, N_("Experience below expectation by %(points)s points"), points=f"{-gap:g}"
    )
    return _Hit(title, worst.touchpoint_id, "")


def _contact_of(session: Session, response: SurveyResponse) -> str | None:
    """The address the survey invitation went to (when the customer has none)."""
    if response.invitation_id is None:
        return None
    return session.scalar(
        select(SurveyInvitation.email).where(SurveyInvitation.id == response.invitation_id)
    )


def _customer_email(session: Session, customer_id: uuid.UUID | None) -> str | None:
    if customer_id is None:
        return None
    return session.scalar(select(Customer.email).where(Customer.id == customer_id))


def evaluate_response(session: Session, response_id: uuid.UUID) -> list[Case]:
    """Apply the active detractor and gap rules to a finished, unflagged response;
    returns the cases opened or found (at most one per rule)."""
    response = session.scalar(select(SurveyResponse).where(SurveyResponse.id == response_id))
    if response is None or response.finished_at is None or response.flagged:
        return []
    rules = [r for r in repo.rules(session, active_only=True) if r.kind in RESPONSE_KINDS]
    if not rules:
        return []
    measures = list(
        session.scalars(select(SurveyMeasure).where(SurveyMeasure.response_id == response_id))
    )
    locale = _staff_locale(session)
    contact = None
    if _customer_email(session, response.customer_id) is None:
        contact = _contact_of(session, response)
    out = []
    for rule in rules:
        hit = (_detractor if rule.kind == "detractor" else _gap)(rule, measures, locale)
        if hit is None:
            continue
        case, _ = open_case(
            session,
            source="rule",
            topic=rule.topic,
            title=hit.title,
            description=hit.description,
            customer_id=response.customer_id,
            response_id=response.id,
            touchpoint_id=hit.touchpoint_id or response.touchpoint_id,
            rule=rule,
            priority=rule.priority,
            contact_email=contact,
            origin_key=f"response:{response.id}:{rule.key}",
        )
        out.append(case)
    return out


def _comment_matches(rule: CaseRule, row: CommentAnalysis) -> bool:
    themes = set(rule.params.get("themes", []))
    if themes:
        return any(
            t.get("key") in themes and t.get("sentiment") == "negative" for t in row.themes or []
        )
    return row.sentiment == "negative"


def evaluate_comments(session: Session, ids: list[uuid.UUID]) -> list[Case]:
    """Apply the active negative-comment rules to analysed comments; a comment older
    than the rule's ``max_age_days`` (say, re-analysed history) opens nothing."""
    rules = [r for r in repo.rules(session, active_only=True) if r.kind in COMMENT_KINDS]
    if not rules or not ids:
        return []
    rows = session.scalars(
        select(CommentAnalysis).where(
            CommentAnalysis.id.in_(ids), CommentAnalysis.analysed_at.is_not(None)
        )
    ).all()
    locale = _staff_locale(session)
    now = utcnow()
    out = []
    for row in sorted(rows, key=lambda r: (r.answered_at, str(r.id))):
        for rule in rules:
            age = timedelta(days=int(rule.params.get("max_age_days", COMMENT_MAX_AGE_DAYS)))
            if row.answered_at < now - age or not _comment_matches(rule, row):
                continue
            case, _ = open_case(
                session,
                source="rule",
                topic=rule.topic,
                title=gettext(locale, N_("Negative comment")),
                description=row.redacted_text,
                customer_id=row.customer_id,
                response_id=row.response_id,
                comment_id=row.id,
                touchpoint_id=row.touchpoint_id,
                rule=rule,
                priority=rule.priority,
                origin_key=f"comment:{row.id}:{rule.key}",
            )
            out.append(case)
    return out


def open_from_input(session: Session, data: CaseIn, actor: Actor) -> tuple[Case, bool]:
    """A case a person opens, or a complaint from a form or another system. A complaint
    takes its priority from the organisation's active complaint rule unless given;
    the same ``complaint_id`` again returns the case it opened."""
    customer_id = None
    if data.customer_external_id is not None:
        customer_id = session.scalar(
            select(Customer.id).where(Customer.external_id == data.customer_external_id)
        )
        if customer_id is None:
            raise NotFound("No such customer.", field="customer_external_id")
    rule = None
    if data.source == "complaint":
        rule = next(iter(repo.rules(session, active_only=True, kind="complaint")), None)
    priority = data.priority or (rule.priority if rule else "normal")
    topic = rule.topic if rule and "topic" not in data.model_fields_set else data.topic
    origin = f"{data.source}:{data.complaint_id}" if data.complaint_id else None
    return open_case(
        session,
        source=data.source,
        topic=topic,
        title=data.title,
        description=data.description,
        customer_id=customer_id,
        touchpoint_id=data.touchpoint_id,
        rule=rule,
        priority=priority,
        language=data.language,
        contact_email=data.contact_email,
        contact_name=data.contact_name,
        origin_key=origin,
        actor=actor,
    )
