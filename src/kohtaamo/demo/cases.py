"""Demo cases: the closed loop at work in both demo organisations.

Each organisation gets its case settings, the suggested case rules
(:func:`kohtaamo.cases.rules.ensure_default_rules`), the default message templates,
team members (the demo's case handlers, and the manager, in the teams that own the
touchpoints) and a disabled example webhook endpoint. Then cases in every state of the
workflow, in Finnish and English:

- the events company's detractor and below-expectation answers since the rules were
  switched on (January) open cases as the rules would have, plus complaints and cases
  recorded by staff; the older ones are closed with a root cause and a follow-up answer,
  the newest still wait for acknowledgement; some missed their SLA;
- the Swedish festival organisation has a handful of English complaints.

Recovered customers answer the relationship survey again some weeks after their case
closed: those whose problem was put right slightly above the customers who never had a
case, the others below, so the recovery report's paradox test has data to test.

Rows are written in bulk (:mod:`kohtaamo.demo.cases_story` tells each case's life);
everything draws from the contributor's seeded randomness, so the same seed gives the
same cases.
"""

from __future__ import annotations

import base64
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from kohtaamo.accounts.models import Membership, User
from kohtaamo.cases.models import (
    Case,
    CaseEvent,
    CaseMessage,
    CaseRule,
    CaseSettings,
    TeamMember,
)
from kohtaamo.cases.rules import ensure_default_rules
from kohtaamo.demo.cases_later import LaterAnswer, write_later_answers
from kohtaamo.demo.cases_plans import Candidate, Planner, Staff, candidates_of
from kohtaamo.demo.cases_story import CasePlan, Deadlines, Render, at_work, tell
from kohtaamo.demo.cases_templates import install_templates, renderer
from kohtaamo.demo.cases_texts import ELAMYS_PROBLEMS, NORDIC_PROBLEMS
from kohtaamo.demo.generator import DemoContext, contributor
from kohtaamo.demo.journeys_nordic import SLUG as NORDIC_SLUG
from kohtaamo.journeys.models import Customer, Team, Touchpoint
from kohtaamo.storage.tenancy import require_tenant
from kohtaamo.webhooks.models import WebhookEndpoint

SHARED_KEY = "cases"  # ctx.shared[SHARED_KEY]: {organisation slug: number of cases}
RULES_SINCE = datetime(2026, 1, 1, tzinfo=UTC)  # when the events company switched rules on
BASE_CASES = 90  # the small demo (2,000 customers); grows with the square root of customers
MAX_CASES = 1_500
NORDIC_CASES = 10
WEBHOOK_URL = "https://example.invalid/hooks"
BATCH = 200
# Who sits in which team of the events company (besides the extra case handlers).
ELAMYS_TEAMS = {
    "handler@elamys.example": ("Asiakaspalvelu", "Tapahtumatuotanto"),
    "manager@elamys.example": ("Asiakaspalvelu",),
    "admin@elamys.example": ("Digitaaliset palvelut",),
}
NORDIC_TEAMS = {
    "owner@nordic-events.example": ("Customer care", "Digital", "Festival production"),
    "manager@elamys.example": ("Customer care", "Marketing"),
}


def case_count(customers: int) -> int:
    """Small (2,000 customers): 90; medium (50,000): 450; large: 1,500 at most."""
    return max(12, min(MAX_CASES, round(BASE_CASES * math.sqrt(customers / 2_000))))


@dataclass(frozen=True)
class _Setup:
    staff: Staff
    rules: dict[str, tuple[uuid.UUID, str]]  # rule key -> (id, name)
    teams: dict[str, uuid.UUID]  # team name -> id
    touchpoints: Mapping[str, tuple[uuid.UUID, uuid.UUID | None]]  # key -> (id, owner team)
    timezone: ZoneInfo


def _members(session: Session, wanted: dict[str, tuple[str, ...]]) -> dict[str, list[Any]]:
    """The organisation's users who handle cases: (id, name, email, role), by email."""
    rows = session.execute(
        select(User.id, User.name, User.email, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.is_active.is_(True))
        .order_by(User.email)
    ).all()
    return {
        "named": [r for r in rows if r.email in wanted],
        "handlers": [r for r in rows if r.role == "case_handler" and r.email not in wanted],
    }


def _setup(
    ctx: DemoContext, session: Session, wanted: dict[str, tuple[str, ...]], language: str
) -> _Setup:
    """Settings, rules, an edited template, team members and the example webhook."""
    timezone, _ = _sla_clock(session)
    ensure_default_rules(session)
    install_templates(session, language)
    # Sorted here, not by the database: collations differ between SQLite and PostgreSQL.
    teams = {t.name: t.id for t in sorted(session.scalars(select(Team)), key=lambda t: t.name)}
    touchpoints = {t.key: (t.id, t.owner_team_id) for t in session.scalars(select(Touchpoint))}
    people = _members(session, wanted)
    membership: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {tid: [] for tid in teams.values()}
    for row in people["named"]:
        for name in wanted[row.email]:
            membership[teams[name]].append((row.id, row.name))
    owners = {team_id for _, team_id in touchpoints.values()}
    owning = [team_id for team_id in teams.values() if team_id in owners]  # by team name
    for i, row in enumerate(people["handlers"]):
        membership[owning[i % len(owning)]].append((row.id, row.name))
    fallback = people["named"][0]
    for team_id in owning:
        if not membership[team_id]:
            membership[team_id].append((fallback.id, fallback.name))
    org = require_tenant(session)
    for team_id, users in membership.items():
        for user_id, _ in users:
            session.add(TeamMember(organisation_id=org, team_id=team_id, user_id=user_id))
    session.add(
        WebhookEndpoint(
            organisation_id=org,
            url=WEBHOOK_URL,
            description="Example: the CRM hears of cases (disabled in the demo)",
            secret="whsec_" + base64.b64encode(ctx.rng.randbytes(24)).decode(),
            event_types=["case.opened", "case.closed", "response.finished"],
            active=False,
            disabled_at=ctx.reference_date,
            disabled_reason="Demo example: enable it with a real receiver URL.",
        )
    )
    session.flush()
    rules = {
        r.key: (r.id, r.name) for r in session.scalars(select(CaseRule).order_by(CaseRule.key))
    }
    return _Setup(
        Staff(membership),
        rules,
        teams,
        touchpoints,
        ZoneInfo(timezone),
    )


def _customers(session: Session, languages: Sequence[str]) -> list[tuple[uuid.UUID, str, str]]:
    """(id, external id, language) of customers who speak one of ``languages``."""
    rows = session.execute(
        select(Customer.id, Customer.external_id, Customer.locale)
        .where(Customer.locale.in_(list(languages)))
        .order_by(Customer.external_id)
    ).all()
    return [(r.id, r.external_id, r.locale) for r in rows]


def _sla_clock(session: Session) -> tuple[str, Deadlines]:
    """The organisation's time zone and its SLA deadlines (settings made if missing)."""
    try:
        from kohtaamo.cases import sla  # the SLA clock, built alongside
    except ImportError:  # a stand-in in calendar time until it is there
        found = session.scalar(select(CaseSettings))
        if found is None:
            found = CaseSettings(organisation_id=require_tenant(session))
            session.add(found)
            session.flush()
        hours, days, tz = found.acknowledge_hours, found.resolve_days, ZoneInfo(found.timezone)
        return found.timezone, lambda t: (
            at_work(t, tz) + timedelta(hours=hours),
            at_work(t, tz) + timedelta(days=days * 7 / 5),
        )
    settings = sla.settings_of(session)
    return settings.timezone, lambda opened: sla.deadlines(settings, opened)


def _insert(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(cast(Table, model.__table__)), rows)


def _write_cases(
    ctx: DemoContext, slug: str, setup: _Setup, plans: list[CasePlan]
) -> list[LaterAnswer]:
    """Tell and insert every planned case; returns the follow-up answers of closed cases."""
    org = ctx.organisations[slug].id
    later: list[LaterAnswer] = []
    rng = ctx.rng

    def write(session: Session, batch: Sequence[CasePlan]) -> None:
        _, deadlines = _sla_clock(session)
        render: Render = renderer(session, ctx.organisations[slug].name)
        stories = [
            tell(p, org=org, rng=rng, end=ctx.reference_date, tz=setup.timezone,
                 deadlines=deadlines, render=render)
            for p in batch
        ]  # fmt: skip
        _insert(session, Case, [s.case for s in stories])
        _insert(session, CaseEvent, [e for s in stories for e in s.events])
        _insert(session, CaseMessage, [m for s in stories for m in s.messages])
        for plan, story in zip(batch, stories, strict=True):
            closed = story.case["closed_at"]
            if closed is not None and plan.outcome and plan.customer_id and not plan.reopened:
                later.append(LaterAnswer(plan.customer_id, closed, plan.outcome, plan.language))

    ctx.write_in_batches(
        f"cases ({slug})", plans, total=len(plans), tenant=org, write=write, batch_size=BATCH
    )
    return later


@contributor(order=60, name="cases.demo")
def demo_cases(ctx: DemoContext) -> None:
    """Cases for both demo organisations, and the recovered customers' later answers."""
    made: dict[str, int] = {}
    main = ctx.organisation
    with ctx.db.transaction(main.id) as session:
        setup = _setup(ctx, session, ELAMYS_TEAMS, "fi")
        found: list[Candidate] = candidates_of(session, RULES_SINCE)
        customers = _customers(session, ("fi", "en"))
    planner = Planner(
        ctx.rng, ctx.reference_date, setup.staff, setup.rules, setup.touchpoints, ELAMYS_PROBLEMS
    )
    plans = planner.plan(
        case_count(ctx.scale.customers), found, customers, staff_language=main.default_locale
    )
    later = _write_cases(ctx, main.slug, setup, plans)
    made[main.slug] = len(plans)
    write_later_answers(ctx, main.id, later)

    nordic = ctx.organisations[NORDIC_SLUG]
    with ctx.db.transaction(nordic.id) as session:
        setup = _setup(ctx, session, NORDIC_TEAMS, "en")
        customers = _customers(session, ("en",))
    planner = Planner(
        ctx.rng, ctx.reference_date, setup.staff, setup.rules, setup.touchpoints, NORDIC_PROBLEMS
    )
    plans = planner.plan(NORDIC_CASES, [], customers, staff_language="en")
    _write_cases(ctx, nordic.slug, setup, plans)
    made[nordic.slug] = len(plans)
    ctx.shared[SHARED_KEY] = made
