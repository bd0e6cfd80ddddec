"""Rows of the analytics contract for the query tests: a small organisation with known
answers, and another organisation whose rows must never be counted."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

ORG = "00000000-0000-0000-0000-00000000000a"
OTHER = "00000000-0000-0000-0000-00000000000b"

# Touchpoint t1 sits on journeys j1 (stage s1, listed twice: must count once) and j2;
# t2 on j1 only; t3 on no journey.
PLACEMENTS = [
    ("t1", "j1", "s1"),
    ("t1", "j1", "s1"),
    ("t1", "j2", "s3"),
    ("t2", "j1", "s2"),
]
TOUCHPOINTS = {
    "t1": ("website", "functional", "team-a"),
    "t2": ("store", "psychological", "team-b"),
    "t3": ("phone", "content", "team-a"),
}
START = datetime(2026, 1, 1)


@dataclass
class World:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _measure: int = 0
    _response: int = 0

    def table(self, name: str) -> list[dict[str, Any]]:
        return self.rows.setdefault(name, [])

    def response(
        self,
        answers: dict[str, float],
        *,
        org: str = ORG,
        touchpoint: str | None = "t1",
        customer: str | None = "c1",
        at: datetime = START,
        segment: str | None = "consumer",
        survey: str = "s-a",
        language: str = "fi",
        channel: str = "link",
    ) -> str:
        self._response += 1
        rid = f"r{self._response}"
        scale_max = {"csat": 5, "ces": 7, "trust": 7, "gap": 4}
        for role, value in answers.items():
            self._measure += 1
            self.table("measures").append(
                {
                    "organisation_id": org,
                    "measure_id": self._measure,
                    "response_id": rid,
                    "survey_id": survey,
                    "question_key": role,
                    "role": role,
                    "value": float(value),
                    "scale_min": 1 if role in scale_max else 0,
                    "scale_max": scale_max.get(role, 10),
                    "touchpoint_id": touchpoint,
                    "customer_id": customer,
                    "answered_at": at,
                    "language": language,
                    "response_channel": channel,
                    "segment": segment,
                }
            )
        return rid

    def dimensions(self, org: str = ORG, *, journey_suffix: str = "") -> None:
        for tp, (channel, factor, team) in TOUCHPOINTS.items():
            self.table("touchpoints").append(
                {
                    "organisation_id": org,
                    "touchpoint_id": tp,
                    "key": tp,
                    "name_fi": f"{tp} fi",
                    "name_en": f"{tp} en",
                    "name_sv": f"{tp} sv",
                    "channel": channel,
                    "factor_group": factor,
                    "team_id": team + journey_suffix,
                    "team_name": team.upper(),
                    "critical": False,
                }
            )
        for tp, journey, stage in PLACEMENTS:
            self.table("placements").append(
                {
                    "organisation_id": org,
                    "touchpoint_id": tp,
                    "journey_id": journey + journey_suffix,
                    "journey_key": journey,
                    "journey_name": f"Journey {journey}",
                    "stage_id": stage + journey_suffix,
                    "stage_position": 1,
                    "stage_name_fi": f"Vaihe {stage}",
                    "stage_name_en": f"Stage {stage}",
                }
            )
        for cid, region, tier in (("c1", "north", "gold"), ("c2", "south", "silver")):
            self.table("customers").append(
                {
                    "organisation_id": org,
                    "customer_id": cid,
                    "segment": "consumer",
                    "region": region if not journey_suffix else "elsewhere",
                    "plan": "basic",
                    # \u00e4: an escaped "ä", as json.dumps writes it
                    "attributes": f'{{"tier": "{tier}", "visits": 3, "city": "H\\u00e4me"}}',
                }
            )


def random_world(seed: int = 7, n: int = 400) -> World:
    """Random answers over three touchpoints, two customers, two segments and ~90 days,
    plus the other organisation's rows on the same ids with extreme answers."""
    rng = random.Random(seed)
    w = World()
    w.dimensions()
    w.dimensions(OTHER, journey_suffix="-other")
    for _ in range(n):
        answers: dict[str, float] = {"nps": rng.randint(0, 10)}
        if rng.random() < 0.8:
            answers["csat"] = rng.randint(1, 5)
        if rng.random() < 0.7:
            answers["ces"] = rng.randint(1, 7)
        if rng.random() < 0.6:
            answers["gap"] = rng.randint(-3, 3)
        if rng.random() < 0.5:
            answers["trust"] = rng.randint(1, 7)
        w.response(
            answers,
            touchpoint=rng.choice(["t1", "t1", "t2", "t3", None]),
            customer=rng.choice(["c1", "c2", None]),
            at=START + timedelta(minutes=rng.randint(0, 90 * 24 * 60)),
            segment=rng.choice(["consumer", "corporate"]),
            language=rng.choice(["fi", "en"]),
        )
    for _ in range(60):
        w.response(
            {"nps": 0, "csat": 1, "ces": 1, "gap": -3, "trust": 1},
            org=OTHER,
            touchpoint=rng.choice(["t1", "t2"]),
            customer="c1",
            at=START + timedelta(days=rng.randint(0, 89)),
        )
    return w
