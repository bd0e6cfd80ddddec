"""The key-driver page and API, and the benchmark page with its forms, through the app,
in Finnish and English, read from the process-wide analytics store.

Measures are written straight into the store after a first sync (as in
tests/web/test_analytics_pages.py): "checkout" is planted as the strongest NPS driver,
and another organisation's rows (a perfect opposite relationship) must never show.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from kohtaamo.accounts.permissions import Role
from kohtaamo.analytics.drivers import DriverQuery, analyse
from kohtaamo.analytics.schema import MEASURES
from kohtaamo.analytics.store import AnalyticsStore, get_store
from kohtaamo.analytics.sync import sync
from kohtaamo.config import Settings
from kohtaamo.kit.clock import frozen_at
from kohtaamo.storage.db import Database
from tests.factories import Factory, page_csrf
from tests.journeys.helpers import Catalogue, seed
from tests.web.conftest import Browser

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
WHEN = NOW.replace(tzinfo=None) - timedelta(days=30)
WEIGHTS = {"checkout": 1.5, "website": 0.6, "support": 0.2}
_ids = itertools.count(10**13)


@dataclass
class World:
    cat: Catalogue
    other: Catalogue


def _row(
    org: uuid.UUID, response: str, role: str, value: float, tp: uuid.UUID | None, top: int = 5
) -> tuple[object, ...]:
    row = {
        "organisation_id": str(org),
        "measure_id": next(_ids),
        "response_id": response,
        "survey_id": "s",
        "question_key": role,
        "role": role,
        "value": value,
        "scale_min": 0 if role == "nps" else 1,
        "scale_max": 10 if role == "nps" else top,
        "touchpoint_id": None if tp is None else str(tp),
        "customer_id": None,
        "answered_at": WHEN,
        "language": "fi",
        "response_channel": "email",
        "segment": "consumer",
    }
    return tuple(row[name] for name, _ in MEASURES)


def _responses(cat: Catalogue, n: int, seed_: int, flip: bool = False) -> list[tuple[object, ...]]:
    rng = np.random.default_rng(seed_)
    rows = []
    for _ in range(n):
        rid = str(uuid.uuid4())
        xs = {k: int(rng.integers(1, 6)) for k in WEIGHTS}
        score = 1 + sum(w * (6 - xs[k] if flip else xs[k]) for k, w in WEIGHTS.items()) / 2.5
        rows.append(
            _row(
                cat.org.id, rid, "nps", float(np.clip(round(score + rng.normal(0, 1)), 0, 10)), None
            )
        )
        for key, x in xs.items():
            rows.append(_row(cat.org.id, rid, "experience", float(x), cat.touchpoints[key]))
    return rows


def _insert(store: AnalyticsStore, rows: list[tuple[object, ...]]) -> None:
    # One Arrow batch: DuckDB's executemany takes seconds for a thousand rows.
    names = [name for name, _ in MEASURES]
    batch = pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})  # noqa: F841
    with store.write_lock, store.cursor() as cur:
        cur.execute(f"INSERT INTO measures SELECT {', '.join(names)} FROM batch")
        # Written past the sync: the store's daily rollups must be recomputed too.
        store.refresh_rollup(cur, full=True)


@pytest.fixture
def world(
    db: Database, factory: Factory, settings: Settings, client: TestClient
) -> Iterator[World]:
    cat = seed(db, factory.organisation("Tapahtumatalo Oy"))
    other = seed(db, factory.organisation("Toinen Oy"))
    store = get_store(settings)
    sync(store, db)
    _insert(store, _responses(cat, 150, 1) + _responses(other, 150, 2, flip=True))
    with frozen_at(NOW):
        yield World(cat, other)


def _spec(html: str, chart: str) -> dict[str, Any]:
    found = re.search(rf'id="chart-{chart}-spec">(.*?)</script>', html, re.S)
    assert found is not None, chart
    return json.loads(found.group(1))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("language", "title", "fix"),
    [("fi", "Avaintekijät", "Korjaa ensin"), ("en", "Key drivers", "Fix first")],
)
def test_driver_page_ranks_the_planted_driver_first_with_its_matrix(
    browser: Browser,
    factory: Factory,
    world: World,
    settings: Settings,
    language: str,
    title: str,
    fix: str,
) -> None:
    client = browser(factory.member(world.cat.org, Role.VIEWER), accept_language=language)
    page = client.get("/analytics/drivers?period=365d")
    assert page.status_code == 200, page.text[:500]
    if language == "en":  # the Finnish words arrive when the lead merges the catalogue
        assert title in page.text
    expected = analyse(
        get_store(settings).source(),
        world.cat.org.id,
        DriverQuery(start=datetime(2025, 6, 16), end=datetime(2026, 6, 16), bootstrap=0),
    )
    assert expected.drivers[0].key == "checkout"
    table = page.text.split('id="drivers-table"')[1]
    names = re.findall(r'<th scope="row"><a [^>]*>([^<]+)</a>', table)
    assert names[0].startswith("checkout") and len(names) == 3
    spec = _spec(page.text, "drivers-ipa")
    points = spec["layer"][-2]["data"]["values"]
    assert {p["name"] for p in points} == set(names)
    top = next(p for p in points if p["name"] == names[0])
    assert top["importance"] == pytest.approx(expected.drivers[0].share * 100, abs=0.01)
    if language == "en":
        assert fix in json.dumps(spec)


def test_driver_page_says_when_the_data_cannot_carry_it(
    browser: Browser, factory: Factory, world: World
) -> None:
    client = browser(factory.member(world.cat.org, Role.VIEWER), accept_language="en")
    page = client.get("/analytics/drivers?outcome=repurchase_intent")
    assert page.status_code == 200
    assert 'id="drivers-problem"' in page.text and "drivers-table" not in page.text
    assert client.get("/analytics/drivers?method=magic").status_code == 422


def test_driver_api_matches_the_analysis_and_explains_bad_input(
    client: TestClient, factory: Factory, world: World, settings: Settings
) -> None:
    key = factory.api_key(world.cat.org)
    headers = {"authorization": f"Bearer {key}", "accept-language": "en"}
    got = client.get(
        "/api/v1/drivers?method=relative-weights&bootstrap=20&drivers=checkout,website,support",
        headers=headers,
    )
    assert got.status_code == 200, got.text
    body = got.json()
    want = analyse(
        get_store(settings).source(),
        world.cat.org.id,
        DriverQuery(method="relative_weights", bootstrap=20),
    )
    assert body["method"] == "relative_weights" and body["n"] == want.n == 150
    assert [d["key"] for d in body["drivers"]] == [d.key for d in want.drivers]
    assert sum(d["weight"] for d in body["drivers"]) == pytest.approx(body["r2"])
    assert body["drivers"][0]["interval"] is not None
    bad = client.get("/api/v1/drivers?drivers=checkout,nps", headers=headers)
    assert bad.status_code == 422
    assert "also listed as a driver" in bad.json()["detail"]
    unknown = client.get("/api/v1/drivers?drivers=nowhere", headers=headers)
    assert unknown.status_code == 422


@pytest.mark.slow
def test_benchmarks_are_added_drawn_and_deleted(
    browser: Browser, factory: Factory, world: World, settings: Settings
) -> None:
    client = browser(factory.member(world.cat.org, Role.ANALYST), accept_language="en")
    store = get_store(settings)
    nps = {"checkout": [10] * 30 + [3] * 10, "website": [9] * 20 + [5] * 20, "support": [10] * 3}
    _insert(
        store,
        [
            _row(world.cat.org.id, str(uuid.uuid4()), "nps", float(v), world.cat.touchpoints[k])
            for k, values in nps.items()
            for v in values
        ],
    )
    token = page_csrf(client, "/analytics/benchmarks")
    checkout = str(world.cat.touchpoints["checkout"])
    form = {
        "csrf_token": token,
        "kind": "target",
        "metric": "nps",
        "value": "30",
        "scope_dimension": "touchpoint",
        "scope_value": checkout,
        "label": "Goal 2026",
    }
    made = client.post("/analytics/benchmarks", data=form, follow_redirects=False)
    assert made.status_code == 303
    external = {
        **form,
        "kind": "external",
        "value": "55",
        "scope_value": "",
        "label": "Finnair check-in, 2025",
    }
    assert (
        client.post("/analytics/benchmarks", data=external, follow_redirects=False).status_code
        == 303
    )
    page = client.get("/analytics/benchmarks?metric=nps&dimension=touchpoint&period=365d")
    assert page.status_code == 200
    spec = _spec(page.text, "benchmarks")
    rules = [r for layer in spec["layer"] for r in layer["data"]["values"] if "kind" in r]
    assert {(r["kind"], r["value"]) for r in rules} == {("target", 30.0), ("external", 55.0)}
    assert "Finnair check-in, 2025" in page.text
    bars = {b["unit"]: b["value"] for b in spec["layer"][0]["data"]["values"]}
    # checkout NPS 50, website 0; support has too few answers: no bar, never a 0
    assert bars == {"checkout en": pytest.approx(50), "website en": pytest.approx(0)}
    too_big = client.post("/analytics/benchmarks", data={**form, "value": "120"})
    assert too_big.status_code == 422
    assert "must be between -100 and 100" in too_big.text
    viewer = browser(factory.member(world.cat.org, Role.VIEWER), accept_language="fi")
    assert viewer.post("/analytics/benchmarks", data=form).status_code in (403, 422)
    ids = re.findall(r"/analytics/benchmarks/([0-9a-f-]{36})/delete", page.text)
    assert len(ids) == 2
    for bid in ids:
        gone = client.post(
            f"/analytics/benchmarks/{bid}/delete",
            data={"csrf_token": token},
            follow_redirects=False,
        )
        assert gone.status_code == 303
    after = client.get("/analytics/benchmarks").text
    assert "No targets or external benchmarks yet." in after and "/delete" not in after
