"""The DuckDB store: tables of the contract, one source per thread, one writer."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from kohtaamo.analytics.schema import TABLES
from kohtaamo.analytics.store import AnalyticsStore, close_store, get_store, store_path
from kohtaamo.config import Settings


def test_a_new_store_has_the_contract_tables(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "a.duckdb")
    try:
        source = store.source()
        for table, columns in TABLES.items():
            assert getattr(source, table).columns == tuple(name for name, _ in columns)
        assert store.status()["rows"] == {t: 0 for t in TABLES}
    finally:
        store.close()


def test_each_thread_reads_through_its_own_cursor() -> None:
    store = AnalyticsStore()
    try:
        with store.cursor() as cur:
            cur.execute(
                "INSERT INTO surveys SELECT 'o', 's' || i, 'k', 'n', 'touchpoint' "
                "FROM range(1000) t(i)"
            )
        counts: list[int] = []
        errors: list[BaseException] = []

        def read() -> None:
            try:
                source = store.source()
                assert source is store.source()  # cached for this thread
                for _ in range(3):
                    counts.append(int(source.execute(source.surveys.count())))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=read) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [] and counts == [1000] * 24
    finally:
        store.close()


def test_a_second_process_is_told_the_store_is_busy(tmp_path: Path) -> None:
    path = tmp_path / "busy.duckdb"
    store = AnalyticsStore(path)
    try:
        probe = (
            "import sys\n"
            "from kohtaamo.analytics.store import AnalyticsStore, StoreBusy\n"
            "try:\n"
            f"    AnalyticsStore({str(path)!r})\n"
            "except StoreBusy as e:\n"
            "    print(e); sys.exit(3)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 3, done.stderr
        assert "open in another process" in done.stdout
    finally:
        store.close()
    # Closed: now the other process may have it.
    assert AnalyticsStore(path).status()["rows"]["measures"] == 0  # type: ignore[index]


def test_the_store_path_follows_the_settings(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    base = {"database_url": f"sqlite:///{db}", "mode": "development"}
    assert store_path(Settings(**base)) == str(tmp_path / "k-analytics.duckdb")  # type: ignore[arg-type]
    assert store_path(Settings(**base | {"analytics_path": "/x/y.duckdb"})) == "/x/y.duckdb"  # type: ignore[arg-type]
    pg = {"database_url": "postgresql+psycopg://u@h/d", "mode": "development"}
    assert store_path(Settings(**pg)) == "./kohtaamo-analytics.duckdb"  # type: ignore[arg-type]
    assert store_path(Settings(**pg | {"mode": "test"})) == ":memory:"  # type: ignore[arg-type]


def test_the_process_wide_store_is_shared_until_closed(tmp_path: Path) -> None:
    settings = Settings(mode="test", analytics_path=str(tmp_path / "p.duckdb"))
    store = get_store(settings)
    assert get_store(settings) is store
    close_store(settings)
    with pytest.raises(RuntimeError):
        store.source()
    again = get_store(settings)
    assert again is not store
    close_store(settings)


def test_reset_empties_every_table() -> None:
    store = AnalyticsStore()
    try:
        with store.cursor() as cur:
            cur.execute("INSERT INTO surveys VALUES ('o', 's', 'k', 'n', 'touchpoint')")
            store.set_state(cur, "measures_watermark", "7")
        before = store.source()
        store.reset()
        assert store.status()["rows"]["surveys"] == 0  # type: ignore[index]
        assert store.get_state("measures_watermark") is None
        assert store.source() is not before
    finally:
        store.close()


def test_compiled_sql_is_kept_per_question() -> None:
    store = AnalyticsStore(":memory:")
    try:
        source = store.source()
        m = source.measures

        def question(org: str) -> Any:
            return m.filter(m.organisation_id == org).value.sum()

        first = source.con.compile(question("org-a"))
        # Built again, equal in structure: the kept SQL; another organisation: its own.
        assert source.con.compile(question("org-a")) is first
        other = source.con.compile(question("org-b"))
        assert other != first and "org-b" in other and "org-a" not in other
        with store.cursor() as cur:
            cur.execute(
                "INSERT INTO measures (organisation_id, measure_id, role, value) VALUES "
                "('org-a', 1, 'nps', 7), ('org-b', 2, 'nps', 3)"
            )
        assert source.execute(question("org-a")) == 7
        assert source.execute(question("org-b")) == 3
    finally:
        store.close()


def test_a_store_without_rollups_gets_them_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    store = AnalyticsStore(path)
    with store.cursor() as cur:
        cur.execute(
            "INSERT INTO measures (organisation_id, measure_id, response_id, role, value, "
            "scale_max, answered_at) VALUES ('org-a', 1, 'r1', 'nps', 9, 10, "
            "TIMESTAMP '2026-01-02 10:00'), ('org-a', 2, 'r1', 'csat', 5, 5, "
            "TIMESTAMP '2026-01-02 10:00')"
        )
        cur.execute("DROP TABLE measures_daily")  # as a file written before rollups
        cur.execute("DELETE FROM responses_daily")
    store.close()
    store = AnalyticsStore(path)
    try:
        with store.cursor() as cur:
            daily = cur.execute("SELECT role, n, prom, top2 FROM measures_daily ORDER BY role")
            assert daily.fetchall() == [("csat", 1, 0, 1), ("nps", 1, 1, 1)]
            assert cur.execute("SELECT responses FROM responses_daily").fetchall() == [(1,)]
    finally:
        store.close()
