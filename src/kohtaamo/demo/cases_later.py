"""Recovered customers answer the relationship survey again, some weeks after their case.

The service recovery paradox says a customer whose problem was put right well may end
up more loyal than one who never had a problem. The demo plants a mild version of it,
for the recovery report to test rather than assume: customers whose follow-up said
"put right" answer slightly above the events company's usual NPS (about +10 in the
demo), those only partly helped below it, and those not helped well below. Only
customers with no later relationship answer of their own get one, written as the
survey contributor writes its answers (:mod:`kohtaamo.demo.surveys_bulk`).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select

from kohtaamo.demo.generator import DemoContext
from kohtaamo.demo.surveys import SHARED_KEY as SURVEYS_KEY
from kohtaamo.demo.surveys_bulk import LiveSurvey, insert_rows, rows_of
from kohtaamo.demo.surveys_comments import Tone, comment_language, make_comment
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.surveys.catalogue import ResponseChannel
from kohtaamo.surveys.models import SurveyMeasure
from kohtaamo.surveys.responses import Submission

# NPS answer weights (0–10) and repurchase intent weights (1–5), by follow-up outcome.
NPS_WEIGHTS: Final[dict[str, tuple[float, ...]]] = {
    # promoters ~47 %, detractors ~20 %: NPS about +27
    "put_right": (0, 0, 0, 0.02, 0.05, 0.05, 0.08, 0.13, 0.20, 0.22, 0.25),
    # promoters ~20 %, detractors ~45 %: about −25
    "partly": (0, 0.02, 0.03, 0.05, 0.08, 0.12, 0.15, 0.20, 0.15, 0.12, 0.08),
    # promoters ~5 %, detractors ~75 %: about −70
    "not_put_right": (0.08, 0.08, 0.12, 0.12, 0.12, 0.13, 0.10, 0.12, 0.08, 0.03, 0.02),
}
REPURCHASE_WEIGHTS: Final[dict[str, tuple[float, ...]]] = {
    "put_right": (0.02, 0.05, 0.18, 0.40, 0.35),
    "partly": (0.08, 0.20, 0.35, 0.27, 0.10),
    "not_put_right": (0.35, 0.30, 0.22, 0.10, 0.03),
}
DAYS_AFTER = (10.0, 60.0)  # when the later answer comes, after the case closed


@dataclass(frozen=True)
class LaterAnswer:
    """A closed case whose customer may answer again."""

    customer_id: uuid.UUID
    closed_at: datetime
    outcome: str
    language: str


def _answers(rng: random.Random, outcome: str, language: str) -> dict[str, object]:
    nps = rng.choices(range(11), NPS_WEIGHTS[outcome])[0]
    repurchase = rng.choices(range(1, 6), REPURCHASE_WEIGHTS[outcome])[0]
    trust = max(1, min(5, repurchase + rng.choice((-1, 0, 0, 1))))
    # The reason, written as the other relationship answers are, in the score's tone.
    tone: Tone = "praise" if nps >= 9 else "mixed" if nps >= 7 else "complaint"
    return {
        "nps": nps,
        "why": make_comment(rng, "relationship", tone, comment_language(language)),
        "repurchase": repurchase,
        "trust": trust,
    }


def write_later_answers(
    ctx: DemoContext, org: uuid.UUID, later: Sequence[LaterAnswer], end: datetime | None = None
) -> int:
    """Write the later relationship answers; returns how many."""
    survey: LiveSurvey | None = ctx.shared.get(SURVEYS_KEY, {}).get("relationship")
    if survey is None or not later:
        return 0
    end = end or ctx.reference_date
    rng = ctx.rng
    with ctx.db.transaction(org) as session:
        answered: dict[uuid.UUID | None, list[datetime]] = {}
        for customer_id, at in session.execute(
            select(SurveyMeasure.customer_id, SurveyMeasure.answered_at).where(
                SurveyMeasure.role == "nps", SurveyMeasure.customer_id.is_not(None)
            )
        ):
            answered.setdefault(customer_id, []).append(at)
        touchpoints = journeys_repo.touchpoint_keys(session)
        rows, numbers = [], []
        for item in sorted(later, key=lambda i: (i.closed_at, str(i.customer_id))):
            at = item.closed_at + timedelta(days=rng.uniform(*DAYS_AFTER))
            if at >= end - timedelta(days=1):
                continue
            if any(t > item.closed_at for t in answered.get(item.customer_id, ())):
                continue  # they answered again on their own
            sub = Submission(
                answers=_answers(rng, item.outcome, item.language),
                language=item.language,
                finished=True,
                channel=ResponseChannel.EMAIL,
                pages={page.key for page in survey.definition.pages},
                started_at=at - timedelta(seconds=rng.uniform(60, 240)),
            )
            row, measures = rows_of(
                survey, sub, customer_id=item.customer_id, touchpoints=touchpoints, now=at
            )
            rows.append(row)
            numbers += measures
        insert_rows(session, rows, numbers)
    ctx.counts["later answers of case customers"] += len(rows)
    return len(rows)
