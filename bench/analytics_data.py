"""Measures of the analytics store's contract shape (``analytics/schema.py``), generated
vectorised with NumPy and Arrow for the analytics benchmark (``bench/analytics.py``).

One big organisation and a small second one (so that every query has to filter its
organisation). A response is either a touchpoint survey (expectation, experience, the
derived gap, CSAT, effort, NPS, repurchase intent: 7 measures) or a relationship survey
(NPS, overall satisfaction, trust, repurchase intent: 4 measures). The answer model
borrows the demo's ideas (``demo/surveys_answers.py``), cheaply: touchpoints differ in
what people expect and get, companies and VIPs expect more, every customer has a mood
shared by all their answers, the entrance suffers in summer, and the web checkout gets
better after a release half-way through. Rows come in time order, as the sync appends
them.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kohtaamo.analytics.schema import TABLES

SEGMENTS = ("consumer", "corporate", "vip", "student")
SEGMENT_SHARE = (0.55, 0.2, 0.1, 0.15)
SEGMENT_EXPECTS_MORE = np.array([0.0, 0.5, 0.25, -0.1])
LANGUAGES = ("fi", "en", "sv")
LANGUAGE_SHARE = (0.72, 0.2, 0.08)
CHANNELS = ("link", "email", "widget", "qr", "api", "kiosk")
CHANNEL_SHARE = (0.15, 0.35, 0.25, 0.1, 0.05, 0.1)
FACTOR_GROUPS = ("content", "functional", "psychological")
# role, question key, scale min, scale max
TOUCHPOINT_ROLES = (
    ("expectation", "pair", 1, 5),
    ("experience", "pair", 1, 5),
    ("gap", "pair", 1, 5),
    ("csat", "satisfied", 1, 5),
    ("ces", "effort", 1, 7),
    ("nps", "recommend", 0, 10),
    ("repurchase_intent", "again", 1, 5),
)
RELATIONSHIP_ROLES = (
    ("nps", "recommend", 0, 10),
    ("overall_satisfaction", "overall", 1, 5),
    ("trust", "trust", 1, 5),
    ("repurchase_intent", "again", 1, 5),
)
RELATIONSHIP_SHARE = 0.15
ROLES = tuple(dict.fromkeys(r for r, *_ in TOUCHPOINT_ROLES + RELATIONSHIP_ROLES))
KEYS = tuple(dict.fromkeys(k for _, k, *_ in TOUCHPOINT_ROLES + RELATIONSHIP_ROLES))
US_PER_DAY = 86_400_000_000


@dataclass(frozen=True)
class Org:
    id: str
    touchpoint_ids: list[str]
    survey_ids: list[str]  # the last one is the relationship survey
    prefix: str  # of response and customer ids, so that ids are unique across orgs


def _ids(seed: int, n: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [str(uuid.UUID(bytes=rng.bytes(16), version=4)) for _ in range(n)]


def make_org(number: int, touchpoints: int, surveys: int) -> Org:
    org_id = _ids(1000 + number, 1)[0]
    return Org(
        org_id,
        _ids(2000 + number, touchpoints),
        _ids(3000 + number, surveys),
        f"{number:08x}",
    )


def _uuid_like(prefix: str, kind: int, idx: np.ndarray) -> pa.Array:
    """Canonical-looking UUID strings built in Arrow from integers (millions per second)."""
    tail = pc.utf8_lpad(pa.array(idx).cast(pa.string()), width=12, padding="0")
    return pc.binary_join_element_wise(f"{prefix}-{kind:04x}-4000-8000-", tail, "")


def _dict(values: tuple[str, ...] | list[str], codes: np.ndarray) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(values))


def _clip(x: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return np.clip(np.rint(x), lo, hi)


def generate_org(
    org: Org, n_measures: int, months: int, end: datetime, seed: int
) -> dict[str, pa.Table]:
    """``n_measures`` measures (exactly) of one organisation and its dimension tables."""
    rng = np.random.default_rng(seed)
    per_response = (1 - RELATIONSHIP_SHARE) * len(TOUCHPOINT_ROLES) + RELATIONSHIP_SHARE * len(
        RELATIONSHIP_ROLES
    )
    n_resp = int(n_measures / per_response) + 64
    n_tp = len(org.touchpoint_ids)
    n_cust = max(10, n_resp // 4)

    # Customers: segment and a mood shared by all their answers.
    cust_seg = rng.choice(len(SEGMENTS), size=n_cust, p=SEGMENT_SHARE)
    cust_mood = rng.normal(0, 0.5, size=n_cust)

    # Responses in time order; more answers in recent months (the programme grows).
    end_us = int(end.timestamp() * 1e6)
    span = months * 30.4375 * US_PER_DAY
    at = np.sort(end_us - (1 - np.sqrt(rng.random(n_resp))) * span).astype(np.int64)
    cust = rng.integers(0, n_cust, size=n_resp)
    seg = cust_seg[cust]
    mood = cust_mood[cust]
    relationship = rng.random(n_resp) < RELATIONSHIP_SHARE
    tp_weights = rng.dirichlet(np.full(n_tp, 3.0))
    tp = rng.choice(n_tp, size=n_resp, p=tp_weights)
    month_of_year = (at // US_PER_DAY * 12 // 365) % 12 + 1  # near enough for seasons

    expected_mean = 3.2 + rng.random(n_tp)
    experienced_mean = expected_mean + rng.normal(-0.1, 0.45, size=n_tp)
    experienced_mean[0] = expected_mean[0] - 0.5  # the entrance queue, planted
    exp_mean = expected_mean[tp] + SEGMENT_EXPECTS_MORE[seg]
    got_mean = experienced_mean[tp] + mood - 0.1 * (seg == 1)
    got_mean -= 0.4 * ((tp == 0) & (month_of_year >= 6) & (month_of_year <= 8))
    got_mean += 0.7 * ((tp == 1) & (at >= end_us - span / 2))  # the new checkout
    expectation = _clip(exp_mean + rng.normal(0, 0.8, n_resp), 1, 5)
    experience = _clip(got_mean + rng.normal(0, 0.8, n_resp), 1, 5)
    feel = experience - 3.5 + mood
    values = {
        "expectation": expectation,
        "experience": experience,
        "gap": experience - expectation,
        "csat": _clip(experience + rng.normal(0, 0.6, n_resp), 1, 5),
        "ces": _clip(4 - (experience - 3) + rng.normal(0, 1, n_resp), 1, 7),
        "nps": _clip(7.6 + 1.3 * feel - 0.8 * (tp == 0) + rng.normal(0, 1.5, n_resp), 0, 10),
        "repurchase_intent": _clip(3.8 + 0.7 * feel + rng.normal(0, 0.8, n_resp), 1, 5),
        "overall_satisfaction": _clip(3.9 + 0.8 * mood + rng.normal(0, 0.7, n_resp), 1, 5),
        "trust": _clip(3.7 + 0.7 * mood + rng.normal(0, 0.8, n_resp), 1, 5),
    }

    parts = []
    for roles, chosen in ((TOUCHPOINT_ROLES, ~relationship), (RELATIONSHIP_ROLES, relationship)):
        idx = np.flatnonzero(chosen)
        k = len(roles)
        resp = np.repeat(idx, k)
        role_no = np.tile(np.arange(k), len(idx))
        vals = np.column_stack([values[r][idx] for r, *_ in roles]).ravel()
        parts.append((roles, resp, role_no, vals))
    resp = np.concatenate([p[1] for p in parts])
    order = np.argsort(resp, kind="stable")[:n_measures]  # time order, responses whole
    resp = resp[order]
    role_codes = np.concatenate(
        [np.array([ROLES.index(r) for r, *_ in p[0]])[p[2]] for p in parts]
    )[order]
    key_codes = np.concatenate(
        [np.array([KEYS.index(q) for _, q, *_ in p[0]])[p[2]] for p in parts]
    )[order]
    scale_min = np.concatenate([np.array([s for *_, s, _ in p[0]])[p[2]] for p in parts])[order]
    scale_max = np.concatenate([np.array([s for *_, s in p[0]])[p[2]] for p in parts])[order]
    value = np.concatenate([p[3] for p in parts])[order]
    is_rel = relationship[resp]
    n_surveys = len(org.survey_ids)
    survey = np.where(is_rel, n_surveys - 1, tp[resp] % (n_surveys - 1))
    tp_codes = tp[resp]
    cust_m = cust[resp]
    anonymous = (cust_m % 10) == 0  # a tenth answer without a known customer

    m = n_measures
    measure_id_base = int(org.prefix, 16) * 10**11
    measures = pa.table(
        {
            "organisation_id": _dict([org.id], np.zeros(m, dtype=np.int32)),
            "measure_id": pa.array(np.arange(m, dtype=np.int64) + measure_id_base),
            "response_id": _uuid_like(org.prefix, 1, resp),
            "survey_id": _dict(org.survey_ids, survey),
            "question_key": _dict(KEYS, key_codes),
            "role": _dict(ROLES, role_codes),
            "value": pa.array(value.astype(np.float64)),
            "scale_min": pa.array(scale_min.astype(np.int32)),
            "scale_max": pa.array(scale_max.astype(np.int32)),
            "touchpoint_id": pa.DictionaryArray.from_arrays(
                pa.array(tp_codes.astype(np.int32), mask=is_rel), pa.array(org.touchpoint_ids)
            ),
            "customer_id": pc.if_else(
                pa.array(anonymous), pa.scalar(None, pa.string()), _uuid_like(org.prefix, 2, cust_m)
            ),
            "answered_at": pa.array(at[resp], type=pa.timestamp("us")),
            "language": _dict(LANGUAGES, rng.choice(3, size=n_resp, p=LANGUAGE_SHARE)[resp]),
            "response_channel": _dict(CHANNELS, rng.choice(6, size=n_resp, p=CHANNEL_SHARE)[resp]),
            "segment": _dict(SEGMENTS, seg[resp]),
        }
    )
    return {"measures": measures, **_dimensions(org, cust_seg, rng)}


def _dimensions(org: Org, cust_seg: np.ndarray, rng: np.random.Generator) -> dict[str, pa.Table]:
    n_tp, n_cust = len(org.touchpoint_ids), len(cust_seg)
    names = [f"Kohtaamispiste {i + 1}" for i in range(n_tp)]
    teams = _ids(4000 + int(org.prefix, 16), 5)
    touchpoints = pa.table(
        {
            "organisation_id": [org.id] * n_tp,
            "touchpoint_id": org.touchpoint_ids,
            "key": [f"tp.{i:02d}" for i in range(n_tp)],
            "name_fi": names,
            "name_en": [f"Touchpoint {i + 1}" for i in range(n_tp)],
            "name_sv": [f"Kontaktpunkt {i + 1}" for i in range(n_tp)],
            "channel": [CHANNELS[i % len(CHANNELS)] for i in range(n_tp)],
            "factor_group": [FACTOR_GROUPS[i % 3] for i in range(n_tp)],
            "team_id": [teams[i % 5] for i in range(n_tp)],
            "team_name": [f"Team {i % 5 + 1}" for i in range(n_tp)],
            "critical": [i % 4 == 0 for i in range(n_tp)],
        }
    )
    journeys = _ids(5000 + int(org.prefix, 16), 3)
    stages = _ids(6000 + int(org.prefix, 16), 12)
    placements = pa.table(
        {
            "organisation_id": [org.id] * n_tp,
            "touchpoint_id": org.touchpoint_ids,
            "journey_id": [journeys[i % 3] for i in range(n_tp)],
            "journey_key": [f"journey.{i % 3}" for i in range(n_tp)],
            "journey_name": [f"Journey {i % 3 + 1}" for i in range(n_tp)],
            "stage_id": [stages[i % 12] for i in range(n_tp)],
            "stage_position": [i % 4 for i in range(n_tp)],
            "stage_name_fi": [f"Vaihe {i % 4 + 1}" for i in range(n_tp)],
            "stage_name_en": [f"Stage {i % 4 + 1}" for i in range(n_tp)],
        }
    )
    customers = pa.table(
        {
            "organisation_id": _dict([org.id], np.zeros(n_cust, dtype=np.int32)),
            "customer_id": _uuid_like(org.prefix, 2, np.arange(n_cust)),
            "segment": _dict(SEGMENTS, cust_seg),
            "region": _dict(("uusimaa", "pirkanmaa", "varsinais-suomi", "muu"), cust_seg % 4),
            "plan": _dict(("basic", "plus", "pro"), rng.integers(0, 3, n_cust)),
            "customer_since": pa.array(
                (np.datetime64("2020-01-01") + rng.integers(0, 2000, n_cust)).astype(
                    "datetime64[D]"
                )
            ),
            "purchases": pa.array(rng.integers(1, 40, n_cust).astype(np.int32)),
            "lifetime_value": pa.array(np.round(rng.gamma(2, 300, n_cust), 2)),
            "attributes": pa.array(["{}"] * n_cust),
        }
    )
    surveys = pa.table(
        {
            "organisation_id": [org.id] * len(org.survey_ids),
            "survey_id": org.survey_ids,
            "key": [f"survey.{i}" for i in range(len(org.survey_ids))],
            "name": [f"Survey {i + 1}" for i in range(len(org.survey_ids))],
            "kind": ["touchpoint"] * (len(org.survey_ids) - 1) + ["relationship"],
        }
    )
    invitations = pa.table(
        {name: pa.array([], type=_arrow(kind)) for name, kind in TABLES["invitations"]}
    )
    return {
        "touchpoints": touchpoints,
        "placements": placements,
        "customers": customers,
        "surveys": surveys,
        "invitations": invitations,
    }


def _arrow(kind: str) -> pa.DataType:
    return {
        "VARCHAR": pa.string(),
        "BIGINT": pa.int64(),
        "INTEGER": pa.int32(),
        "DOUBLE": pa.float64(),
        "TIMESTAMP": pa.timestamp("us"),
        "BOOLEAN": pa.bool_(),
        "DATE": pa.date32(),
    }[kind]


def conform(table: pa.Table, name: str) -> pa.Table:
    """The table with the contract's column order and plain (non-dictionary) types."""
    columns = TABLES[name]
    return pa.table({col: table.column(col).cast(_arrow(kind)) for col, kind in columns})


def generate(
    n_measures: int,
    touchpoints: int = 30,
    months: int = 24,
    small_share: float = 0.02,
    end: datetime = datetime(2026, 11, 1, tzinfo=UTC),
    seed: int = 5,
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, pa.Table], list[Org]]:
    """The tables of two organisations (the second gets ``small_share`` of the
    measures), concatenated per table."""
    say = progress or (lambda text: print(text, file=sys.stderr, flush=True))
    orgs = [make_org(1, touchpoints, 7), make_org(2, 8, 3)]
    n_small = max(100, int(n_measures * small_share))
    sizes = [n_measures - n_small, n_small]
    tables: dict[str, list[pa.Table]] = {}
    for i, (org, size) in enumerate(zip(orgs, sizes, strict=True)):
        started = time.perf_counter()
        for name, table in generate_org(org, size, months, end, seed + i).items():
            tables.setdefault(name, []).append(table)
        say(
            f"  generated {size:,} measures of organisation {i + 1}"
            f" in {time.perf_counter() - started:.1f} s"
        )
    out = {n: pa.concat_tables([conform(t, n) for t in ts]) for n, ts in tables.items()}
    for name, columns in TABLES.items():  # tables not generated (comments) stay empty
        if name not in out:
            out[name] = pa.table({c: pa.array([], type=_arrow(k)) for c, k in columns})
    return out, orgs
