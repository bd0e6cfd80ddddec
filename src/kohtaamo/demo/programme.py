"""Demo programme: the events company's experience pyramid, built through the programme's
own service so every rule holds.

Three experience elements, each with two sub-elements; standards of work on real
touchpoints and owning teams; measures on the demo's own answers with targets chosen so
that the live status shows every standing; actions in every status (one done, so its
measures can be compared before and after; one past its due date; one tied to the cases
whose root cause was the invoice); references from other industries; the CX
description's own words. The targets were set against the demo's values over the last
365 days (seed 42, small size; 2026-11-24): the comment beside each says which.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import select

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.permissions import Role
from kohtaamo.cases.models import Case
from kohtaamo.demo.generator import DemoContext, contributor
from kohtaamo.demo.programme_staff import write_observations, write_walkthroughs
from kohtaamo.demo.programme_texts import (
    BENCHMARKS,
    DESCRIPTION,
    ELEMENTS,
    MEASURES,
    STANDARDS,
)
from kohtaamo.journeys.models import Team, Touchpoint
from kohtaamo.programme import service
from kohtaamo.programme.models import Action, Benchmark, Description, ElementTouchpoint
from kohtaamo.programme.schemas import ActionIn, ElementIn, MeasureIn, StandardIn
from kohtaamo.programme.vocab import ActionStatus


def _actions(
    today: date, measures: dict[str, uuid.UUID], owners: list[uuid.UUID]
) -> list[tuple[ActionIn, ActionStatus, date | None, date | None, date | None]]:
    """(action, status, started, done, due date to set afterwards)."""

    def owner(i: int) -> uuid.UUID | None:
        return owners[i % len(owners)] if owners else None

    return [
        (
            ActionIn(
                title="Yhden sivun kassa ja tallennettu kortti",
                owner_id=owner(0),
                description="Checkout on one page; a returning customer's card is remembered.",
                expected_effect="Checkout effort up by half a point; more customers above "
                "expectations.",
                measure_ids=[
                    measures["Checkout effort"],
                    measures["Checkout exceeds expectations"],
                ],
            ),
            ActionStatus.DONE,
            today - timedelta(days=150),
            today - timedelta(days=90),
            None,
        ),
        (
            ActionIn(
                title="Kaksi lisäkaistaa ja QR-luku ovelle",
                owner_id=owner(1),
                description="Two more entry lanes and QR scanning at the gate.",
                expected_effect="Share short of expectations at the door under 40 %.",
                measure_ids=[measures["Entry falls short"]],
                due_date=today + timedelta(days=21),
            ),
            ActionStatus.IN_PROGRESS,
            today - timedelta(days=30),
            None,
            None,
        ),
        (
            ActionIn(
                title="Lasku uusiksi: jokainen rivi selvää kieltä",
                owner_id=owner(2),
                description="Rewrite the corporate invoice with three customers.",
                expected_effect="Satisfaction with the invoice over 50 %.",
                measure_ids=[measures["Satisfaction with the invoice"]],
                due_date=today + timedelta(days=68),
            ),
            ActionStatus.PLANNED,
            None,
            None,
            None,
        ),
        (
            ActionIn(
                title="Arvostelijoille soitetaan seuraavana työpäivänä",
                owner_id=owner(0),
                description="Every detractor gets a call the next working day.",
                expected_effect="NPS up by ten points in two quarters.",
                measure_ids=[measures["Likelihood to recommend"]],
                due_date=today + timedelta(days=1),
            ),
            ActionStatus.IN_PROGRESS,
            today - timedelta(days=60),
            None,
            today - timedelta(days=9),
        ),
        (
            ActionIn(
                title="Henkilökohtainen tervetulotoivotus yritystilaisuuksiin",
                owner_id=owner(1),
                due_date=today + timedelta(days=96),
                measure_ids=[measures["Corporate event satisfaction"]],
            ),
            ActionStatus.PLANNED,
            None,
            None,
            None,
        ),
        (
            ActionIn(
                title="Chatbotti lippukysymyksiin",
                owner_id=owner(2),
                description="Cancelled: customers want a person (see the observations).",
            ),
            ActionStatus.CANCELLED,
            None,
            None,
            None,
        ),
    ]


@contributor(order=70, name="programme.demo")
def demo_programme(ctx: DemoContext) -> None:
    """The events company's programme (the festival organisation has none yet)."""
    org = ctx.organisation
    actor = Actor(organisation_id=org.id, role=Role.OWNER)
    today = ctx.reference_date.date() + timedelta(days=23)
    owners = [
        u.id for role in (Role.ADMIN, Role.ANALYST, Role.OWNER) for u in ctx.users_by_role[role]
    ]
    with ctx.db.transaction(org.id) as session:
        tps = {t.key: t.id for t in session.scalars(select(Touchpoint))}
        teams = {t.name: t.id for t in session.scalars(select(Team))}
        ids: dict[str, uuid.UUID] = {}
        for position, (key, fi, en, mean_fi, mean_en, subs) in enumerate(ELEMENTS):
            top = service.create_element(
                session,
                ElementIn(
                    key=key,
                    name_fi=fi,
                    name_en=en,
                    meaning_fi=mean_fi,
                    meaning_en=mean_en,
                    position=position,
                ),
                actor,
            )
            ids[key] = top.id
            for sub_position, (sub_key, sub_fi, sub_en) in enumerate(subs):
                ids[sub_key] = service.create_element(
                    session,
                    ElementIn(
                        key=sub_key,
                        name_fi=sub_fi,
                        name_en=sub_en,
                        parent_id=top.id,
                        position=sub_position,
                    ),
                    actor,
                ).id
        standards: dict[str, uuid.UUID] = {}
        for sub, tp, team, fi, en, check_fi, check_en in STANDARDS:
            standards[tp] = service.create_standard(
                session,
                StandardIn(
                    element_id=ids[sub],
                    team_id=teams.get(team),
                    touchpoint_ids=[tps[tp]],
                    title_fi=fi,
                    title_en=en,
                    check_fi=check_fi,
                    check_en=check_en,
                ),
                actor,
            ).id
            session.add(
                ElementTouchpoint(
                    element_id=ids[sub], touchpoint_id=tps[tp], meaning_fi=fi, meaning_en=en
                )
            )
        measures: dict[str, uuid.UUID] = {}
        for owner_key, standard_tp, fi, en, slug, scope, target, tolerance in MEASURES:
            data = MeasureIn(
                element_id=ids[owner_key],
                standard_id=standards[standard_tp] if standard_tp else None,
                name_fi=fi,
                name_en=en,
                metric=slug,
                touchpoint_id=tps[scope] if scope else None,
                target=target,
                tolerance=tolerance,
                window_days=365,
            )
            measures[en] = service.create_measure(session, data, actor).id
        invoice_cases = list(
            session.scalars(
                select(Case.id).where(Case.root_cause_touchpoint_id == tps["invoice"]).limit(20)
            )
        )
        for plan, status, started, done, due in _actions(today, measures, owners):
            if plan.title.startswith("Lasku"):
                plan = plan.model_copy(update={"case_ids": invoice_cases})
            action = service.create_action(session, plan, actor, today=today)
            row = session.get(Action, action.id)
            assert row is not None
            row.status, row.started_on, row.done_on = status.value, started, done
            if due is not None:
                row.due_date = due  # past its due date: the board shows it overdue
        for sub, company, industry, practice, label, value, unit, source in BENCHMARKS:
            session.add(
                Benchmark(
                    element_id=ids[sub],
                    company=company,
                    industry=industry,
                    practice=practice,
                    metric_label=label,
                    value=value,
                    unit=unit,
                    source=source,
                )
            )
        session.add(Description(**DESCRIPTION))
        staff = [
            u.id
            for role in (Role.CASE_HANDLER, Role.ANALYST, Role.ADMIN, Role.OWNER)
            for u in ctx.users_by_role[role]
        ]
        noticed = write_observations(session, tps, staff, ctx.reference_date)
        walks = write_walkthroughs(session, tps, owners[0] if owners else None, today)
    ctx.counts["programme observations"] = noticed
    ctx.counts["programme walkthroughs"] = walks
    ctx.counts["programme elements"] = len(ids)
    ctx.counts["programme measures"] = len(measures)
