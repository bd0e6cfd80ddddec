"""The case page (``/cases/{case_id}``): header with state, priority and service-level
clocks, the timeline, messages, the customer's context, and one form per move the
workflow table allows from the case's state (``workflow.available``), each with exactly
the fields its ``requires`` names. ``case_forms`` posts to it and re-renders it with
errors through :func:`case_page`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.accounts import repository as accounts_repo
from kohtaamo.audit.service import record
from kohtaamo.cases import service, workflow
from kohtaamo.cases.models import Case, CaseMessage
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.journeys.models import Customer, Journey, JourneyTouchpoint, Stage
from kohtaamo.kit.clock import utcnow
from kohtaamo.surveys.models import Survey, SurveyMeasure, SurveyResponse
from kohtaamo.text import theme_rules
from kohtaamo.text.models import CommentAnalysis
from kohtaamo.web import case_view as cv
from kohtaamo.web.deps import WebContext, page_permission
from kohtaamo.web.journey_report import touchpoint_name
from kohtaamo.web.render import render
from kohtaamo.web.routes.settings import flash_of
from kohtaamo.web.text_view import language_label, theme_label

router = APIRouter()

Viewer = Annotated[WebContext, Depends(page_permission("cases.view"))]

DONE = {
    "opened": N_("The case was opened."),
    "moved": N_("The case was moved on."),
    "assigned": N_("The assignment was saved."),
    "noted": N_("The note was added."),
}
# What a transition's ``requires`` asks for, as form fields (``cases/_req_<name>.html``).
REQUIREMENT_FIELDS: dict[str, tuple[str, ...]] = {
    "message": ("message_subject", "message_body"),
    "what_went_wrong": ("what_went_wrong",),
    "plan_action": ("plan_action",),
    "plan_due": ("plan_due",),
    "action_note": ("action_note",),
    "root_cause": (
        "root_cause_touchpoint_id",
        "root_cause_theme",
        "root_cause_standard",
        "root_cause_note",
    ),
    "reason": ("reason",),
}
RECENT_RESPONSES = 5
# The measures shown for a recent response, in this order.
SHOWN_ROLES: dict[str, str] = {
    "nps": N_("NPS"),
    "csat": N_("CSAT"),
    "ces": N_("CES"),
    "expectation": N_("Expectation"),
    "experience": N_("Experience"),
    "expectation_gap": N_("Gap"),
}


@dataclass(frozen=True)
class Move:
    """One button of the case page with its form: the workflow's transition."""

    action: str
    label: str
    requires: tuple[str, ...]
    message: str | None
    fields: tuple[str, ...]


@dataclass(frozen=True)
class TimelineLine:
    at: datetime
    kind: str
    who: str
    text: str
    states: str


@dataclass(frozen=True)
class ResponseLine:
    finished_at: datetime | None
    survey: str
    touchpoint: str
    measures: list[tuple[str, str]]


def moves_of(locale: str, state: str) -> list[Move]:
    """The case page's buttons: exactly ``workflow.available(state)``, in its order."""
    return [
        Move(
            t.action,
            gettext(locale, t.label),
            t.requires,
            t.message,
            tuple(f for req in t.requires for f in REQUIREMENT_FIELDS[req]),
        )
        for t in workflow.available(state)
    ]


def _prefill(session: Session, case: Case, moves: list[Move]) -> dict[str, dict[str, str]]:
    """Each move's starting values: the message rendered from its template (helper C's
    ``cases.templates``) and the plan and root cause the case already holds."""
    try:
        from kohtaamo.cases import templates
    except ImportError:  # pragma: no cover - while the template module is being built
        templates = None  # type: ignore[assignment]
    out: dict[str, dict[str, str]] = {}
    for move in moves:
        values = {
            "what_went_wrong": case.plan_what_went_wrong,
            "plan_action": case.plan_action,
            "plan_due": case.plan_due.isoformat() if case.plan_due else "",
            "action_note": case.action_note,
            "root_cause_touchpoint_id": str(
                case.root_cause_touchpoint_id or case.touchpoint_id or ""
            ),
            "root_cause_theme": case.root_cause_theme or "",
            "root_cause_standard": case.root_cause_standard or "",
            "root_cause_note": case.root_cause_note,
            "reason": "",
        }
        if move.message and templates is not None:
            subject, body = templates.render(session, case, move.message)
            values |= {"message_subject": subject, "message_body": body}
        out[move.action] = {f: values.get(f, "") for f in move.fields}
    return out


def _customer_context(session: Session, case: Case, locale: str) -> dict[str, Any]:
    """The customer's CRM attributes and recent answers, the touchpoint's journeys, and
    the comment that opened the case."""
    customer = session.get(Customer, case.customer_id) if case.customer_id else None
    responses: list[ResponseLine] = []
    if customer is not None:
        found = list(
            session.scalars(
                select(SurveyResponse)
                .where(
                    SurveyResponse.customer_id == customer.id,
                    SurveyResponse.finished_at.is_not(None),
                )
                .order_by(SurveyResponse.finished_at.desc())
                .limit(RECENT_RESPONSES)
            )
        )
        ids = [r.id for r in found]
        values: dict[uuid.UUID, dict[str, float]] = {}
        for m in session.scalars(select(SurveyMeasure).where(SurveyMeasure.response_id.in_(ids))):
            values.setdefault(m.response_id, {})[m.role] = m.value
        surveys = {s.id: s.name for s in session.scalars(select(Survey))} if ids else {}
        tps = {t.id: touchpoint_name(t, locale) for t in journeys_repo.touchpoints(session)}
        for r in found:
            got = values.get(r.id, {})
            responses.append(
                ResponseLine(
                    r.finished_at,
                    surveys.get(r.survey_id, ""),
                    tps.get(r.touchpoint_id, "") if r.touchpoint_id else "",
                    [
                        (gettext(locale, text), f"{got[role]:g}")
                        for role, text in SHOWN_ROLES.items()
                        if role in got
                    ],
                )
            )
    journeys: list[tuple[str, str]] = []
    if case.touchpoint_id:
        rows = session.execute(
            select(Journey.name, Stage.name_fi, Stage.name_en)
            .join(JourneyTouchpoint, JourneyTouchpoint.journey_id == Journey.id)
            .join(Stage, Stage.id == JourneyTouchpoint.stage_id)
            .where(JourneyTouchpoint.touchpoint_id == case.touchpoint_id)
            .order_by(Journey.name)
        ).all()
        journeys = [(name, fi if locale == "fi" else en) for name, fi, en in rows]
    comment = session.get(CommentAnalysis, case.comment_id) if case.comment_id else None
    return {
        "customer": customer,
        "responses": responses,
        "journeys": journeys,
        "comment": comment.redacted_text if comment else "",
    }


def _timeline(
    session: Session, case: Case, locale: str, people: dict[uuid.UUID, str]
) -> list[TimelineLine]:
    out = []
    for e in service.timeline(session, case.id):
        who = people.get(e.actor_id, "") if e.actor_id else ""
        states = ""
        if e.to_state:
            before = cv.state_label(locale, e.from_state) if e.from_state else ""
            after = cv.state_label(locale, e.to_state)
            states = f"{before} → {after}" if before else after
        out.append(
            TimelineLine(
                e.at, cv.label(locale, cv.EVENT_KINDS, e.kind), who or e.actor_label, e.body, states
            )
        )
    return out


def _fields_of(error_at: str, values: dict[str, dict[str, str]]) -> set[str]:
    if error_at == "assign":
        return {"team_id", "assignee_id", "priority"}
    if error_at == "note":
        return {"body"}
    return set(values.get(error_at, {}))


def _at_top(errors: dict[str, str], fields: set[str]) -> dict[str, str]:
    """Errors about something the form has no field for (the recipient, the case as a
    whole) are said at the form's top rather than lost."""
    out = {k: v for k, v in errors.items() if k in fields}
    rest = [v for k, v in errors.items() if k not in fields]
    if rest:
        out[""] = " ".join(dict.fromkeys(rest))
    return out


def case_page(
    request: Request,
    ctx: WebContext,
    case_id: uuid.UUID,
    *,
    status_code: int = 200,
    flash: str | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error_at: str = "",
) -> Response:
    """The page; ``error_at`` names the form (a move's action, ``assign`` or ``note``)
    whose ``form`` values and ``errors`` are shown again."""
    locale = locale_of(request)
    with ctx.transaction(readonly=True) as session:
        case = service.get_case(session, case_id)
        people = {m.user_id: m.user.name for m in accounts_repo.members(session)}
        teams = {t.id: t.name for t in journeys_repo.teams(session)}
        tps = {t.id: touchpoint_name(t, locale) for t in journeys_repo.touchpoints(session)}
        themes = {r["key"]: theme_label(r, locale) for r in theme_rules.org_rules(session)}
        moves = moves_of(locale, case.state) if ctx.may("cases.handle") else []
        values = _prefill(session, case, moves)
        if error_at in values and form is not None:
            values[error_at] = {f: form.get(f, "") for f in values[error_at]}
        errors = _at_top(errors or {}, _fields_of(error_at, values))
        messages = list(
            session.scalars(
                select(CaseMessage)
                .where(CaseMessage.case_id == case.id)
                .order_by(CaseMessage.created_at)
            )
        )
        timeline = _timeline(session, case, locale, people)
        context = _customer_context(session, case, locale)
        dues = cv.clocks(case, cv.warn_before(session), utcnow())
    return render(
        request,
        "cases/case.html",
        status_code=status_code,
        active="cases",
        case=case,
        state_label=cv.state_label(locale, case.state),
        priority_label=cv.label(locale, cv.PRIORITIES, case.priority),
        source_label=cv.label(locale, cv.SOURCES, case.source),
        language_label=language_label(locale, case.language),
        followup_label=cv.label(locale, cv.FOLLOWUP_OUTCOMES, case.followup_outcome),
        dues=dues,
        team=teams.get(case.team_id, "") if case.team_id else "",
        assignee=people.get(case.assignee_id, "") if case.assignee_id else "",
        touchpoint=tps.get(case.touchpoint_id, "") if case.touchpoint_id else "",
        root_cause_touchpoint=(
            tps.get(case.root_cause_touchpoint_id, "") if case.root_cause_touchpoint_id else ""
        ),
        root_cause_theme=themes.get(case.root_cause_theme or "", case.root_cause_theme or ""),
        timeline=timeline,
        messages=messages,
        moves=moves,
        values=values,
        errors=errors,
        error_at=error_at,
        # A refusal of a move that has no form here (the page was stale): above them all.
        stray_error=(errors or {}).get("")
        if error_at and error_at not in values and error_at not in ("assign", "note")
        else None,
        assign_form=(form if error_at == "assign" and form else None)
        or {
            "team_id": str(case.team_id or ""),
            "assignee_id": str(case.assignee_id or ""),
            "priority": case.priority,
        },
        note_form=form if error_at == "note" and form else {"body": ""},
        teams=sorted(((str(i), n) for i, n in teams.items()), key=lambda p: p[1].lower()),
        people=sorted(((str(i), n) for i, n in people.items()), key=lambda p: p[1].lower()),
        touchpoints=sorted(((str(i), n) for i, n in tps.items()), key=lambda p: p[1].lower()),
        themes=sorted(themes.items(), key=lambda p: p[1].lower()),
        priorities=[(k, gettext(locale, v)) for k, v in cv.PRIORITIES.items()],
        can_handle=ctx.may("cases.handle"),
        flash=flash,
        **context,
    )


@router.get("/{case_id}", response_class=HTMLResponse)
def show_case(
    request: Request, ctx: Viewer, case_id: uuid.UUID, done: str | None = None
) -> Response:
    page = case_page(request, ctx, case_id, flash=flash_of(request, done, DONE))
    # The case page shows the customer's contact details and words: a view is audited.
    with ctx.transaction() as session:
        record(session, "personal.viewed", ctx.actor, object_type="case", object_id=case_id)
    return page
