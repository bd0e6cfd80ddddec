"""API: the programme's live status: every measure's value and standing against its
target, and every standard's and element's standing rolled up."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from kohtaamo.analytics.tasks import current_source
from kohtaamo.api.deps import ApiContext, api_permission
from kohtaamo.http.context import settings_of
from kohtaamo.programme.status import programme_status
from kohtaamo.programme.tree import load_pyramid

router = APIRouter(tags=["programme"])

Viewer = Annotated[ApiContext, Depends(api_permission("programme.view"))]


class MeasureStatusOut(BaseModel):
    measure_id: uuid.UUID
    metric: str
    target: float
    direction: str
    status: str
    value: float | None
    low: float | None
    high: float | None
    n: int
    sufficiency: str
    gap_to_target: float | None


class StatusOut(BaseModel):
    measures: list[MeasureStatusOut]
    standards: dict[uuid.UUID, str]
    elements: dict[uuid.UUID, str]
    counts: dict[str, int]


@router.get("/programme/status", summary="Live status of every measure, standard and element")
def status(request: Request, ctx: Viewer) -> StatusOut:
    with ctx.transaction(readonly=True) as session:
        pyramid = load_pyramid(session)
    found = programme_status(
        current_source(settings_of(request), ctx.db),
        ctx.actor.organisation_id,
        pyramid,
        with_trend=False,
    )
    measures = []
    for measure in pyramid.measures():
        s = found.measures[measure.id]
        measures.append(
            MeasureStatusOut(
                measure_id=measure.id,
                metric=measure.metric,
                target=measure.target,
                direction=measure.direction,
                status=s.status.value,
                value=s.value.value,
                low=s.value.low,
                high=s.value.high,
                n=s.value.n,
                sufficiency=s.value.status.value,
                gap_to_target=s.gap_to_target,
            )
        )
    return StatusOut(
        measures=measures,
        standards={k: v.value for k, v in found.standards.items()},
        elements={k: v.value for k, v in found.elements.items()},
        counts={k.value: v for k, v in found.counts.items()},
    )
