"""Path analytics use cases: the paths customers really take, for a journey or for all
touchpoints, filtered by period and segment, ranked by customers or by value."""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.errors import InvalidInput, NotFound
from kohtaamo.journeys import paths as engine
from kohtaamo.journeys.ingest import StoredRow
from kohtaamo.journeys.models import (
    Customer,
    InteractionEvent,
    Journey,
    JourneyTouchpoint,
    Stage,
    Touchpoint,
)
from kohtaamo.journeys.pathstore import (
    LoadedIds,
    Loader,
    OrgPaths,
    PathStore,
    StoredEvent,
    micros_from_datetime64,
    to_micros,
)
from kohtaamo.storage.db import Database

RankBy = Literal["customers", "value", "lifetime_value"]


@dataclass(frozen=True)
class PathQuery:
    journey_id: uuid.UUID | None = None
    start: datetime | None = None
    end: datetime | None = None
    segment: str | None = None
    top: int = 20
    coverage: float = 0.8
    rank_by: RankBy = "customers"
    volumes: bool = False  # also count events and customers per touchpoint (costs a sort)

    def __post_init__(self) -> None:
        if not 1 <= self.top <= 500:
            raise InvalidInput("Show between 1 and 500 paths.", field="top")
        if not 0 < self.coverage <= 1:
            raise InvalidInput("Coverage must be more than 0 and at most 1.", field="coverage")
        for name, moment in (("from", self.start), ("to", self.end)):
            if moment is not None and moment.tzinfo is None:
                raise InvalidInput("The time must include a time zone.", field=name)
        if self.start and self.end and self.start >= self.end:
            raise InvalidInput("The period must end after it starts.", field="end")


@dataclass(frozen=True)
class StageSpec:
    name: str
    touchpoints: list[str]


@dataclass
class PathReport:
    customers: int
    events: int
    variants_total: int
    covering: int  # how many of the ranked variants cover `coverage` of customers (or value)
    variants: list[engine.Variant]
    edges: list[engine.Edge]
    starts: dict[str, int]
    ends: dict[str, int]
    durations: engine.Durations
    funnel: list[tuple[StageSpec, engine.FunnelStep]] = field(default_factory=list)
    # touchpoint key -> (events, customers); only when the query asks for volumes
    volumes: dict[str, tuple[int, int]] = field(default_factory=dict)


RECENT_WINDOW = 200_000


def database_loader(db: Database) -> Loader:
    """Stream an organisation's events from the database into its read model."""

    def load(organisation_id: uuid.UUID, paths: OrgPaths) -> LoadedIds:
        recent: deque[int] = deque(maxlen=RECENT_WINDOW)
        with db.transaction(organisation_id, readonly=True) as session:
            keys = {tid: key for tid, key in session.execute(select(Touchpoint.id, Touchpoint.key))}
            stmt = (
                select(
                    InteractionEvent.customer_id,
                    InteractionEvent.touchpoint_id,
                    InteractionEvent.occurred_at,
                    InteractionEvent.order_value,
                    InteractionEvent.id,
                )
                .where(InteractionEvent.organisation_id == organisation_id)
                .order_by(InteractionEvent.id)
                .execution_options(yield_per=100_000)
            )
            for chunk in session.execute(stmt).partitions():
                customers, touchpoints, moments, values, ids = zip(*chunk, strict=True)
                n = len(chunk)
                paths.add_arrays(
                    np.fromiter((paths.case_of(c.hex) for c in customers), np.int32, n),
                    np.fromiter((paths.activity_of(keys[t]) for t in touchpoints), np.int32, n),
                    micros_from_datetime64(
                        np.array([m.replace(tzinfo=None) for m in moments], dtype="datetime64[us]")
                    ),
                    np.fromiter((v or 0.0 for v in values), np.float64, n),
                )
                recent.extend(ids)
        window_start = recent[0] - 1 if len(recent) == RECENT_WINDOW else 0
        return LoadedIds(frozenset(recent), window_start)

    return load


def observe_ingestion(store: PathStore) -> Callable[[uuid.UUID, list[StoredRow]], None]:
    """The ingestion observer that keeps ``store`` up to date after every commit."""

    def on_stored(organisation_id: uuid.UUID, rows: list[StoredRow]) -> None:
        store.events_stored(
            organisation_id,
            [
                StoredEvent(
                    r.customer_id.hex,
                    r.touchpoint_key,
                    to_micros(r.occurred_at),
                    r.order_value or 0.0,
                    r.event_id,
                )
                for r in rows
            ],
        )

    return on_stored


def _customer_columns(
    session: Session, paths: OrgPaths
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.float64]]:
    """Segment and lifetime value per case, cached until the customer table changes."""
    fingerprint = tuple(session.execute(select(func.count(), func.max(Customer.updated_at))).one())
    cached = getattr(paths, "_customer_cache", None)
    if cached is not None and cached[0] == (fingerprint, len(paths.case_ids)):
        return cached[1], cached[2]
    segments = np.full(len(paths.case_ids), None, dtype=object)
    ltv = np.full(len(paths.case_ids), np.nan)
    index = {key: i for i, key in enumerate(paths.case_ids)}
    for cid, segment, value in session.execute(
        select(Customer.id, Customer.segment, Customer.lifetime_value)
    ):
        i = index.get(cid.hex)
        if i is not None:
            segments[i] = segment
            ltv[i] = value if value is not None else np.nan
    paths._customer_cache = ((fingerprint, len(paths.case_ids)), segments, ltv)  # type: ignore[attr-defined]
    return segments, ltv


def _journey_stages(session: Session, journey_id: uuid.UUID) -> list[StageSpec]:
    journey = session.get(Journey, journey_id)
    if journey is None:
        raise NotFound("No such journey.")
    rows = session.execute(
        select(Stage.id, Stage.name_fi, Stage.name_en, Touchpoint.key)
        .join(JourneyTouchpoint, JourneyTouchpoint.stage_id == Stage.id)
        .join(Touchpoint, Touchpoint.id == JourneyTouchpoint.touchpoint_id)
        .where(Stage.journey_id == journey_id)
        .order_by(Stage.position, JourneyTouchpoint.position)
    ).all()
    stages: dict[uuid.UUID, StageSpec] = {}
    for stage_id, name_fi, name_en, key in rows:
        stages.setdefault(stage_id, StageSpec(name_en or name_fi, [])).touchpoints.append(key)
    return list(stages.values())


def path_report(session: Session, store: PathStore, actor: Actor, query: PathQuery) -> PathReport:
    actor.require("journeys.view")
    paths = store.org(actor.organisation_id)
    stages = _journey_stages(session, query.journey_id) if query.journey_id else []
    journey_keys = sorted({k for s in stages for k in s.touchpoints}) if query.journey_id else None

    def build(log: engine.EventLog) -> engine.EventLog:
        keep = np.ones(len(log), dtype=np.bool_)
        if journey_keys is not None:
            allowed = np.zeros(len(log.activities), dtype=np.bool_)
            for key in journey_keys:
                if key in paths.activities:
                    allowed[paths.activities.index(key)] = True
            keep &= allowed[log.activity]
        if query.start:
            keep &= log.ts >= to_micros(query.start)
        if query.end:
            keep &= log.ts < to_micros(query.end)
        return log if keep.all() else log.select(keep)

    scope = tuple(journey_keys) if journey_keys is not None else None
    log = paths.view(("slice", scope, query.start, query.end), build)
    case_mask = None
    ltv: npt.NDArray[np.float64] | None = None
    if query.segment is not None or query.rank_by == "lifetime_value":
        segments, ltv = _customer_columns(session, paths)
        if query.segment is not None:
            case_mask = segments == query.segment

    found = engine.variants(log, case_mask)
    report_variants, weights = _ranked(found, paths, query, ltv)
    starts, ends = engine.start_end(log, case_mask)
    funnel: list[tuple[StageSpec, engine.FunnelStep]] = []
    if stages:
        steps = [
            [paths.activities.index(k) for k in s.touchpoints if k in paths.activities]
            for s in stages
        ]
        funnel = list(zip(stages, engine.funnel(log, steps, case_mask), strict=True))
    events = int(case_mask[log.case].sum()) if case_mask is not None else len(log)
    return PathReport(
        customers=found.total,
        events=events,
        variants_total=len(found),
        covering=engine.covering(weights, query.coverage),
        variants=report_variants,
        edges=engine.dfg(log, case_mask),
        starts=starts,
        ends=ends,
        durations=engine.case_durations(log, case_mask),
        funnel=funnel,
        volumes=engine.volumes(log, case_mask) if query.volumes else {},
    )


def _ranked(
    found: engine.Variants,
    paths: OrgPaths,
    query: PathQuery,
    ltv: npt.NDArray[np.float64] | None,
) -> tuple[list[engine.Variant], npt.NDArray[np.float64]]:
    """The top variants by customers, or by the value that travels them."""
    if query.rank_by == "customers":
        return found.top(query.top), found.counts.astype(np.float64)
    per_case = (
        paths.values()
        if query.rank_by == "value"
        else np.nan_to_num(ltv if ltv is not None else np.zeros(len(paths.case_ids)))
    )
    sums = found.values(per_case)
    order = np.argsort(-sums, kind="stable")[: query.top]
    chosen = [
        engine.Variant(
            found.sequence(int(r)),
            int(found.counts[r]),
            int(found.counts[r]) / found.total if found.total else 0.0,
            float(sums[r]),
        )
        for r in order
    ]
    return chosen, np.sort(sums)[::-1]
