"""API: recovery metrics (time to acknowledge and resolve in working hours, SLA
compliance, follow-ups, the recovery paradox test) and root causes of resolved cases."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from kohtaamo.api.deps import ApiContext, api_permission
from kohtaamo.api.params import IsoDateTime
from kohtaamo.cases import recovery
from kohtaamo.cases.recovery import CauseGroup, Compliance, Durations
from kohtaamo.cases.recovery_paradox import Group
from kohtaamo.errors import InvalidInput
from kohtaamo.i18n import gettext
from kohtaamo.kit.clock import ensure_utc
from kohtaamo.metrics.compare import Difference
from kohtaamo.metrics.stats import Interval

router = APIRouter(prefix="/cases", tags=["cases"])

Viewer = Annotated[ApiContext, Depends(api_permission("cases.view"))]
Since = Annotated[IsoDateTime | None, Query(description="From (ISO 8601 with a time zone)")]
Until = Annotated[IsoDateTime | None, Query(description="... and before")]


class DurationsOut(BaseModel):
    n: int
    status: str
    median_hours: float | None
    p90_hours: float | None

    @classmethod
    def of(cls, d: Durations) -> DurationsOut:
        return cls(n=d.n, status=d.status.value, median_hours=d.median, p90_hours=d.p90)


class ComplianceOut(BaseModel):
    met: int
    missed: int
    pending: int
    status: str
    share: float | None
    interval: tuple[float, float] | None

    @classmethod
    def of(cls, c: Compliance) -> ComplianceOut:
        return cls(
            met=c.met,
            missed=c.missed,
            pending=c.pending,
            status=c.share.status.value,
            share=c.share.share,
            interval=_interval(c.share.interval),
        )


class FollowUpsOut(BaseModel):
    sent: int
    answered: int
    outcomes: dict[str, int]
    status: str
    put_right_share: float | None
    interval: tuple[float, float] | None


class GroupOut(BaseModel):
    customers: int
    nps_n: int
    nps_status: str
    nps: float | None
    repurchase_n: int
    repurchase_status: str
    repurchase_percent_of_scale: float | None

    @classmethod
    def of(cls, g: Group) -> GroupOut:
        return cls(
            customers=g.customers,
            nps_n=g.nps.n,
            nps_status=g.nps.status.value,
            nps=g.nps.nps,
            repurchase_n=g.repurchase.n,
            repurchase_status=g.repurchase.status.value,
            repurchase_percent_of_scale=g.repurchase.mean,
        )


class DifferenceOut(BaseModel):
    status: str
    difference: float | None
    interval: tuple[float, float] | None
    p_value: float | None
    test: str

    @classmethod
    def of(cls, d: Difference) -> DifferenceOut:
        return cls(
            status=d.status.value,
            difference=d.difference,
            interval=_interval(d.interval),
            p_value=d.p_value,
            test=d.test,
        )


class ParadoxOut(BaseModel):
    recovered: GroupOut
    never_had_a_case: GroupOut
    nps_difference: DifferenceOut
    repurchase_difference: DifferenceOut
    repurchase_mann_whitney_p_value: float | None
    min_n: int
    verdict: str
    repurchase_verdict: str


class RecoveryOut(BaseModel):
    since: datetime | None
    until: datetime | None
    opened: int
    open_now: int
    breached: int
    time_to_acknowledge: DurationsOut
    time_to_resolve: DurationsOut
    acknowledge_compliance: ComplianceOut
    resolve_compliance: ComplianceOut
    followups: FollowUpsOut
    paradox: ParadoxOut


class CauseOut(BaseModel):
    touchpoint_id: uuid.UUID | None
    theme: str | None
    standard: str | None
    count: int
    share: float
    last_at: datetime
    recurring: bool
    case_ids: list[uuid.UUID]

    @classmethod
    def of(cls, g: CauseGroup) -> CauseOut:
        return cls(
            touchpoint_id=g.touchpoint_id,
            theme=g.theme,
            standard=g.standard,
            count=g.count,
            share=g.share,
            last_at=g.last_at,
            recurring=g.recurring,
            case_ids=list(g.case_ids),
        )


class RootCausesOut(BaseModel):
    resolved: int
    with_cause: int
    combined: list[CauseOut]
    by_touchpoint: list[CauseOut]
    by_theme: list[CauseOut]
    by_standard: list[CauseOut]


def _interval(i: Interval | None) -> tuple[float, float] | None:
    return (i.low, i.high) if i is not None else None


def _span(since: datetime | None, until: datetime | None) -> tuple[datetime | None, ...]:
    a = ensure_utc(since) if since else None
    b = ensure_utc(until) if until else None
    if a and b and b <= a:
        raise InvalidInput("The end must be after the start.", field="until")
    return a, b


@router.get("/recovery", response_model=RecoveryOut, summary="Recovery metrics")
def recovery_metrics(ctx: Viewer, since: Since = None, until: Until = None) -> RecoveryOut:
    """Cases opened in [since, until): working hours to acknowledge and to resolve
    (median, 90th percentile), deadlines kept, follow-ups answered "put right", and the
    recovery paradox test: later NPS and repurchase intent of recovered customers against
    customers who never had a case. A figure with too few cases or answers has status
    `too_few` (none: `no_data`) and no value."""
    a, b = _span(since, until)
    with ctx.transaction(readonly=True) as session:
        m = recovery.metrics(session, since=a, until=b)
    f, p = m.followups, m.paradox
    return RecoveryOut(
        since=a,
        until=b,
        opened=m.opened,
        open_now=m.open_now,
        breached=m.breached,
        time_to_acknowledge=DurationsOut.of(m.time_to_acknowledge),
        time_to_resolve=DurationsOut.of(m.time_to_resolve),
        acknowledge_compliance=ComplianceOut.of(m.acknowledge_compliance),
        resolve_compliance=ComplianceOut.of(m.resolve_compliance),
        followups=FollowUpsOut(
            sent=f.sent,
            answered=f.answered,
            outcomes=f.outcomes,
            status=f.put_right.status.value,
            put_right_share=f.put_right.share,
            interval=_interval(f.put_right.interval),
        ),
        paradox=ParadoxOut(
            recovered=GroupOut.of(p.recovered),
            never_had_a_case=GroupOut.of(p.never),
            nps_difference=DifferenceOut.of(p.nps_difference),
            repurchase_difference=DifferenceOut.of(p.repurchase_difference.welch),
            repurchase_mann_whitney_p_value=p.repurchase_difference.mann_whitney_p_value,
            min_n=p.min_n,
            verdict=gettext(ctx.locale, p.verdict.msgid, **p.verdict.params),
            repurchase_verdict=gettext(
                ctx.locale, p.repurchase_verdict.msgid, **p.repurchase_verdict.params
            ),
        ),
    )


@router.get("/root-causes", response_model=RootCausesOut, summary="Root causes of cases")
def root_causes(ctx: Viewer, since: Since = None, until: Until = None) -> RootCausesOut:
    """Resolved cases of [since, until) grouped by root cause (touchpoint, theme,
    standard broken, and the three together), most cases first; `recurring` marks a
    cause behind three or more cases."""
    a, b = _span(since, until)
    with ctx.transaction(readonly=True) as session:
        rc = recovery.root_causes(session, since=a, until=b)
    return RootCausesOut(
        resolved=rc.resolved,
        with_cause=rc.with_cause,
        combined=[CauseOut.of(g) for g in rc.combined],
        by_touchpoint=[CauseOut.of(g) for g in rc.by_touchpoint],
        by_theme=[CauseOut.of(g) for g in rc.by_theme],
        by_standard=[CauseOut.of(g) for g in rc.by_standard],
    )
