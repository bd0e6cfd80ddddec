"""Path analytics out of the API (the report of journeys.analytics)."""

from __future__ import annotations

from pydantic import BaseModel

from kohtaamo.journeys.analytics import PathReport


class VariantOut(BaseModel):
    touchpoints: list[str]
    customers: int
    share: float
    value: float


class EdgeOut(BaseModel):
    source: str
    target: str
    count: int
    median_seconds: float
    p90_seconds: float
    mean_seconds: float


class FunnelStepOut(BaseModel):
    stage: str
    touchpoints: list[str]
    reached: int
    conversion: float
    drop_off: int
    of_start: float


class DurationsOut(BaseModel):
    customers: int
    median_seconds: float
    p90_seconds: float
    mean_seconds: float


class PathReportOut(BaseModel):
    customers: int
    events: int
    variants_total: int
    covering: int
    variants: list[VariantOut]
    edges: list[EdgeOut]
    start_touchpoints: dict[str, int]
    end_touchpoints: dict[str, int]
    durations: DurationsOut
    funnel: list[FunnelStepOut]

    @staticmethod
    def of(report: PathReport) -> PathReportOut:
        return PathReportOut(
            customers=report.customers,
            events=report.events,
            variants_total=report.variants_total,
            covering=report.covering,
            variants=[
                VariantOut(
                    touchpoints=list(v.activities), customers=v.count, share=v.share, value=v.value
                )
                for v in report.variants
            ],
            edges=[
                EdgeOut(
                    source=e.source,
                    target=e.target,
                    count=e.count,
                    median_seconds=e.median_s,
                    p90_seconds=e.p90_s,
                    mean_seconds=e.mean_s,
                )
                for e in report.edges
            ],
            start_touchpoints=report.starts,
            end_touchpoints=report.ends,
            durations=DurationsOut(
                customers=report.durations.cases,
                median_seconds=report.durations.median_s,
                p90_seconds=report.durations.p90_s,
                mean_seconds=report.durations.mean_s,
            ),
            funnel=[
                FunnelStepOut(
                    stage=spec.name,
                    touchpoints=spec.touchpoints,
                    reached=step.reached,
                    conversion=step.conversion,
                    drop_off=step.drop_off,
                    of_start=step.of_start,
                )
                for spec, step in report.funnel
            ],
        )
