"""API: key drivers (critical touchpoints) of an outcome, from the analytics store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from kohtaamo.analytics.drivers import DriverQuery, DriverReport, analyse
from kohtaamo.analytics.source import Source
from kohtaamo.analytics.tasks import current_source
from kohtaamo.api.deps import ApiContext, api_permission
from kohtaamo.http.context import database, settings_of
from kohtaamo.i18n import gettext

router = APIRouter(prefix="/drivers", tags=["drivers"])

METHODS = {"lmg": "lmg", "relative-weights": "relative_weights"}


def analytics_source(request: Request) -> Source:
    """The analytics store as a source (synced first where no background sync runs)."""
    return current_source(settings_of(request), database(request))


class DriverOut(BaseModel):
    key: str
    touchpoint_id: str
    name: str
    rank: int
    weight: float
    share: float
    lmg: float
    relative_weight: float
    interval: tuple[float, float] | None
    answered: int
    performance: float
    quadrant: str


class DriversOut(BaseModel):
    outcome: str
    kind: str
    unit: str
    method: str
    exact: bool
    r2: float
    n: int
    dropped: int
    rows: int
    bootstrap: int
    drivers: list[DriverOut]
    left_out: dict[str, int]
    notes: list[str]

    @classmethod
    def of(cls, report: DriverReport, locale: str) -> DriversOut:
        q = report.query
        return cls(
            outcome=q.outcome,
            kind=q.kind,
            unit=q.unit,
            method=q.method,
            exact=report.exact,
            r2=report.r2,
            n=report.n,
            dropped=report.dropped,
            rows=report.rows,
            bootstrap=q.bootstrap,
            drivers=[
                DriverOut(
                    key=d.key,
                    touchpoint_id=d.touchpoint_id,
                    name=d.name(locale),
                    rank=d.rank,
                    weight=d.weight,
                    share=d.share,
                    lmg=d.lmg,
                    relative_weight=d.relative_weight,
                    interval=d.interval,
                    answered=d.answered,
                    performance=d.performance,
                    quadrant=d.quadrant,
                )
                for d in report.drivers
            ],
            left_out=report.left_out,
            notes=[gettext(locale, n.msgid, **n.params) for n in report.notes],
        )


@router.get("", response_model=DriversOut, summary="Key drivers of an outcome")
def drivers(
    ctx: Annotated[ApiContext, Depends(api_permission("analytics.view"))],
    source: Annotated[Source, Depends(analytics_source)],
    outcome: Annotated[str, Query(max_length=80, pattern=r"^[A-Za-z0-9_:.\-]+$")] = "nps",
    drivers: Annotated[str, Query(max_length=4000)] = "",
    method: Literal["lmg", "relative-weights"] = "lmg",
    kind: Literal["experience", "gap"] = "experience",
    unit: Literal["response", "customer"] = "response",
    start: datetime | None = None,
    end: datetime | None = None,
    segment: Annotated[str | None, Query(max_length=80)] = None,
    bootstrap: Annotated[int, Query(ge=0, le=2000)] = 200,
) -> DriversOut:
    """Relative importance of touchpoints for `outcome` (`nps`, `repurchase_intent`,
    `overall_satisfaction`, or `attribute:<name>` for a customer attribute such as
    `attribute:churned`, which makes the rows customers). `drivers`: touchpoint keys,
    comma-separated (default: every touchpoint answered often enough). Both LMG and
    relative weights are returned for each driver; `weight` and the bootstrap `interval`
    are the chosen method's, and the weights sum to `r2`. A 422 explains input the
    analysis cannot carry (too few answers, a constant or collinear driver, more than
    30 drivers, the outcome among the drivers)."""
    keys = tuple(k.strip() for k in drivers.split(",") if k.strip())
    q = DriverQuery(
        outcome=outcome,
        kind=kind,
        unit=unit,
        drivers=keys,
        start=_naive(start),
        end=_naive(end),
        segment=segment or None,
        method=METHODS[method],  # type: ignore[arg-type]
        bootstrap=bootstrap,
    )
    return DriversOut.of(analyse(source, ctx.actor.organisation_id, q), ctx.locale)


def _naive(when: datetime | None) -> datetime | None:
    """The store keeps naive UTC times."""
    if when is None or when.tzinfo is None:
        return when
    return when.astimezone(UTC).replace(tzinfo=None)
