"""The same analytics on DuckDB and on Spark (local mode) give the same numbers: the
query layer is written once in ibis and must not depend on the engine.

Needs Java; in CI a missing Java fails the run (``.ci/run`` installs it), elsewhere the
test is skipped.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from kohtaamo.analytics.query import Cell, Filter, MetricValue, Spec, cells, trend
from kohtaamo.analytics.schema import TABLES
from kohtaamo.analytics.source import Source, memory_source, source_of
from tests.analytics.query_rows import ORG, OTHER, START, World, random_world

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    if os.environ.get("KOHTAAMO_TEST_DATABASE_URL"):
        # The operational database plays no part here: the SQLite pass has run it already.
        pytest.skip("engine parity does not depend on the operational database")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        if os.environ.get("CI") == "true":
            pytest.fail("Java is required in CI for the Spark parity test")
        pytest.skip("no Java: the Spark parity test runs in CI")
    from pyspark.sql import SparkSession

    # Executors run Python only if something needs it; then it must be this one.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    session = (
        SparkSession.builder.master("local[1]")
        .appName("kohtaamo-parity")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


def _spark_type(kind: str) -> Any:
    from pyspark.sql import types as T

    return {
        "VARCHAR": T.StringType(),
        "BIGINT": T.LongType(),
        "INTEGER": T.IntegerType(),
        "DOUBLE": T.DoubleType(),
        # The store keeps UTC without a zone: no session-zone conversion on the way in.
        "TIMESTAMP": T.TimestampNTZType(),
        "DATE": T.DateType(),
        "BOOLEAN": T.BooleanType(),
    }[kind]


def spark_source(spark: Any, rows: dict[str, list[dict[str, Any]]]) -> Source:
    import ibis
    from pyspark.sql import types as T

    for table, columns in TABLES.items():
        schema = T.StructType([T.StructField(name, _spark_type(kind)) for name, kind in columns])
        data = [tuple(r.get(name) for name, _ in columns) for r in rows.get(table, [])]
        spark.createDataFrame(data, schema).createOrReplaceTempView(table)
    return source_of(ibis.pyspark.connect(spark))


def _world() -> World:
    w = random_world(seed=3, n=300)
    for i in range(120):
        w.table("invitations").append(
            {
                "organisation_id": ORG if i % 4 else OTHER,
                "invitation_id": f"i{i}",
                "survey_id": "s-a" if i % 3 else "s-b",
                "sent_at": START + timedelta(days=i % 80, hours=i),
                "finished": i % 2 == 0,
            }
        )
    seen: set[str] = set()
    labels, themes = ("negative", "positive", "neutral", "mixed"), ("staff", "waiting", "price")
    for i, m in enumerate(list(w.table("measures"))):
        if m["response_id"] in seen or i % 3 == 0:
            continue  # one comment per response, and some responses without any
        seen.add(m["response_id"])
        analysis = f"a{i}"
        w.table("comments").append(
            {k: m.get(k) for k in ("organisation_id", "response_id", "survey_id", "touchpoint_id",
                                   "customer_id", "answered_at", "language", "response_channel",
                                   "segment")}
            | {"analysis_id": analysis, "sentiment": labels[i % 4], "score": (i % 7 - 3) / 3,
               "analysed_at": m["answered_at"]}
        )  # fmt: skip
        for theme in themes[: 1 + i % 3]:
            w.table("comment_themes").append(
                {"organisation_id": m["organisation_id"], "analysis_id": analysis,
                 "response_id": m["response_id"], "theme": theme,
                 "sentiment": labels[(i + len(theme)) % 4], "score": (i % 5 - 2) / 2}
            )  # fmt: skip
    return w


SPECS = [
    Spec(
        ("nps", "csat", "ces", "trust", "expectation_gap", "exceeded_share", "met_share",
         "short_share", "responses", "mean:nps"),
        ("touchpoint", "segment"),
        "month",
    ),
    Spec(("nps", "responses"), ("journey", "stage"), filters=(Filter("language", ("fi",)),)),
    Spec(("csat", "mean:gap"), ("channel", "attribute:tier", "region"), "week"),
    Spec(
        ("nps", "csat", "ces", "responses"),
        ("team",),
        start=START + timedelta(days=45),
        end=START + timedelta(days=90),
        compare=True,
    ),
    Spec(("response_rate",), ("survey",), "quarter"),
    # One query for the comment slices and measures (Spark jobs are slow to start).
    Spec(("comment_sentiment", "negative_comment_share", "nps"), ("theme", "comment_sentiment")),
]  # fmt: skip


def _same(a: MetricValue, b: MetricValue, where: str) -> None:
    assert (a.metric, a.status, a.n) == (b.metric, b.status, b.n), where
    for x, y in ((a.value, b.value), (a.low, b.low), (a.high, b.high)):
        assert (x is None) == (y is None), where
        if x is not None and y is not None:
            assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9), where
    assert (a.change is None) == (b.change is None), where
    if a.change is not None and b.change is not None:
        _same(a.change.previous, b.change.previous, where + " previous")
        for x, y in (
            (a.change.delta, b.change.delta),
            (a.change.p_value, b.change.p_value),
            (a.change.adjusted_p_value, b.change.adjusted_p_value),
        ):
            assert (x is None) == (y is None), where
            if x is not None and y is not None:
                assert math.isclose(x, y, rel_tol=1e-7, abs_tol=1e-12), where
        assert (a.change.significant, a.change.test) == (b.change.significant, b.change.test)


def _compare(duck: list[Cell], sparked: list[Cell]) -> None:
    assert [c.key for c in duck] == [c.key for c in sparked]
    for a, b in zip(duck, sparked, strict=True):
        assert list(a.values) == list(b.values)
        for slug in a.values:
            _same(a.values[slug], b.values[slug], f"{a.key} {slug}")


def test_duckdb_and_spark_give_the_same_numbers(spark: Any) -> None:
    w = _world()
    duck, sparked = memory_source(w.rows), spark_source(spark, w.rows)
    for spec in SPECS:
        found = cells(duck, ORG, spec)
        assert found, spec
        _compare(found, cells(sparked, ORG, spec))
    monthly = Spec(
        ("nps", "exceeded_share"),
        ("factor_group", "attribute:city"),
        "month",
        START,
        START + timedelta(days=90),
        compare=True,
    )
    _compare(trend(duck, ORG, monthly), trend(sparked, ORG, monthly))
    assert cells(sparked, OTHER, Spec(("nps",), ("journey",)))[0].key["journey"] in (
        "j1-other", "j2-other", None,
    )  # fmt: skip


def test_spark_reads_naive_utc_times_as_they_are(spark: Any) -> None:
    w = World()
    w.response({"nps": 10}, at=datetime(2026, 3, 8, 23, 59))  # a Sunday, late
    found = cells(spark_source(spark, w.rows), ORG, Spec(("nps",), period="week"))
    assert [c.key["period"] for c in found] == ["2026-03-02"]
