"""Metric queries in and out: the query spec the API takes and the cells it returns.

Unknown metrics, dimensions and periods are refused with a 422 naming the culprit (a
translatable message), never a 500.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from kohtaamo.analytics.catalogue import Metric, is_metric, label
from kohtaamo.analytics.query import Cell, Filter, MetricValue, Spec
from kohtaamo.analytics.query_frame import PERIODS, check_dimension
from kohtaamo.errors import InvalidInput, rule_error
from kohtaamo.journeys.schemas import IsoDateTime, StrictModel

Word = Annotated[str, StringConstraints(min_length=1, max_length=80)]
Value = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class FilterIn(StrictModel):
    dimension: Word
    values: list[Value] = Field(min_length=1, max_length=200)


class MetricQueryIn(StrictModel):
    """Which metrics, sliced by which dimensions and period, over which answers."""

    metrics: list[Word] = Field(
        min_length=1, max_length=20, description="Catalogue slugs, e.g. nps, csat, mean:trust"
    )
    by: list[Word] = Field(default_factory=list, max_length=3, description="Dimensions")
    period: Word | None = Field(None, description="day, week (from Monday), month or quarter")
    start: IsoDateTime | None = Field(None, description="Answers at or after")
    end: IsoDateTime | None = Field(None, description="Answers before")
    filters: list[FilterIn] = Field(default_factory=list, max_length=10)
    compare: bool = Field(
        False,
        description="Compare each cell with the previous period of equal length "
        "(or, with a period, with the period before it)",
    )
    trend: bool = Field(False, description="Every period of the range, also those without data")
    confidence: float = Field(0.95, ge=0.8, le=0.999)

    @model_validator(mode="after")
    def _known(self) -> MetricQueryIn:
        for slug in self.metrics:
            if not is_metric(slug):
                raise rule_error("Unknown metric %(value)s.", value=slug)
        for d in [*self.by, *(f.dimension for f in self.filters)]:
            try:
                check_dimension(d)
            except InvalidInput:
                raise rule_error("Unknown dimension %(value)s.", value=d) from None
        if len(set(self.by)) != len(self.by):
            raise rule_error("A dimension can be chosen only once.")
        if self.period is not None and self.period not in PERIODS:
            raise rule_error(
                "Unknown period %(value)s; use day, week, month or quarter.", value=self.period
            )
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise rule_error("The start must be before the end.")
        if self.compare and self.period is None and (self.start is None or self.end is None):
            raise rule_error("Comparing with the previous period needs a start and an end.")
        if self.trend and self.period is None:
            raise rule_error("A trend needs a period: day, week, month or quarter.")
        return self

    def to_spec(self) -> Spec:
        return Spec(
            metrics=tuple(self.metrics),
            by=tuple(self.by),
            period=self.period,
            start=self.start,
            end=self.end,
            filters=tuple(Filter(f.dimension, tuple(f.values)) for f in self.filters),
            compare=self.compare,
            confidence=self.confidence,
        )


class MetricOut(BaseModel):
    slug: str
    label: str
    unit: str
    roles: list[str]
    computed: str
    higher_is_better: bool
    min_n: int
    low: float
    high: float
    interval: str

    @classmethod
    def of(cls, m: Metric, locale: str) -> MetricOut:
        return cls(
            slug=m.slug,
            label=label(m.slug, locale),
            unit=m.unit.value,
            roles=list(m.roles),
            computed=m.describe(locale),
            higher_is_better=m.higher_is_better,
            min_n=m.min_n,
            low=m.low,
            high=m.high,
            interval=m.interval,
        )


class CatalogueOut(BaseModel):
    metrics: list[MetricOut]
    dimensions: list[str]
    periods: list[str]


class ChangeOut(BaseModel):
    previous: float | None
    previous_n: int
    previous_status: str
    delta: float | None
    p_value: float | None
    adjusted_p_value: float | None = Field(description="Benjamini–Hochberg over the query")
    significant: bool
    test: str


class ValueOut(BaseModel):
    status: str = Field(description="ok, too_few (below the metric's minimum n) or no_data")
    value: float | None
    n: int
    low: float | None
    high: float | None
    change: ChangeOut | None = None

    @classmethod
    def of(cls, v: MetricValue) -> ValueOut:
        change = None
        if v.change is not None:
            c = v.change
            change = ChangeOut(
                previous=c.previous.value,
                previous_n=c.previous.n,
                previous_status=c.previous.status.value,
                delta=c.delta,
                p_value=c.p_value,
                adjusted_p_value=c.adjusted_p_value,
                significant=c.significant,
                test=c.test,
            )
        return cls(
            status=v.status.value, value=v.value, n=v.n, low=v.low, high=v.high, change=change
        )


class CellOut(BaseModel):
    key: dict[str, str | None] = Field(description="Dimension value ids and the period")
    values: dict[str, ValueOut]

    @classmethod
    def of(cls, cell: Cell) -> CellOut:
        return cls(key=cell.key, values={k: ValueOut.of(v) for k, v in cell.values.items()})


class QueryOut(BaseModel):
    metrics: list[MetricOut]
    cells: list[CellOut]
    labels: dict[str, dict[str, str]] = Field(
        description="Display names of the dimension value ids in the cells"
    )
