"""Planted answers for the assumption tests: rows of the store's contract tables."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from kohtaamo.analytics.schema import TABLES
from kohtaamo.analytics.source import Source, memory_source

_ids = itertools.count(1)
WHEN = datetime(2026, 5, 1, 9, 0)


def touchpoint(org: str, key: str, name_fi: str, name_en: str, **extra: Any) -> dict[str, Any]:
    return {
        "organisation_id": org,
        "touchpoint_id": str(uuid.uuid5(uuid.NAMESPACE_URL, org + key)),
        "key": key,
        "name_fi": name_fi,
        "name_en": name_en,
        "name_sv": name_en,
        "channel": extra.get("channel", "website"),
        "factor_group": extra.get("factor_group", "functional"),
        "team_id": None,
        "team_name": extra.get("team_name", "Asiakaspalvelu"),
        "critical": False,
    }


def measure(
    org: str,
    role: str,
    value: float,
    *,
    response: str | None = None,
    touchpoint_id: str | None = None,
    segment: str | None = None,
    scale: tuple[int, int] = (1, 5),
    question: str = "q",
    customer: str | None = None,
    days: int = 0,
) -> dict[str, Any]:
    return {
        "organisation_id": org,
        "measure_id": next(_ids),
        "response_id": response or str(uuid.uuid4()),
        "survey_id": None,
        "question_key": question,
        "role": role,
        "value": float(value),
        "scale_min": scale[0],
        "scale_max": scale[1],
        "touchpoint_id": touchpoint_id,
        "customer_id": customer,
        "answered_at": WHEN + timedelta(days=days),
        "language": "fi",
        "response_channel": "link",
        "segment": segment,
    }


def ratings(rng: np.random.Generator, n: int, probs: Sequence[float], low: int = 1) -> list[int]:
    """n answers on low..low+len(probs)-1 drawn with the given probabilities."""
    return [int(x) for x in rng.choice(np.arange(low, low + len(probs)), size=n, p=probs)]


SATISFIED = (0.02, 0.05, 0.13, 0.40, 0.40)  # top-2-box ≈ 80 %
LUKEWARM = (0.08, 0.12, 0.20, 0.35, 0.25)  # top-2-box ≈ 60 %


def csat_world(
    org: str,
    *,
    corporate: Sequence[float] = SATISFIED,
    consumer: Sequence[float] = LUKEWARM,
    n_corporate: int = 210,
    n_consumer: int = 380,
    seed: int = 1,
) -> dict[str, list[dict[str, Any]]]:
    """CSAT answers at billing by segment, plus answers elsewhere that must not count."""
    rng = np.random.default_rng(seed)
    billing = touchpoint(org, "billing", "Laskutus", "Billing")
    shop = touchpoint(org, "shop", "Myymälä", "Shop")
    rows = [
        measure(org, "csat", v, touchpoint_id=billing["touchpoint_id"], segment="corporate")
        for v in ratings(rng, n_corporate, corporate)
    ] + [
        measure(org, "csat", v, touchpoint_id=billing["touchpoint_id"], segment="consumer")
        for v in ratings(rng, n_consumer, consumer)
    ]
    # At another touchpoint consumers are the happy ones: a filter that leaks shows.
    rows += [
        measure(org, "csat", 5, touchpoint_id=shop["touchpoint_id"], segment="consumer")
        for _ in range(400)
    ]
    return {"measures": rows, "touchpoints": [billing, shop]}


def source_of_rows(rows: dict[str, list[dict[str, Any]]]) -> Source:
    """``memory_source`` filled through DataFrames: row-by-row inserts take seconds for
    the few thousand answers these tests plant."""
    source = memory_source()
    raw = source.con.con
    for table, data in rows.items():
        if not data:
            continue
        names = [name for name, _ in TABLES[table]]
        frame = pd.DataFrame([[r.get(n) for n in names] for r in data], columns=names)
        raw.register("incoming", frame)
        raw.execute(f'INSERT INTO "{table}" SELECT * FROM incoming')
        raw.unregister("incoming")
    return source


def fill_store(store: Any, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Put planted rows straight into an ``AnalyticsStore`` (as the sync would)."""
    names_of = {t: [n for n, _ in cols] for t, cols in TABLES.items()}
    with store.cursor() as cur:
        for table, data in rows.items():
            if not data:
                continue
            frame = pd.DataFrame([[r.get(n) for n in names_of[table]] for r in data])
            frame.columns = names_of[table]
            cur.register("incoming", frame)
            cur.execute(f'INSERT INTO "{table}" SELECT * FROM incoming')
            cur.unregister("incoming")
        # Written past the sync: the store's daily rollups must be recomputed too.
        store.refresh_rollup(cur, full=True)


def app_store() -> Any:
    """The analytics store every test app shares (test mode keeps it in memory)."""
    from kohtaamo.analytics.store import get_store
    from kohtaamo.config import Settings

    return get_store(Settings.model_construct(mode="test", analytics_path=None))


def plant_for(db: Any, org: Any) -> None:
    """Billing CSAT by segment for ``org`` in the store the test app reads.

    The app syncs the store from the operational database before it reads (test mode),
    and a sync replaces the touchpoints and starts over on another database. So the
    touchpoints are made in the operational database (with the ids the planted answers
    name), the store is synced once, and only then are the answers put in it: later
    syncs keep them (measures are only appended).
    """
    from sqlalchemy import select

    from kohtaamo.analytics.sync import sync
    from kohtaamo.journeys.models import Team, Touchpoint

    rows = csat_world(str(org))
    with db.transaction(org) as session:
        if session.scalar(select(Touchpoint.id).where(Touchpoint.key == "billing")):
            return  # planted already
        team = Team(organisation_id=org, name=f"Asiakaspalvelu {uuid.uuid4().hex[:6]}")
        session.add(team)
        session.flush()
        for tp in rows["touchpoints"]:
            session.add(
                Touchpoint(
                    id=uuid.UUID(tp["touchpoint_id"]),
                    organisation_id=org,
                    key=tp["key"],
                    name_fi=tp["name_fi"],
                    name_en=tp["name_en"],
                    channel=tp["channel"],
                    factor_group=tp["factor_group"],
                    owner_team_id=team.id,
                )
            )
    store = app_store()
    sync(store, db, refresh_dimensions=True)
    fill_store(store, {"measures": rows["measures"]})
