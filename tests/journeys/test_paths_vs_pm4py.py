"""The path engine agrees with pm4py, the reference implementation of process mining."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from kohtaamo.journeys.paths import EventLog, case_durations, dfg, start_end, variants

pm4py = pytest.importorskip("pm4py")

ACTS = ["advert", "website", "checkout", "payment", "ticket", "entry", "support", "invoice"]


def random_log(seed: int, cases: int = 400) -> pd.DataFrame:
    rng = random.Random(seed)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for c in range(cases):
        t = t0 + timedelta(minutes=rng.randrange(10_000))
        for _ in range(rng.randint(1, 7)):
            # Coarse steps so that equal timestamps (ties) happen often.
            t += timedelta(minutes=rng.choice([0, 0, 5, 30, 600]))
            rows.append((f"c{c}", rng.choice(ACTS), t))
    rng.shuffle(rows)  # arrival order differs from time order
    return pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"])


def to_eventlog(df: pd.DataFrame) -> EventLog:
    case_ids = sorted(df["case:concept:name"].unique())
    case_index = {c: i for i, c in enumerate(case_ids)}
    act_index = {a: i for i, a in enumerate(ACTS)}
    ts = df["time:timestamp"].dt.as_unit("us").astype("int64").to_numpy()
    return EventLog.from_rows(
        [case_index[c] for c in df["case:concept:name"]],
        [act_index[a] for a in df["concept:name"]],
        ts,
        case_ids,
        ACTS,
    )


def pm4py_frame(df: pd.DataFrame) -> pd.DataFrame:
    # pm4py sorts by case and timestamp keeping the row order for ties, like Kohtaamo.
    return pm4py.format_dataframe(
        df.reset_index(drop=True),
        case_id="case:concept:name",
        activity_key="concept:name",
        timestamp_key="time:timestamp",
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_variants_match_pm4py(seed: int) -> None:
    df = random_log(seed)
    found = variants(to_eventlog(df))
    ours = {v.activities: v.count for v in found.top(len(found))}
    theirs = pm4py.get_variants(pm4py_frame(df))
    assert ours == {tuple(k): int(v) for k, v in theirs.items()}


@pytest.mark.parametrize("seed", [4, 5])
def test_dfg_and_start_end_match_pm4py(seed: int) -> None:
    df = random_log(seed)
    log = to_eventlog(df)
    frame = pm4py_frame(df)
    graph, starts, ends = pm4py.discover_dfg(frame)
    assert {(e.source, e.target): e.count for e in dfg(log)} == dict(graph)
    ours_start, ours_end = start_end(log)
    assert ours_start == dict(starts)
    assert ours_end == dict(ends)


def test_transition_times_match_pm4py_performance_dfg() -> None:
    df = random_log(6)
    perf, _, _ = pm4py.discover_performance_dfg(pm4py_frame(df))
    for edge in dfg(to_eventlog(df)):
        expected = perf[(edge.source, edge.target)]
        assert edge.median_s == pytest.approx(expected["median"])
        assert edge.mean_s == pytest.approx(expected["mean"])


def test_case_durations_match_pm4py() -> None:
    df = random_log(7)
    durations = pm4py.get_all_case_durations(pm4py_frame(df))
    ours = case_durations(to_eventlog(df))
    assert ours.cases == len(durations)
    assert ours.median_s == pytest.approx(float(np.median(durations)))
