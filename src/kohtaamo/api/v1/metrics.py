"""API: the metric catalogue and metric queries over the analytics store."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from kohtaamo.analytics.catalogue import listing, metric
from kohtaamo.analytics.query import DIMENSIONS, PERIODS, cells, dimension_labels, trend
from kohtaamo.analytics.query_frame import ATTRIBUTE_PREFIX
from kohtaamo.analytics.schemas import CatalogueOut, CellOut, MetricOut, MetricQueryIn, QueryOut
from kohtaamo.analytics.source import Source
from kohtaamo.analytics.store import get_store
from kohtaamo.api.deps import ApiContext, api_permission
from kohtaamo.http.context import settings_of

router = APIRouter(prefix="/metrics", tags=["metrics"])


def analytics_source(request: Request) -> Source:
    """The process-wide analytics store's tables (a dependency, so tests can point it
    at their own store)."""
    return get_store(settings_of(request)).source()


@router.get("", response_model=CatalogueOut, summary="The metric catalogue")
def catalogue(
    ctx: Annotated[ApiContext, Depends(api_permission("analytics.view"))],
) -> CatalogueOut:
    """Every metric with its label in the request's language, unit, the measure roles it
    reads, how it is computed, the minimum number of answers and its range; and the
    dimensions (plus `attribute:<name>` for any customer attribute) and periods a query
    can slice by."""
    return CatalogueOut(
        metrics=[MetricOut.of(m, ctx.locale) for m in listing()],
        dimensions=[*DIMENSIONS, ATTRIBUTE_PREFIX + "<name>"],
        periods=list(PERIODS),
    )


@router.post("/query", response_model=QueryOut, summary="Metric values by slice and period")
def query(
    body: MetricQueryIn,
    ctx: Annotated[ApiContext, Depends(api_permission("analytics.view"))],
    source: Annotated[Source, Depends(analytics_source)],
) -> QueryOut:
    """The metrics by the chosen dimensions and period, one cell per slice with data
    (with `trend`, every period of the range). A value is `too_few` below the metric's
    minimum number of answers and `no_data` without any, and then `value` is null. With
    `compare`, each value has its change against the previous period and whether it is
    significant after the Benjamini–Hochberg correction over the query."""
    spec = body.to_spec()
    org = ctx.actor.organisation_id
    found = trend(source, org, spec) if body.trend else cells(source, org, spec)
    labels = {d: dimension_labels(source, org, d, ctx.locale) for d in spec.by}
    return QueryOut(
        metrics=[MetricOut.of(metric(slug), ctx.locale) for slug in spec.metrics],
        cells=[CellOut.of(c) for c in found],
        labels={d: found_labels for d, found_labels in labels.items() if found_labels},
    )
