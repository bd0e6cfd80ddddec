"""Path analytics: the paths customers really take."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from kohtaamo.api.deps import ApiContext, api_permission
from kohtaamo.api.params import IsoDateTime
from kohtaamo.journeys.analytics import PathQuery, RankBy, path_report
from kohtaamo.journeys.pathstore import PathStore
from kohtaamo.journeys.report_schemas import PathReportOut

router = APIRouter(tags=["paths"])


def path_store(request: Request) -> PathStore:
    store: PathStore = request.app.state.path_store
    return store


@router.get("/paths", response_model=PathReportOut, summary="Path variants, graph, funnel")
def paths(
    ctx: Annotated[ApiContext, Depends(api_permission("journeys.view"))],
    store: Annotated[PathStore, Depends(path_store)],
    journey: Annotated[
        uuid.UUID | None, Query(description="Only this journey's touchpoints")
    ] = None,
    start: Annotated[
        IsoDateTime | None, Query(alias="from", description="Events at or after")
    ] = None,
    end: Annotated[IsoDateTime | None, Query(alias="to", description="Events before")] = None,
    segment: Annotated[str | None, Query(max_length=80)] = None,
    top: Annotated[int, Query(ge=1, le=500)] = 20,
    coverage: Annotated[float, Query(gt=0, le=1)] = 0.8,
    rank_by: Annotated[RankBy, Query()] = "customers",
) -> PathReportOut:
    """For all touchpoints or one journey: the path variants with counts and shares (and how
    many of them cover `coverage` of customers or value), the directly-follows graph with
    median and p90 transition times, start and end touchpoints, the stage funnel of a
    journey, and the time from first to last touchpoint."""
    query = PathQuery(journey, start, end, segment, top, coverage, rank_by)
    with ctx.transaction(readonly=True) as session:
        return PathReportOut.of(path_report(session, store, ctx.actor, query))
