"""Standard event logs: XES/CSV export, import, and agreement with pm4py."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kohtaamo.journeys import eventlog, imports
from kohtaamo.journeys import paths as engine
from kohtaamo.journeys.ingest import do_store_events
from kohtaamo.journeys.models import InteractionEvent, Touchpoint
from kohtaamo.journeys.pathstore import to_micros
from kohtaamo.storage.db import Database
from tests.factories import Factory
from tests.journeys.helpers import TOUCHPOINTS, Catalogue, seed

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def cat(db: Database, factory: Factory) -> Catalogue:
    catalogue = seed(db, factory.organisation())
    rng = random.Random(7)
    events = []
    for c in range(60):
        t = T0 + timedelta(minutes=rng.randrange(5000))
        for n in range(rng.randint(1, 6)):
            t += timedelta(minutes=rng.choice([0, 5, 30]))  # 0: ties keep arrival order
            events.append(
                {
                    "id": f"{c}-{n}",
                    "customer": f"asiakas <{c}> & co",
                    "touchpoint": rng.choice(TOUCHPOINTS),
                    "occurred_at": t,
                }
            )
    rng.shuffle(events)
    with db.transaction(catalogue.org.id) as session:
        do_store_events(session, catalogue.actor, events)
    return catalogue


def log_from(events: list[tuple[str, str, datetime]]) -> engine.EventLog:
    cases: dict[str, int] = {}
    acts: dict[str, int] = {}
    return engine.EventLog.from_rows(
        [cases.setdefault(c, len(cases)) for c, _, _ in events],
        [acts.setdefault(a, len(acts)) for _, a, _ in events],
        [to_micros(t) for _, _, t in events],
        list(cases),
        list(acts),
    )


def db_log(db: Database, cat: Catalogue) -> engine.EventLog:
    """Kohtaamo's own events, in arrival order, as the path engine sees them."""
    with db.transaction(cat.org.id, readonly=True) as session:
        rows = session.execute(
            select(InteractionEvent.customer_id, Touchpoint.key, InteractionEvent.occurred_at)
            .join(Touchpoint, Touchpoint.id == InteractionEvent.touchpoint_id)
            .order_by(InteractionEvent.id)
        ).all()
    return log_from([(c.hex, k, t) for c, k, t in rows])


def variant_counts(log: engine.EventLog) -> Counter[tuple[str, ...]]:
    found = engine.variants(log)
    return Counter({v.activities: v.count for v in found.top(len(found))})


def export(db: Database, cat: Catalogue, fmt: imports.ExportFormat, path: Path) -> Path:
    with db.transaction(cat.org.id, readonly=True) as session:
        path.write_text("".join(imports.export_event_log(session, cat.actor, fmt)), "utf-8")
    return path


@pytest.mark.parametrize("fmt", ["xes", "csv"])
def test_export_reads_back_to_the_same_paths(
    tmp_path: Path, db: Database, cat: Catalogue, fmt: imports.ExportFormat
) -> None:
    path = export(db, cat, fmt, tmp_path / f"log.{fmt}")
    read = list(eventlog.read_event_log(path))
    assert len(read) == len(db_log(db, cat))
    assert variant_counts(log_from(read)) == variant_counts(db_log(db, cat))


def test_xes_round_trip_into_another_organisation(
    tmp_path: Path, db: Database, cat: Catalogue, factory: Factory
) -> None:
    path = export(db, cat, "xes", tmp_path / "log.xes")
    other = seed(db, factory.organisation())
    report = imports.import_event_log(db, other.actor, path)
    assert report.stored == len(db_log(db, cat)) and report.rejected == 0
    assert variant_counts(db_log(db, other)) == variant_counts(db_log(db, cat))
    again = imports.import_event_log(db, other.actor, path)
    assert (again.stored, again.duplicates) == (0, report.stored)


def test_unknown_activities_rejected_or_created(
    tmp_path: Path, db: Database, cat: Catalogue
) -> None:
    path = tmp_path / "other.csv"
    path.write_text(
        "case_id,activity,timestamp\n"
        "k1,website,2026-01-01T10:00:00Z\n"
        "k1,Pay Invoice,2026-01-01T11:00:00Z\n"
    )
    report = imports.import_event_log(db, cat.actor, path)
    assert (report.stored, report.rejected) == (1, 1)
    assert "pay_invoice" in report.problems[0].params["key"]
    report = imports.import_event_log(db, cat.actor, path, create_touchpoints=True)
    assert (report.stored, report.duplicates) == (1, 1)
    with db.transaction(cat.org.id, readonly=True) as session:
        created = session.scalars(select(Touchpoint).where(Touchpoint.key == "pay_invoice")).one()
        assert (created.channel, created.name_en) == ("other", "pay_invoice")


def test_pm4py_reads_our_xes_with_the_same_variants_and_dfg(
    tmp_path: Path, db: Database, cat: Catalogue
) -> None:
    pm4py = pytest.importorskip("pm4py")
    path = export(db, cat, "xes", tmp_path / "log.xes")
    ours = db_log(db, cat)

    frame = pm4py.read_xes(str(path))
    theirs = pm4py.get_variants(frame)
    assert {tuple(k): int(v) for k, v in theirs.items()} == dict(variant_counts(ours))
    dfg, starts, ends = pm4py.discover_dfg(frame)
    assert dict(dfg) == {(e.source, e.target): e.count for e in engine.dfg(ours)}
    our_starts, our_ends = engine.start_end(ours)
    assert (dict(starts), dict(ends)) == (our_starts, our_ends)


def test_not_xml_and_xml_attacks_are_clear_errors(tmp_path: Path) -> None:
    cases = {
        "plain.xes": "case,activity\n1,a\n",
        "bomb.xes": '<?xml version="1.0"?><!DOCTYPE log [<!ENTITY a "aaaa">'
        '<!ENTITY b "&a;&a;&a;&a;">]><log>&b;</log>',
        "xxe.xes": '<?xml version="1.0"?><!DOCTYPE log [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<log>&x;</log>",
        "other.xes": "<html><body/></html>",
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(eventlog.EventLogError):
            list(eventlog.read_event_log(path))


def test_csv_log_reader_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "case:concept:name;concept:name;time:timestamp\nc;a;2026-01-01T00:00:00\nc;b;huomenna\n"
    )
    reader = eventlog.read_event_log(path)
    assert next(reader) == ("c", "a", datetime(2026, 1, 1, tzinfo=UTC))  # naive = UTC
    with pytest.raises(eventlog.EventLogError, match="Line 3"):
        next(reader)


def test_export_api_streams_and_filters(
    client: TestClient, factory: Factory, db: Database, cat: Catalogue
) -> None:
    auth = {"authorization": f"Bearer {factory.api_key(cat.org)}"}
    whole = client.get("/api/v1/events/export", params={"format": "csv"}, headers=auth)
    assert whole.status_code == 200 and whole.headers["content-type"].startswith("text/csv")
    assert len(whole.text.strip().splitlines()) == len(db_log(db, cat)) + 1
    later = client.get(
        "/api/v1/events/export",
        params={"format": "xes", "from": (T0 + timedelta(days=2)).isoformat()},
        headers=auth,
    )
    assert later.status_code == 200 and "<log" in later.text
    assert later.text.count("<event>") < len(db_log(db, cat))
    # The journey has no touchpoints placed: nothing to export, but a valid log.
    on_journey = client.get(
        "/api/v1/events/export", params={"journey": str(cat.journey_id)}, headers=auth
    )
    assert on_journey.status_code == 200 and on_journey.text.count("<event>") == 0
