"""Recovery metrics: how fast cases are acknowledged and resolved (in working hours), how
often the service levels are kept, how many follow-ups the customer answered "put
right", whether the recovered customers are later as loyal as those who never had a
problem (:mod:`kohtaamo.cases.recovery_paradox`), and which root causes recur.

Every figure carries its counts and a status: with no cases it is ``no_data`` and with
fewer than :data:`MIN_CASES` it is ``too_few``; then the numbers are None, never 0.
Cases are read from the operational database (they are few next to survey answers).
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kohtaamo.cases import sla
from kohtaamo.cases.models import Case
from kohtaamo.cases.recovery_paradox import Paradox, paradox
from kohtaamo.cases.workflow import OPEN_STATES, State
from kohtaamo.kit.clock import ensure_utc, utcnow
from kohtaamo.metrics._checks import DEFAULT_MIN_N, Sufficiency, sufficiency
from kohtaamo.metrics.stats import Proportion, proportion

#: Below this many cases a median, a percentile or a share is "too few cases".
MIN_CASES = 5
#: A root cause behind at least this many cases is a recurring problem.
RECURRING = 3
OUTCOMES = ("put_right", "partly", "not_put_right")
_OPEN = sorted(s.value for s in OPEN_STATES)
_HOUR = 3600.0


@dataclass(frozen=True)
class Durations:
    """Working hours from opening to a step, over the cases that took it."""

    n: int
    status: Sufficiency
    median: float | None
    p90: float | None
    hours: tuple[float, ...]  # every case's value, for the distribution chart


@dataclass(frozen=True)
class Compliance:
    """Deadlines kept (``met``) among deadlines settled: the step taken, or the deadline
    passed without it (``missed``). Deadlines still ahead are ``pending``, not counted."""

    met: int
    missed: int
    pending: int
    share: Proportion


@dataclass(frozen=True)
class FollowUps:
    sent: int
    answered: int
    outcomes: dict[str, int]  # put_right | partly | not_put_right → count
    put_right: Proportion  # among answered


@dataclass(frozen=True)
class RecoveryMetrics:
    since: datetime | None
    until: datetime | None
    opened: int
    open_now: int
    breached: int
    time_to_acknowledge: Durations
    time_to_resolve: Durations
    acknowledge_compliance: Compliance
    resolve_compliance: Compliance
    followups: FollowUps
    paradox: Paradox


def _period(stmt: Any, column: Any, since: datetime | None, until: datetime | None) -> Any:
    if since is not None:
        stmt = stmt.where(column >= since)
    if until is not None:
        stmt = stmt.where(column < until)
    return stmt


def durations(hours: Iterable[float], min_n: int = MIN_CASES) -> Durations:
    """Median and 90th percentile (linear interpolation) of working hours."""
    values = tuple(sorted(round(h, 4) for h in hours))
    status = sufficiency(len(values), min_n)
    if status is not Sufficiency.OK:
        return Durations(len(values), status, None, None, values)
    arr = np.asarray(values)
    return Durations(
        len(values), status, float(np.median(arr)), float(np.percentile(arr, 90)), values
    )


def _compliance(met: int, missed: int, pending: int) -> Compliance:
    return Compliance(met, missed, pending, proportion(met, met + missed, min_n=MIN_CASES))


def _settle(done: datetime | None, due: datetime | None, breached: bool, now: datetime) -> str:
    """met | missed | pending | none (no deadline) for one clock of one case."""
    if due is None:
        return "none"
    if done is not None:
        return "met" if ensure_utc(done) <= ensure_utc(due) and not breached else "missed"
    return "missed" if breached or ensure_utc(due) < now else "pending"


def _stopped(breached: bool) -> str:
    return "missed" if breached else "met"


def metrics(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    now: datetime | None = None,
    min_n: int = DEFAULT_MIN_N,
) -> RecoveryMetrics:
    """The recovery figures of the cases opened in [since, until) (follow-ups answered
    and survey answers in the same period), at ``now``."""
    now = now or utcnow()
    cal = sla.calendar_of(sla.settings_of(session))
    cases = list(session.scalars(_period(select(Case), Case.opened_at, since, until)))
    ack_hours, res_hours = [], []
    ack: Counter[str] = Counter()
    res: Counter[str] = Counter()
    for c in cases:
        if c.acknowledged_at is not None:
            ack_hours.append(cal.between(c.opened_at, c.acknowledged_at).total_seconds() / _HOUR)
        if c.resolved_at is not None:
            res_hours.append(cal.between(c.opened_at, c.resolved_at).total_seconds() / _HOUR)
        if c.acknowledged_at is None and c.state != State.NEW.value:
            # Left "new" without an acknowledgement ("no contact possible"): the clock
            # stopped then, and the SLA job marked it if that was after the deadline.
            ack["none" if c.acknowledge_due_at is None else _stopped(c.acknowledge_breached)] += 1
        else:
            ack[_settle(c.acknowledged_at, c.acknowledge_due_at, c.acknowledge_breached, now)] += 1
        resolved = c.resolved_at or (c.closed_at if c.state == State.CLOSED.value else None)
        res[_settle(resolved, c.resolve_due_at, c.resolve_breached, now)] += 1
    return RecoveryMetrics(
        since=since,
        until=until,
        opened=len(cases),
        open_now=sum(1 for c in cases if c.state in _OPEN),
        breached=sum(1 for c in cases if c.acknowledge_breached or c.resolve_breached),
        time_to_acknowledge=durations(ack_hours),
        time_to_resolve=durations(res_hours),
        acknowledge_compliance=_compliance(ack["met"], ack["missed"], ack["pending"]),
        resolve_compliance=_compliance(res["met"], res["missed"], res["pending"]),
        followups=followups(session, since=since, until=until),
        paradox=paradox(session, since=since, until=until, min_n=min_n),
    )


def followups(
    session: Session, *, since: datetime | None = None, until: datetime | None = None
) -> FollowUps:
    """Follow-ups sent and answered in [since, until), and the share "put right"."""
    sent = session.scalar(
        _period(
            select(func.count()).where(Case.followup_sent_at.is_not(None)),
            Case.followup_sent_at,
            since,
            until,
        )
    )
    stmt = _period(
        select(Case.followup_outcome, func.count())
        .where(Case.followup_outcome.is_not(None))
        .group_by(Case.followup_outcome),
        Case.followup_at,
        since,
        until,
    )
    counts = {o: 0 for o in OUTCOMES}
    for outcome, n in session.execute(stmt):
        counts[str(outcome)] = counts.get(str(outcome), 0) + int(n)
    answered = sum(counts.values())
    return FollowUps(
        sent=int(sent or 0),
        answered=answered,
        outcomes=counts,
        put_right=proportion(counts["put_right"], answered, min_n=MIN_CASES),
    )


# --- root causes ------------------------------------------------------------------------


@dataclass(frozen=True)
class CauseGroup:
    """Resolved cases that share one root cause (a touchpoint id, a theme key, a
    standard's wording, or the three together)."""

    touchpoint_id: uuid.UUID | None
    theme: str | None
    standard: str | None
    count: int
    share: float  # of the resolved cases with a recorded cause
    last_at: datetime
    recurring: bool
    case_ids: tuple[uuid.UUID, ...]  # the latest first, at most 20


@dataclass(frozen=True)
class RootCauses:
    resolved: int  # resolved cases in the period
    with_cause: int
    by_touchpoint: list[CauseGroup]
    by_theme: list[CauseGroup]
    by_standard: list[CauseGroup]
    combined: list[CauseGroup]


def _key(
    dimension: str, tp: uuid.UUID | None, theme: str | None, standard: str | None
) -> tuple[uuid.UUID | None, str | None, str | None]:
    if dimension == "touchpoint":
        return (tp, None, None)
    if dimension == "theme":
        return (None, theme, None)
    if dimension == "standard":
        return (None, None, standard)
    return (tp, theme, standard)


def _group(
    rows: list[tuple[uuid.UUID, datetime, uuid.UUID | None, str | None, str | None]],
    dimension: str,
    total: int,
) -> list[CauseGroup]:
    buckets: dict[
        tuple[uuid.UUID | None, str | None, str | None], list[tuple[uuid.UUID, datetime]]
    ] = defaultdict(list)
    for case_id, at, tp, theme, standard in rows:
        key = _key(dimension, tp, theme, standard)
        if key != (None, None, None):
            buckets[key].append((case_id, at))
    out = []
    for (tp, theme, standard), members in buckets.items():
        members.sort(key=lambda m: (m[1], str(m[0])), reverse=True)
        out.append(
            CauseGroup(
                touchpoint_id=tp,
                theme=theme,
                standard=standard,
                count=len(members),
                share=len(members) / total if total else 0.0,
                last_at=members[0][1],
                recurring=len(members) >= RECURRING,
                case_ids=tuple(m[0] for m in members[:20]),
            )
        )
    out.sort(key=lambda g: (-g.count, -g.last_at.timestamp()))
    return out


def root_causes(
    session: Session, *, since: datetime | None = None, until: datetime | None = None
) -> RootCauses:
    """Resolved (or closed) cases of [since, until) grouped by their root cause: by
    touchpoint, theme and standard broken, and by the three together. Most cases first;
    a cause behind :data:`RECURRING` or more cases is flagged recurring."""
    done_at = func.coalesce(Case.resolved_at, Case.closed_at)
    stmt = _period(
        select(
            Case.id,
            done_at,
            Case.root_cause_touchpoint_id,
            Case.root_cause_theme,
            Case.root_cause_standard,
        ).where(
            or_(Case.resolved_at.is_not(None), Case.state == State.CLOSED.value),
            Case.state.in_((State.RESOLVED.value, State.FOLLOW_UP.value, State.CLOSED.value)),
        ),
        done_at,
        since,
        until,
    )
    rows = [
        (r[0], ensure_utc(r[1]), r[2], (r[3] or None), (r[4] or "").strip() or None)
        for r in session.execute(stmt)
    ]
    with_cause = [r for r in rows if r[2] is not None or r[3] or r[4]]
    total = len(with_cause)
    return RootCauses(
        resolved=len(rows),
        with_cause=total,
        by_touchpoint=_group(with_cause, "touchpoint", total),
        by_theme=_group(with_cause, "theme", total),
        by_standard=_group(with_cause, "standard", total),
        combined=_group(with_cause, "combined", total),
    )
