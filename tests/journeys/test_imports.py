"""CSV imports of events and customers: delimiters, encodings, bad lines, missing columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from kohtaamo.cli.main import app as cli
from kohtaamo.errors import InvalidInput
from kohtaamo.journeys import imports
from kohtaamo.journeys.models import Customer, InteractionEvent
from kohtaamo.storage.db import Database
from tests.factories import Factory
from tests.journeys.helpers import Catalogue, seed

HEADER = "event_id;customer_id;touchpoint;timestamp;order_value"
ROWS = [
    "e1;asiakas-ä;website;2026-01-05T10:00:00+02:00;",
    "e2;asiakas-ä;checkout;2026-01-05T10:05:00+02:00;49,90",  # decimal comma: rejected
    "e3;asiakas-ö;nope;2026-01-05T10:06:00+02:00;",
    "e4;asiakas-ö;ticket;5.1.2026 10:07;",
    "e5;asiakas-ö;ticket;2026-01-05T10:08:00Z;12.5",
]


@pytest.fixture
def cat(db: Database, factory: Factory) -> Catalogue:
    return seed(db, factory.organisation())


def write(tmp_path: Path, text: str, encoding: str, name: str = "events.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def stored(db: Database, cat: Catalogue) -> list[str]:
    with db.transaction(cat.org.id, readonly=True) as session:
        return sorted(session.scalars(select(InteractionEvent.event_key)))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1"])
def test_semicolons_in_any_encoding_keep_the_valid_rows(
    tmp_path: Path, db: Database, cat: Catalogue, encoding: str
) -> None:
    path = write(tmp_path, "\r\n".join([HEADER, *ROWS]) + "\r\n", encoding)

    report = imports.import_events_csv(db, cat.actor, path)

    assert (report.rows, report.stored, report.rejected) == (5, 2, 3)
    assert {(p.line, p.field) for p in report.problems} == {
        (3, "order_value"),
        (4, "touchpoint"),
        (5, "occurred_at"),
    }
    assert stored(db, cat) == ["e1", "e5"]
    with db.transaction(cat.org.id, readonly=True) as session:
        names = set(session.scalars(select(Customer.external_id)))
    assert names == {"asiakas-ä", "asiakas-ö"}  # the encoding was read right


def test_import_twice_stores_once(tmp_path: Path, db: Database, cat: Catalogue) -> None:
    path = write(tmp_path, "\n".join([HEADER, ROWS[0], ROWS[4]]), "utf-8")
    imports.import_events_csv(db, cat.actor, path)
    again = imports.import_events_csv(db, cat.actor, path)
    assert (again.stored, again.duplicates) == (0, 2)
    assert stored(db, cat) == ["e1", "e5"]


def test_a_short_row_is_named_and_skipped(tmp_path: Path, db: Database, cat: Catalogue) -> None:
    path = write(tmp_path, "\n".join([HEADER, "e9;x;website", ROWS[0]]), "utf-8")
    report = imports.import_events_csv(db, cat.actor, path)
    assert [(p.line, p.field) for p in report.problems] == [(2, "row")]
    assert stored(db, cat) == ["e1"]


def test_missing_column_stops_before_importing(
    tmp_path: Path, db: Database, cat: Catalogue
) -> None:
    path = write(tmp_path, "event_id,customer_id,when\ne1,c,2026-01-01T00:00:00Z\n", "utf-8")
    with pytest.raises(InvalidInput) as err:
        imports.import_events_csv(db, cat.actor, path)
    assert err.value.params["columns"] == "touchpoint, timestamp"
    assert stored(db, cat) == []


def test_cli_reports_lines_and_exits_1_on_a_missing_column(
    tmp_path: Path, db: Database, cat: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOHTAAMO_DATABASE_URL", str(db.engine.url.render_as_string(False)))
    runner = CliRunner()
    good = write(tmp_path, "\n".join([HEADER, *ROWS]), "latin-1")
    result = runner.invoke(cli, ["events", "import", str(good), "--org", cat.org.slug])
    assert result.exit_code == 0, result.output
    assert "line 4: touchpoint: Unknown touchpoint key: nope." in result.output
    assert "2 events stored" in result.output
    assert "each batch is stored completely or not at all" in result.output

    bad = write(tmp_path, "id;who\n1;2\n", "utf-8", "bad.csv")
    result = runner.invoke(cli, ["events", "import", str(bad), "--org", cat.org.slug])
    assert result.exit_code == 1
    assert "event_id, customer_id, touchpoint, timestamp" in result.output


def test_customers_csv_upserts_typed_fields_consents_and_attributes(
    tmp_path: Path, db: Database, cat: Catalogue
) -> None:
    path = write(
        tmp_path,
        "external_id,segment,purchases,lifetime_value,customer_since,consent:email,tier\n"
        "c1,kuluttaja,3,120.5,2020-02-01,kyllä,gold\n"
        "c2,yritys,many,,,,\n"
        "c3,,,,,no,\n",
        "utf-8",
        "customers.csv",
    )
    report = imports.import_customers_csv(db, cat.actor, path)
    assert (report.stored, report.rejected) == (2, 1)
    assert [(p.line, p.field) for p in report.problems] == [(3, "purchases")]
    with db.transaction(cat.org.id, readonly=True) as session:
        c1 = session.scalars(select(Customer).where(Customer.external_id == "c1")).one()
        c3 = session.scalars(select(Customer).where(Customer.external_id == "c3")).one()
        assert (c1.segment, c1.purchases, c1.lifetime_value) == ("kuluttaja", 3, 120.5)
        assert str(c1.customer_since) == "2020-02-01"
        assert c1.consents == {"email": True} and c1.attributes == {"tier": "gold"}
        assert c3.consents == {"email": False} and c3.segment is None
