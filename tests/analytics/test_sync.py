"""The sync copies the operational database into the store: every role, derived gaps,
dimensions, erasures; re-running it changes nothing; a rebuild equals the increments."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from sqlalchemy import text

from kohtaamo.analytics.schema import TABLES
from kohtaamo.analytics.service import record_erasure
from kohtaamo.analytics.source import Source
from kohtaamo.analytics.store import AnalyticsStore
from kohtaamo.analytics.sync import rebuild, sync
from kohtaamo.journeys import customers as customer_service
from kohtaamo.journeys import journeymap
from kohtaamo.journeys.schemas import PlacementIn
from kohtaamo.storage.db import Database
from tests.analytics.conftest import SyncedStore
from tests.analytics.sync_helpers import make_survey, submit
from tests.factories import Factory


def _rows(source: Source, table: str) -> list[tuple[Any, ...]]:
    frame = source.execute(getattr(source, table))
    frame = frame.astype(object).where(pd.notna(frame), None)
    return sorted(map(tuple, frame.itertuples(index=False)), key=repr)


def _operational(db: Database, sql: str) -> list[tuple[Any, ...]]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_every_role_and_both_gap_forms_arrive(
    db: Database, factory: Factory, analytics_store: SyncedStore
) -> None:
    f = make_survey(db, factory.organisation())
    rid = submit(db, f, customer="c-1", expected=4, experienced=2, speed=1, nps=9)
    source = analytics_store.sync()
    m = source.execute(source.measures)
    got = {(r.question_key, r.role): r.value for r in m.itertuples()}
    assert got == {
        ("ease", "expectation"): 4.0,
        ("ease", "experience"): 2.0,
        ("ease", "gap"): -2.0,  # experience − expectation
        ("speed", "expectation_gap"): 1.0,
        ("speed", "gap"): 1.0,  # answer − midpoint of −2…2
        ("nps", "nps"): 9.0,
        ("csat", "csat"): 4.0,
    }
    # A gap row reuses the id of the measure it derives from.
    ids = {(r.question_key, r.role): r.measure_id for r in m.itertuples()}
    assert ids["ease", "gap"] == ids["ease", "experience"]
    assert ids["speed", "gap"] == ids["speed", "expectation_gap"]
    assert set(m.response_id) == {str(rid)}
    assert set(m.organisation_id) == {str(f.org.id)}
    assert set(m.touchpoint_id) == {str(f.cat.touchpoints["checkout"])}
    assert m.answered_at.dt.tz is None  # naive UTC
    # Ids and shapes are the store's canonical ones, equal to the view's.
    view = _operational(db, "SELECT measure_id, role, value FROM analytics_measures")
    assert sorted(view) == sorted(zip(m.measure_id, m.role, m.value, strict=True))


def test_dimensions_arrive_with_names_placements_and_attributes(
    db: Database, factory: Factory, analytics_store: SyncedStore
) -> None:
    f = make_survey(db, factory.organisation())
    with db.transaction(f.org.id) as session:
        journey = journeymap.get_journey(session, f.actor, f.cat.journey_id)
        journeymap.do_place_touchpoint(
            session,
            f.actor,
            journey.id,
            f.cat.touchpoints["checkout"],
            PlacementIn(stage_id=journey.stages[1].id),
        )
    submit(db, f, customer="c-1")
    with db.transaction(f.org.id) as session:
        customer = customer_service.get_customer(session, f.actor, "c-1")
        customer.segment = "corporate"
        customer.attributes = {"churned": True}
    source = analytics_store.sync()
    tps = source.execute(source.touchpoints)
    assert set(tps.key) == set(f.cat.touchpoints)
    assert set(tps.team_name) == {"Asiakaspalvelu"}
    assert set(tps.touchpoint_id) == {str(i) for i in f.cat.touchpoints.values()}
    surveys = source.execute(source.surveys)
    assert list(surveys.survey_id) == [str(f.survey_id)] and list(surveys.key) == ["visit"]
    customers = source.execute(source.customers)
    assert len(customers) == 1 and customers.segment[0] == "corporate"
    assert json.loads(customers.attributes[0]) == {"churned": True}
    placed = source.execute(source.placements)
    assert list(placed.touchpoint_id) == [str(f.cat.touchpoints["checkout"])]
    assert list(placed.stage_name_en) == ["Purchase"] and list(placed.journey_key) == ["ticket"]


def test_another_organisations_rows_are_stored_but_never_returned_filtered(
    db: Database, factory: Factory, analytics_store: SyncedStore
) -> None:
    ours = make_survey(db, factory.organisation())
    theirs = make_survey(db, factory.organisation())
    submit(db, ours, nps=10)
    submit(db, theirs, nps=0)
    submit(db, theirs, nps=1)
    source = analytics_store.sync()
    m = source.measures
    assert source.execute(m.organisation_id.nunique()) == 2
    for table in TABLES:
        t = getattr(source, table)
        mine = source.execute(t.filter(t.organisation_id == str(ours.org.id)))
        assert set(mine.organisation_id) <= {str(ours.org.id)}
    nps = m.filter((m.organisation_id == str(ours.org.id)) & (m.role == "nps"))
    assert list(source.execute(nps).value) == [10.0]


def test_resync_changes_nothing_and_new_rows_come_once(
    db: Database, factory: Factory, analytics_store: SyncedStore
) -> None:
    f = make_survey(db, factory.organisation())
    submit(db, f)
    first = _rows(analytics_store.sync(), "measures")
    assert analytics_store.last is not None and analytics_store.last.measures_added == 7
    again = _rows(analytics_store.sync(), "measures")
    assert again == first and analytics_store.last.measures_added == 0
    submit(db, f, nps=3)
    third = _rows(analytics_store.sync(), "measures")
    assert len(third) == 14 and analytics_store.last.measures_added == 7
    keys = [(r[1], r[5]) for r in third]
    assert len(set(keys)) == len(keys)  # (measure_id, role) unique


def test_a_row_committed_below_the_watermark_is_still_copied(
    db: Database, factory: Factory, analytics_store: SyncedStore
) -> None:
    # A slow transaction commits an id lower than rows the store already has.
    f = make_survey(db, factory.organisation())
    submit(db, f)
    submit(db, f, nps=2)
    with db.engine.begin() as conn:
        low = conn.execute(text("SELECT min(id) FROM survey_measures")).scalar_one()
        saved = [
            dict(r._mapping)
            for r in conn.execute(text("SELECT * FROM survey_measures WHERE id = :i"), {"i": low})
        ]
        conn.execute(text("DELETE FROM survey_measures WHERE id = :i"), {"i": low})
    analytics_store.sync()
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO survey_measures ("
                + ", ".join(saved[0])
                + ") VALUES ("
                + ", ".join(f":{k}" for k in saved[0])
                + ")"
            ),
            saved,
        )
    source = analytics_store.sync()
    store = _rows(source, "measures")
    view = _operational(db, "SELECT measure_id, role FROM analytics_measures")
    assert sorted((r[1], r[5]) for r in store) == sorted(view)


def test_erasures_reach_the_store_after_sync_and_after_rebuild(
    db: Database, factory: Factory, analytics_store: SyncedStore
) -> None:
    f = make_survey(db, factory.organisation())
    kept = submit(db, f, customer="keep")
    gone_response = submit(db, f, customer="other")
    submit(db, f, customer="erase-me")
    source = analytics_store.sync()
    erased = source.execute(source.customers).set_index("customer_id")
    with db.transaction(f.org.id) as session:
        victim = customer_service.get_customer(session, f.actor, "erase-me").id
        customer_service.do_delete_customer(session, f.actor, "erase-me")
        record_erasure(session, customer_id=victim)
        session.execute(
            text("DELETE FROM survey_responses WHERE id = :r").bindparams(
                r=gone_response if db.dialect == "postgresql" else gone_response.hex
            )
        )
        record_erasure(session, response_ids=[gone_response])
    assert str(victim) in erased.index

    def check(source: Source) -> None:
        m = source.execute(source.measures)
        assert str(victim) not in set(m.customer_id.dropna())
        assert str(gone_response) not in set(m.response_id)
        assert str(kept) in set(m.response_id)
        assert str(victim) not in set(source.execute(source.customers).customer_id)
        assert len(m) == 14  # the erased customer's answers stay, anonymous

    check(analytics_store.sync())
    assert analytics_store.last is not None and analytics_store.last.erasures_applied == 2
    rebuild(analytics_store.store, db)
    check(analytics_store.source())


def test_rebuild_equals_incremental_sync(
    db: Database, factory: Factory, analytics_store: SyncedStore
) -> None:
    f = make_survey(db, factory.organisation())
    for i in range(6):
        submit(db, f, customer=f"c-{i % 3}", nps=i, experienced=1 + i % 5)
        analytics_store.sync()
    incremental = {t: _rows(analytics_store.source(), t) for t in TABLES}
    fresh = AnalyticsStore(":memory:")
    try:
        sync(fresh, db, chunk_ids=4)  # many small chunks: no id split between them
        rebuilt = {t: _rows(fresh.source(), t) for t in TABLES}
    finally:
        fresh.close()
    assert rebuilt == incremental
    assert len(incremental["measures"]) == 6 * 7


def test_rebuild_reports_progress(db: Database, factory: Factory) -> None:
    f = make_survey(db, factory.organisation())
    for _ in range(3):
        submit(db, f)
    seen: list[tuple[str, int, int | None]] = []
    store = AnalyticsStore(":memory:")
    try:
        rebuild(store, db, progress=lambda *p: seen.append(p))
        assert store.status()["rows"]["measures"] == 21  # type: ignore[index]
    finally:
        store.close()
    measures = [(done, total) for phase, done, total in seen if phase == "measures"]
    assert measures[0] == (0, 15) and measures[-1] == (15, 15)
    assert any(phase == "dimensions" for phase, _, _ in seen)


def test_a_store_of_another_database_is_rebuilt(
    db: Database, factory: Factory, analytics_store: SyncedStore
) -> None:
    f = make_survey(db, factory.organisation())
    submit(db, f)
    submit(db, f)
    analytics_store.sync()
    with db.engine.begin() as conn:  # as if the database were reset and seeded afresh
        conn.execute(text("DELETE FROM organisations"))
    g = make_survey(db, factory.organisation())
    submit(db, g)
    source = analytics_store.sync()
    assert set(source.execute(source.measures).organisation_id) == {str(g.org.id)}


def _rollup_agrees(source: Source, org: str) -> int:
    """The rollup's answers equal those of single measures; the responses counted."""
    from dataclasses import replace

    from kohtaamo.analytics.query import Spec, cells

    spec = Spec(("nps", "csat", "expectation_gap", "responses"), ("touchpoint", "segment"))
    rolled, plain = cells(source, org, spec), cells(replace(source, rollup=None), org, spec)
    assert rolled == plain
    assert source.rollup is not None
    daily = source.execute(source.rollup["measures_daily"])
    assert int(daily.n.sum()) == len(source.execute(source.measures))
    return sum(c.values["responses"].n for c in rolled)


def test_the_rollup_follows_new_measures_and_erasures(
    db: Database, factory: Factory, analytics_store: SyncedStore
) -> None:
    f = make_survey(db, factory.organisation())
    org = str(f.org.id)
    submit(db, f, customer="keep", nps=9)
    gone = submit(db, f, customer="other", nps=2)
    assert _rollup_agrees(analytics_store.sync(), org) == 2
    submit(db, f, customer="erase-me", nps=10)
    assert _rollup_agrees(analytics_store.sync(), org) == 3
    with db.transaction(f.org.id) as session:
        victim = customer_service.get_customer(session, f.actor, "erase-me").id
        customer_service.do_delete_customer(session, f.actor, "erase-me")
        record_erasure(session, customer_id=victim)
        session.execute(
            text("DELETE FROM survey_responses WHERE id = :r").bindparams(
                r=gone if db.dialect == "postgresql" else gone.hex
            )
        )
        record_erasure(session, response_ids=[gone])
    source = analytics_store.sync()
    assert _rollup_agrees(source, org) == 2
    assert source.rollup is not None
    segments = set(source.execute(source.rollup["responses_daily"]).segment)
    assert None in segments or any(pd.isna(s) for s in segments)  # the erased one's
