"""The service recovery paradox, tested rather than assumed: do customers whose problem
was put right later recommend (NPS) and intend to buy again (repurchase intent) more than
customers who never had a case?

- **Recovered**: customers with a closed case whose follow-up the customer answered
  "put right". Their answers count only after that case closed (the earliest such case
  when there are several): the question is what happened *after* the recovery.
- **Never had a case**: customers with no case at all, ever.
- Both groups: the ``nps`` and ``repurchase_intent`` measures of finished, unflagged
  responses (``survey_measures``) answered in the period, one value per response.
  Repurchase intent is put on 0–100 % of its scale so that answers on different scales
  can be pooled.

The tests are :func:`kohtaamo.metrics.compare.compare_nps` (two-sided z on the NPS
difference, adjusted Wald) and :func:`~kohtaamo.metrics.compare.compare_means` (Welch,
with Mann–Whitney beside it). With fewer than ``min_n`` answers in a group the result
says ``too_few`` (none: ``no_data``) and the verdict says so; it never shows a 0.
Answers of one customer are not independent of each other; with many answers per
customer the p-values are optimistic, which the page says in its notes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kohtaamo.cases.models import Case
from kohtaamo.cases.workflow import State
from kohtaamo.i18n import N_
from kohtaamo.metrics._checks import DEFAULT_MIN_N, Sufficiency, Verdict, insufficient_verdict
from kohtaamo.metrics.compare import Difference, MeanComparison, compare_means, compare_nps
from kohtaamo.metrics.stats import Mean, Nps, mean, nps
from kohtaamo.surveys.models import SurveyMeasure

ALPHA = 0.05
PUT_RIGHT = "put_right"

HOLDS = N_(
    "Recovered customers recommend more than customers who never had a case (NPS "
    "%(recovered)s against %(never)s, %(difference)s points, p = %(p)s): here the "
    "service recovery paradox holds."
)
WORSE = N_(
    "Recovered customers recommend less than customers who never had a case (NPS "
    "%(recovered)s against %(never)s, %(difference)s points, p = %(p)s): the recovery "
    "did not make up for the problem."
)
NO_DIFFERENCE = N_(
    "No clear difference between recovered customers and customers who never had a case "
    "(NPS %(recovered)s against %(never)s, %(difference)s points, p = %(p)s): the data "
    "do not show a recovery paradox."
)
TOO_FEW = N_(
    "Too few answers to test the recovery paradox: %(recovered_n)s later answers from "
    "recovered customers and %(never_n)s from customers who never had a case; at least "
    "%(min_n)s of each are needed."
)


@dataclass(frozen=True)
class Group:
    """One group's later answers: NPS and repurchase intent (0–100 % of scale)."""

    customers: int
    nps: Nps
    repurchase: Mean


@dataclass(frozen=True)
class Paradox:
    recovered: Group
    never: Group
    nps_difference: Difference  # recovered − never, NPS points
    repurchase_difference: MeanComparison  # recovered − never, % of scale
    min_n: int
    verdict: Verdict
    repurchase_verdict: Verdict


def _recovered_since(session: Session) -> dict[uuid.UUID, datetime]:
    """Each recovered customer and when their first put-right case closed."""
    stmt = (
        select(Case.customer_id, func.min(Case.closed_at))
        .where(
            Case.customer_id.is_not(None),
            Case.state == State.CLOSED.value,
            Case.closed_at.is_not(None),
            Case.followup_outcome == PUT_RIGHT,
        )
        .group_by(Case.customer_id)
    )
    return {
        row[0]: row[1] for row in session.execute(stmt) if row[0] is not None and row[1] is not None
    }


def _measures(
    session: Session, role: str, since: datetime | None, until: datetime | None
) -> list[tuple[uuid.UUID, datetime, float, int, int]]:
    stmt = select(
        SurveyMeasure.customer_id,
        SurveyMeasure.answered_at,
        SurveyMeasure.value,
        SurveyMeasure.scale_min,
        SurveyMeasure.scale_max,
    ).where(SurveyMeasure.role == role, SurveyMeasure.customer_id.is_not(None))
    if since is not None:
        stmt = stmt.where(SurveyMeasure.answered_at >= since)
    if until is not None:
        stmt = stmt.where(SurveyMeasure.answered_at < until)
    return [
        (r[0], r[1], float(r[2]), int(r[3]), int(r[4]))
        for r in session.execute(stmt)
        if r[0] is not None
    ]


def _split(
    rows: Sequence[tuple[uuid.UUID, datetime, float, int, int]],
    recovered: dict[uuid.UUID, datetime],
    with_case: set[uuid.UUID],
    scale: bool,
) -> tuple[list[float], set[uuid.UUID], list[float], set[uuid.UUID]]:
    later, later_who, never, never_who = [], set(), [], set()
    for customer, at, value, low, high in rows:
        if scale:
            value = (value - low) / (high - low) * 100 if high > low else 0.0
        closed = recovered.get(customer)
        if closed is not None:
            if at > closed:
                later.append(value)
                later_who.add(customer)
        elif customer not in with_case:
            never.append(value)
            never_who.add(customer)
    return later, later_who, never, never_who


def _plain(x: float | None, digits: int = 1) -> float | None:
    return None if x is None else round(x, digits)


def _verdict(diff: Difference, a: Nps, b: Nps, min_n: int, holds: str, worse: str) -> Verdict:
    if diff.status is not Sufficiency.OK or diff.difference is None or diff.p_value is None:
        if diff.status is Sufficiency.NO_DATA and diff.n_a + diff.n_b == 0:
            return insufficient_verdict(Sufficiency.NO_DATA, 0, min_n)
        return Verdict(TOO_FEW, {"recovered_n": diff.n_a, "never_n": diff.n_b, "min_n": min_n})
    params = {
        "recovered": _plain(a.nps),
        "never": _plain(b.nps),
        "difference": _plain(diff.difference),
        "p": _plain(diff.p_value, 3),
    }
    if diff.p_value < ALPHA:
        return Verdict(holds if diff.difference > 0 else worse, params)
    return Verdict(NO_DIFFERENCE, params)


REPURCHASE_HOLDS = N_(
    "Recovered customers intend to buy again more than customers who never had a case "
    "(%(recovered)s %% against %(never)s %% of the scale, p = %(p)s)."
)
REPURCHASE_WORSE = N_(
    "Recovered customers intend to buy again less than customers who never had a case "
    "(%(recovered)s %% against %(never)s %% of the scale, p = %(p)s)."
)
REPURCHASE_SAME = N_(
    "No clear difference in repurchase intent between recovered customers and customers "
    "who never had a case (%(recovered)s %% against %(never)s %% of the scale, p = %(p)s)."
)


def _repurchase_verdict(cmp: MeanComparison, a: Mean, b: Mean, min_n: int) -> Verdict:
    d = cmp.welch
    if d.status is not Sufficiency.OK or d.difference is None or d.p_value is None:
        if d.n_a + d.n_b == 0:
            return insufficient_verdict(Sufficiency.NO_DATA, 0, min_n)
        return Verdict(TOO_FEW, {"recovered_n": d.n_a, "never_n": d.n_b, "min_n": min_n})
    params = {"recovered": _plain(a.mean), "never": _plain(b.mean), "p": _plain(d.p_value, 3)}
    if d.p_value < ALPHA:
        return Verdict(REPURCHASE_HOLDS if d.difference > 0 else REPURCHASE_WORSE, params)
    return Verdict(REPURCHASE_SAME, params)


def paradox(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    min_n: int = DEFAULT_MIN_N,
) -> Paradox:
    """Compare the later answers of recovered customers with those of customers who
    never had a case, answered in [since, until)."""
    recovered = _recovered_since(session)
    with_case = {
        c
        for c in session.scalars(select(Case.customer_id).where(Case.customer_id.is_not(None)))
        if c is not None
    }
    nps_a, who_a, nps_b, who_b = _split(
        _measures(session, "nps", since, until), recovered, with_case, scale=False
    )
    rep_a, rep_who_a, rep_b, rep_who_b = _split(
        _measures(session, "repurchase_intent", since, until), recovered, with_case, scale=True
    )
    group_a = Group(
        len(who_a | rep_who_a),
        nps(nps_a, min_n=min_n),
        mean(rep_a, min_n=min_n),
    )
    group_b = Group(
        len(who_b | rep_who_b),
        nps(nps_b, min_n=min_n),
        mean(rep_b, min_n=min_n),
    )
    nps_diff = compare_nps(nps_a, nps_b, min_n=min_n)
    rep_diff = compare_means(rep_a, rep_b, min_n=min_n)
    return Paradox(
        recovered=group_a,
        never=group_b,
        nps_difference=nps_diff,
        repurchase_difference=rep_diff,
        min_n=min_n,
        verdict=_verdict(nps_diff, group_a.nps, group_b.nps, min_n, HOLDS, WORSE),
        repurchase_verdict=_repurchase_verdict(
            rep_diff, group_a.repurchase, group_b.repurchase, min_n
        ),
    )
