"""Path analytics on an event log held as columns: variants, directly-follows graph,
start and end touchpoints, funnels and case durations.

Definitions follow the standard process-mining ones (as in pm4py): a case's trace is its
events ordered by time, ties kept in order of arrival; a variant is the sequence of
activities of a trace; the directly-follows graph counts each pair of consecutive events
of a trace, and its performance is the time between them. Everything here is pure and
vectorised with NumPy, so that a million cases take well under a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
U64 = npt.NDArray[np.uint64]
Mask = npt.NDArray[np.bool_]

_HASH_BASE = np.uint64(0x9E3779B97F4A7C15)
_LENGTH_MIX = np.uint64(0xC2B2AE3D27D4EB4F)


@dataclass(frozen=True)
class _Cases:
    starts: I64  # index of each case's first event
    lengths: I64
    case: I32  # the case index of each group
    pos: I64  # each event's position in its trace


@dataclass(frozen=True)
class _Pairs:
    """Directly-follows pairs sorted by (source, target); order within a pair kept."""

    key: npt.NDArray[np.int64]
    delta_s: npt.NDArray[np.float64]
    case: I32


class EventLog:
    """Events grouped by case (each case's events contiguous, in trace order).

    ``ts`` is in microseconds since the epoch; ``case`` indexes ``case_ids``;
    ``activity`` indexes ``activities``. What is derived per case (trace boundaries,
    trace hashes, directly-follows pairs) is computed once and kept with the log, so a
    log held in memory answers repeated questions without recomputing its paths.
    """

    def __init__(
        self,
        case: npt.ArrayLike,
        activity: npt.ArrayLike,
        ts: npt.ArrayLike,
        case_ids: Sequence[str],
        activities: Sequence[str],
    ) -> None:
        self.case: I32 = np.asarray(case, dtype=np.int32)
        self.activity: I32 = np.asarray(activity, dtype=np.int32)
        self.ts: I64 = np.asarray(ts, dtype=np.int64)
        self.case_ids = case_ids
        self.activities = activities
        self._cases: _Cases | None = None
        self._hashes: U64 | None = None
        self._pairs: _Pairs | None = None

    @staticmethod
    def from_rows(
        case: npt.ArrayLike,
        activity: npt.ArrayLike,
        ts: npt.ArrayLike,
        case_ids: Sequence[str],
        activities: Sequence[str],
    ) -> EventLog:
        """Build from events in arrival order: sorts by case, then time, keeping arrival."""
        c = np.asarray(case, dtype=np.int32)
        a = np.asarray(activity, dtype=np.int32)
        t = np.asarray(ts, dtype=np.int64)
        order = np.lexsort((t, c))  # lexsort is stable: equal (case, ts) keep arrival order
        return EventLog(c[order], a[order], t[order], case_ids, activities)

    def __len__(self) -> int:
        return int(self.case.shape[0])

    def select(self, keep: Mask) -> EventLog:
        """Only the events where ``keep`` is true (grouping and order are preserved)."""
        return EventLog(
            self.case[keep], self.activity[keep], self.ts[keep], self.case_ids, self.activities
        )

    def event_mask(self, case_mask: Mask | None) -> Mask | None:
        return None if case_mask is None else case_mask[self.case]

    # Derived data, computed once per log.

    def traces(self) -> _Cases:
        if self._cases is None:
            self._cases = _compute_cases(self)
        return self._cases

    def trace_hashes(self) -> U64:
        if self._hashes is None:
            self._hashes = _trace_hashes(self, self.traces())
        return self._hashes

    def pairs(self) -> _Pairs:
        if self._pairs is None:
            self._pairs = _compute_pairs(self)
        return self._pairs


def _compute_cases(log: EventLog) -> _Cases:
    n = len(log)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return _Cases(empty, empty, np.zeros(0, dtype=np.int32), empty)
    boundary = np.empty(n, dtype=np.bool_)
    boundary[0] = True
    np.not_equal(log.case[1:], log.case[:-1], out=boundary[1:])
    starts = np.flatnonzero(boundary).astype(np.int64)
    lengths = np.diff(np.append(starts, n))
    pos = np.arange(n, dtype=np.int64) - np.repeat(starts, lengths)
    return _Cases(starts, lengths, log.case[starts], pos)


def _compute_pairs(log: EventLog) -> _Pairs:
    if len(log) < 2:
        z = np.zeros(0, dtype=np.int64)
        return _Pairs(z, z.astype(np.float64), z.astype(np.int32))
    same = log.case[1:] == log.case[:-1]
    n_act = len(log.activities)
    key = (log.activity[:-1].astype(np.int64) * n_act + log.activity[1:])[same]
    delta = (log.ts[1:] - log.ts[:-1])[same].astype(np.float64) / 1e6
    case = log.case[:-1][same]
    # Radix sort when the key fits 16 bits (up to 181 activities): linear time.
    small = n_act * n_act < np.iinfo(np.int16).max
    order = np.argsort(key.astype(np.int16) if small else key, kind="stable")
    return _Pairs(key[order], delta[order], case[order])


# --- variants -----------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    activities: tuple[str, ...]
    count: int
    share: float
    value: float = 0.0


@dataclass(frozen=True)
class Variants:
    """All variants of a (filtered) log, most frequent first.

    Arrays, not objects: a million customers can have a hundred thousand variants, and
    people look at the first few. ``case_variant`` maps each case to its variant's rank
    (-1 for cases outside the filter) so that values and experience can be summed per
    variant with ``np.bincount``.
    """

    log: EventLog
    counts: npt.NDArray[np.int64]
    representative: npt.NDArray[np.int64]  # a trace (index into log.traces()) per variant
    case_variant: npt.NDArray[np.int64]
    total: int

    def __len__(self) -> int:
        return int(self.counts.size)

    def sequence(self, rank: int) -> tuple[str, ...]:
        traces = self.log.traces()
        t = int(self.representative[rank])
        s, ln = int(traces.starts[t]), int(traces.lengths[t])
        return tuple(self.log.activities[i] for i in self.log.activity[s : s + ln])

    def top(self, k: int, values: npt.NDArray[np.float64] | None = None) -> list[Variant]:
        """The ``k`` most frequent variants; ``values`` (per case) are summed per variant."""
        sums = self.values(values) if values is not None else None
        return [
            Variant(
                self.sequence(r),
                int(self.counts[r]),
                int(self.counts[r]) / self.total if self.total else 0.0,
                float(sums[r]) if sums is not None else 0.0,
            )
            for r in range(min(k, len(self)))
        ]

    def values(self, per_case: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The sum of a per-case quantity (order value, lifetime value…) per variant."""
        inside = self.case_variant >= 0
        return np.bincount(
            self.case_variant[inside], weights=per_case[inside], minlength=len(self)
        ).astype(np.float64)

    def means(self, per_case: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The mean of a per-case quantity per variant, ignoring NaN (e.g. no answer)."""
        inside = (self.case_variant >= 0) & ~np.isnan(per_case)
        sums = np.bincount(self.case_variant[inside], weights=per_case[inside], minlength=len(self))
        ns = np.bincount(self.case_variant[inside], minlength=len(self))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(ns > 0, sums / np.maximum(ns, 1), np.nan)


def _trace_hashes(log: EventLog, traces: _Cases) -> U64:
    if len(log) == 0:
        return np.zeros(0, dtype=np.uint64)
    max_len = int(traces.lengths.max())
    powers = np.cumprod(np.full(max_len, _HASH_BASE, dtype=np.uint64), dtype=np.uint64)
    with np.errstate(over="ignore"):
        terms = (log.activity.astype(np.uint64) + np.uint64(1)) * powers[traces.pos]
        hashes = np.add.reduceat(terms, traces.starts)
        hashes ^= traces.lengths.astype(np.uint64) * _LENGTH_MIX
    return hashes.astype(np.uint64)


def variants(log: EventLog, case_mask: Mask | None = None) -> Variants:
    """Group traces into variants; ``case_mask`` (per case index) filters by segment."""
    traces = log.traces()
    hashes = log.trace_hashes()
    chosen = np.arange(traces.starts.size, dtype=np.int64)
    if case_mask is not None:
        chosen = chosen[case_mask[traces.case]]
    case_variant = np.full(len(log.case_ids), -1, dtype=np.int64)
    if chosen.size == 0:
        z = np.zeros(0, dtype=np.int64)
        return Variants(log, z, z, case_variant, 0)
    _, first, inverse, counts = np.unique(
        hashes[chosen], return_index=True, return_inverse=True, return_counts=True
    )
    representative = chosen[first]
    if not _hash_groups_exact(log, traces, chosen, representative[inverse]):
        return _variants_exact(log, chosen)
    # Rank: most frequent first, ties by the sequence itself for a stable order.
    order = (
        sorted(
            range(counts.size),
            key=lambda g: (-int(counts[g]), _sequence_key(log, traces, int(representative[g]))),
        )
        if counts.size < 5000
        else list(np.argsort(-counts, kind="stable"))
    )
    rank = np.empty(counts.size, dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(counts.size)
    case_variant[traces.case[chosen]] = rank[inverse]
    return Variants(
        log, counts[order].astype(np.int64), representative[order], case_variant, int(chosen.size)
    )


def _sequence_key(log: EventLog, traces: _Cases, t: int) -> tuple[str, ...]:
    s, ln = int(traces.starts[t]), int(traces.lengths[t])
    return tuple(log.activities[i] for i in log.activity[s : s + ln])


def _hash_groups_exact(log: EventLog, traces: _Cases, chosen: I64, rep: I64) -> bool:
    """Check in one vectorised pass that every chosen trace equals its representative."""
    if not np.array_equal(traces.lengths[rep], traces.lengths[chosen]):
        return False
    lengths = traces.lengths[chosen]
    offsets = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(
        np.cumsum(lengths) - lengths, lengths
    )
    mine = np.repeat(traces.starts[chosen], lengths) + offsets
    theirs = np.repeat(traces.starts[rep], lengths) + offsets
    return bool(np.array_equal(log.activity[mine], log.activity[theirs]))


def _variants_exact(log: EventLog, chosen: I64) -> Variants:
    """Fallback for a (vanishingly unlikely) hash collision: group by the sequences."""
    traces = log.traces()
    groups: dict[tuple[int, ...], list[int]] = {}
    for t in chosen:
        s, ln = int(traces.starts[t]), int(traces.lengths[t])
        groups.setdefault(tuple(int(a) for a in log.activity[s : s + ln]), []).append(int(t))
    ranked = sorted(
        groups.items(), key=lambda kv: (-len(kv[1]), tuple(log.activities[a] for a in kv[0]))
    )
    case_variant = np.full(len(log.case_ids), -1, dtype=np.int64)
    for r, (_, members) in enumerate(ranked):
        case_variant[traces.case[np.asarray(members)]] = r
    counts = np.asarray([len(m) for _, m in ranked], dtype=np.int64)
    reps = np.asarray([m[0] for _, m in ranked], dtype=np.int64)
    return Variants(log, counts, reps, case_variant, int(chosen.size))


def covering(counts: npt.ArrayLike, share: float) -> int:
    """How many of the ranked items it takes to cover ``share`` of their total.

    ``counts`` may be case counts or any weight (value travelling each variant).
    """
    if not 0 < share <= 1:
        raise ValueError("share must be in (0, 1]")
    values = np.asarray(counts, dtype=np.float64)
    if values.size == 0 or values.sum() <= 0:
        return 0
    cumulative = np.cumsum(values) / values.sum()
    needed = int(np.searchsorted(cumulative, share - 1e-12)) + 1
    return min(needed, int(values.size))


# --- directly-follows graph ---------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    count: int
    median_s: float
    p90_s: float
    mean_s: float


def dfg(log: EventLog, case_mask: Mask | None = None) -> list[Edge]:
    """The directly-follows graph with counts and transition times (seconds)."""
    pairs = log.pairs()
    key, delta = pairs.key, pairs.delta_s
    if case_mask is not None:
        keep = case_mask[pairs.case]
        key, delta = key[keep], delta[keep]
    if key.size == 0:
        return []
    n_act = len(log.activities)
    boundary = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    ends = np.append(boundary[1:], key.size)
    edges = []
    for s, e in zip(boundary, ends, strict=True):
        seg = delta[s:e]
        median, p90 = np.percentile(seg, [50, 90])
        src, dst = divmod(int(key[s]), n_act)
        edges.append(
            Edge(
                log.activities[src],
                log.activities[dst],
                int(e - s),
                float(median),
                float(p90),
                float(seg.mean()),
            )
        )
    edges.sort(key=lambda e: (-e.count, e.source, e.target))
    return edges


def start_end(
    log: EventLog, case_mask: Mask | None = None
) -> tuple[dict[str, int], dict[str, int]]:
    """How many traces start and end at each activity."""
    traces = log.traces()
    starts, lengths = traces.starts, traces.lengths
    if case_mask is not None:
        keep = case_mask[traces.case]
        starts, lengths = starts[keep], lengths[keep]
    if starts.size == 0:
        return {}, {}
    n_act = len(log.activities)
    first = np.bincount(log.activity[starts], minlength=n_act)
    last = np.bincount(log.activity[starts + lengths - 1], minlength=n_act)

    def named(counts: npt.NDArray[np.int64]) -> dict[str, int]:
        return {log.activities[i]: int(c) for i, c in enumerate(counts) if c}

    return named(first), named(last)


def volumes(log: EventLog, case_mask: Mask | None = None) -> dict[str, tuple[int, int]]:
    """Events and distinct customers per activity."""
    case, activity = log.case, log.activity
    if case_mask is not None:
        keep = case_mask[case]
        case, activity = case[keep], activity[keep]
    n_act = len(log.activities)
    if case.size == 0 or n_act == 0:
        return {}
    events = np.bincount(activity, minlength=n_act)
    pairs = np.unique(case.astype(np.int64) * n_act + activity)
    customers = np.bincount(pairs % n_act, minlength=n_act)
    return {
        log.activities[i]: (int(events[i]), int(customers[i])) for i in range(n_act) if events[i]
    }


# --- funnel -------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    reached: int
    conversion: float  # of those who reached the previous step
    drop_off: int  # reached the previous step, not this one
    of_start: float  # of those who reached the first step


def funnel(
    log: EventLog, steps: Sequence[Sequence[int]], case_mask: Mask | None = None
) -> list[FunnelStep]:
    """An ordered funnel: a case reaches step k when it has an event at one of step k's
    activities at or after the moment it reached step k-1."""
    if not steps:
        return []
    step_of = np.full(len(log.activities), -1, dtype=np.int8)
    for k, acts in enumerate(steps):
        step_of[np.asarray(acts, dtype=np.int64)] = k  # an activity belongs to one step
    event_step = step_of[log.activity]
    n_cases = len(log.case_ids)
    alive = np.zeros(n_cases, dtype=np.bool_)
    alive[log.traces().case] = True
    if case_mask is not None:
        alive &= case_mask
    reached_at = np.full(n_cases, np.iinfo(np.int64).min, dtype=np.int64)
    counts: list[int] = []
    for k in range(len(steps)):
        idx = np.flatnonzero(event_step == k)
        c = log.case[idx]
        ok = alive[c] & (log.ts[idx] >= reached_at[c])
        idx, c = idx[ok], c[ok]
        # Events are grouped by case in time order: the first candidate of a case is
        # its earliest, so keep the first of each run of equal case indexes.
        first = np.r_[True, c[1:] != c[:-1]] if c.size else np.zeros(0, np.bool_)
        reached_cases = c[first]
        now_alive = np.zeros(n_cases, dtype=np.bool_)
        now_alive[reached_cases] = True
        reached_at[reached_cases] = log.ts[idx[first]]
        alive = now_alive
        counts.append(int(reached_cases.size))
    out = []
    for k, reached in enumerate(counts):
        previous = counts[k - 1] if k else reached
        out.append(
            FunnelStep(
                reached,
                reached / previous if previous else 0.0,
                previous - reached,
                reached / counts[0] if counts[0] else 0.0,
            )
        )
    return out


# --- durations ----------------------------------------------------------------------


@dataclass(frozen=True)
class Durations:
    cases: int
    median_s: float
    p90_s: float
    mean_s: float


def case_durations(log: EventLog, case_mask: Mask | None = None) -> Durations:
    """Time from each case's first to its last event."""
    traces = log.traces()
    starts, lengths = traces.starts, traces.lengths
    if case_mask is not None:
        keep = case_mask[traces.case]
        starts, lengths = starts[keep], lengths[keep]
    if starts.size == 0:
        return Durations(0, 0.0, 0.0, 0.0)
    spans = (log.ts[starts + lengths - 1] - log.ts[starts]).astype(np.float64) / 1e6
    median, p90 = np.percentile(spans, [50, 90])
    return Durations(int(spans.size), float(median), float(p90), float(spans.mean()))
