"""Each organisation's customer paths, kept in memory and up to date as events arrive.

The database is the record; this is a read model. It is loaded once per organisation
(streamed from ``interaction_events``), then every stored batch of events is appended
after commit. Questions are answered from an :class:`~kohtaamo.journeys.paths.EventLog`
whose per-customer traces and directly-follows pairs are derived once and reused until
new events arrive, so a million customers answer in well under a second.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from kohtaamo.journeys.paths import EventLog

_VIEW_CACHE_SIZE = 16
_EPOCH_US = np.datetime64("1970-01-01T00:00:00", "us")


def to_micros(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


@dataclass(frozen=True)
class StoredEvent:
    """What the path store needs of an event; sent after commit by ingestion."""

    customer: str  # the customer's internal id (uuid hex)
    touchpoint: str  # the touchpoint's key
    ts_us: int
    order_value: float = 0.0
    event_id: int = 0  # the database row id; 0 when not from the database


class OrgPaths:
    """One organisation's events grouped by customer, with derived views cached."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.case_ids: list[str] = []
        self._case_index: dict[str, int] = {}
        self.activities: list[str] = []
        self._activity_index: dict[str, int] = {}
        empty_i = np.zeros(0, dtype=np.int32)
        self._case, self._act = empty_i, empty_i
        self._ts = np.zeros(0, dtype=np.int64)
        self._value = np.zeros(0, dtype=np.float64)
        self._pending: list[
            tuple[
                npt.NDArray[np.int32],
                npt.NDArray[np.int32],
                npt.NDArray[np.int64],
                npt.NDArray[np.float64],
            ]
        ] = []
        self._log: EventLog | None = None
        self._views: OrderedDict[tuple[object, ...], EventLog] = OrderedDict()
        self.version = 0

    # --- writing ---------------------------------------------------------------

    def case_of(self, key: str) -> int:
        idx = self._case_index.get(key)
        if idx is None:
            idx = self._case_index[key] = len(self.case_ids)
            self.case_ids.append(key)
        return idx

    def activity_of(self, key: str) -> int:
        idx = self._activity_index.get(key)
        if idx is None:
            idx = self._activity_index[key] = len(self.activities)
            self.activities.append(key)
        return idx

    def add(self, events: Iterable[StoredEvent]) -> None:
        """Append events in arrival order (cheap: merged at the next question)."""
        with self._lock:
            rows = [
                (self.case_of(e.customer), self.activity_of(e.touchpoint), e.ts_us, e.order_value)
                for e in events
            ]
            if not rows:
                return
            c, a, t, v = zip(*rows, strict=True)
            self.add_arrays(
                np.asarray(c, np.int32),
                np.asarray(a, np.int32),
                np.asarray(t, np.int64),
                np.asarray(v, np.float64),
            )

    def add_arrays(
        self,
        case: npt.NDArray[np.int32],
        activity: npt.NDArray[np.int32],
        ts: npt.NDArray[np.int64],
        value: npt.NDArray[np.float64] | None = None,
    ) -> None:
        """Bulk append of already-indexed events (loading, benchmarks)."""
        with self._lock:
            v = value if value is not None else np.zeros(case.shape[0], np.float64)
            self._pending.append((case, activity, ts, v))
            self._log = None
            self._views.clear()
            self.version += 1

    # --- reading ---------------------------------------------------------------

    def log(self) -> EventLog:
        """The whole log, grouped by customer in trace order."""
        with self._lock:
            if self._log is None:
                self._merge_pending()
                self._log = EventLog(
                    self._case, self._act, self._ts, self.case_ids, self.activities
                )
            return self._log

    def values(self) -> npt.NDArray[np.float64]:
        """Order value per customer (sum over their events)."""
        self.log()
        sums = np.bincount(self._case, weights=self._value, minlength=len(self.case_ids))
        return sums.astype(np.float64)

    def view(self, key: tuple[object, ...], build: Callable[[EventLog], EventLog]) -> EventLog:
        """A derived log (a journey's touchpoints, a period), cached until new events arrive."""
        with self._lock:
            base = self.log()
            found = self._views.get(key)
            if found is None:
                found = self._views[key] = build(base)
                while len(self._views) > _VIEW_CACHE_SIZE:
                    self._views.popitem(last=False)
            else:
                self._views.move_to_end(key)
            return found

    def _merge_pending(self) -> None:
        if not self._pending:
            return
        pc = np.concatenate([p[0] for p in self._pending])
        pa = np.concatenate([p[1] for p in self._pending])
        pt = np.concatenate([p[2] for p in self._pending])
        pv = np.concatenate([p[3] for p in self._pending])
        self._pending.clear()
        if self._case.size == 0:
            order = np.lexsort((pt, pc))  # stable: ties keep arrival order
            self._case, self._act, self._ts, self._value = (
                pc[order],
                pa[order],
                pt[order],
                pv[order],
            )
            return
        # Only the customers with new events are re-sorted; the rest stay as they are.
        touched = np.zeros(len(self.case_ids), dtype=np.bool_)
        touched[pc] = True
        moved = touched[self._case]
        keep = ~moved
        mc = np.concatenate([self._case[moved], pc])
        ma = np.concatenate([self._act[moved], pa])
        mt = np.concatenate([self._ts[moved], pt])
        mv = np.concatenate([self._value[moved], pv])
        order = np.lexsort((mt, mc))
        self._case = np.concatenate([self._case[keep], mc[order]])
        self._act = np.concatenate([self._act[keep], ma[order]])
        self._ts = np.concatenate([self._ts[keep], mt[order]])
        self._value = np.concatenate([self._value[keep], mv[order]])


Loader = Callable[[uuid.UUID, OrgPaths], "LoadedIds"]


@dataclass(frozen=True)
class LoadedIds:
    """The newest event ids a load saw: events reported during the load that are not
    among them were committed after the load's snapshot and must still be added."""

    recent: frozenset[int]
    window_start: int  # ids at or below this are taken as loaded


class PathStore:
    """The path read models of all organisations of one database."""

    def __init__(self, loader: Loader) -> None:
        self._loader = loader
        self._orgs: dict[uuid.UUID, OrgPaths] = {}
        self._buffers: dict[uuid.UUID, list[StoredEvent]] = {}
        self._lock = threading.Lock()
        self._loading = threading.Lock()

    def org(self, organisation_id: uuid.UUID) -> OrgPaths:
        paths = self._orgs.get(organisation_id)
        if paths is not None:
            return paths
        with self._loading:
            paths = self._orgs.get(organisation_id)
            if paths is not None:
                return paths
            with self._lock:
                self._buffers[organisation_id] = []
            paths = OrgPaths()
            try:
                loaded = self._loader(organisation_id, paths)
            finally:
                with self._lock:
                    arrived = self._buffers.pop(organisation_id, [])
            late = [
                e
                for e in arrived
                if e.event_id > loaded.window_start and e.event_id not in loaded.recent
            ]
            paths.add(late)
            with self._lock:
                self._orgs[organisation_id] = paths
            return paths

    def events_stored(self, organisation_id: uuid.UUID, events: Sequence[StoredEvent]) -> None:
        """Called after commit by ingestion. Unloaded organisations load it all later."""
        with self._lock:
            buffer = self._buffers.get(organisation_id)
            if buffer is not None:
                buffer.extend(events)
                return
            paths = self._orgs.get(organisation_id)
        if paths is not None:
            paths.add(events)

    def forget(self, organisation_id: uuid.UUID) -> None:
        """Drop an organisation's read model (after deletions or imports that rewrite history)."""
        with self._lock:
            self._orgs.pop(organisation_id, None)


def micros_from_datetime64(values: npt.NDArray[np.datetime64]) -> npt.NDArray[np.int64]:
    return ((values.astype("datetime64[us]") - _EPOCH_US) // np.timedelta64(1, "us")).astype(
        np.int64
    )
