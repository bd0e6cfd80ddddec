"""Benchmark: path analytics on the demo generator's customers, side by side with pm4py.

Measures, warm (the organisation's paths already in memory, as in a running server),
the time for path variants with counts + the directly-follows graph + the consumer
journey's 6-step funnel, and pm4py 2.7's time for variants + directly-follows graph on
the very same log. Checks that both give the same variants and graph.

    .venv/bin/python bench/journeys.py [--customers 1000000] [--repeat 5]

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from typing import Any

import numpy as np

from kohtaamo.demo.paths_sim import JOURNEYS, simulate, touchpoint_keys
from kohtaamo.journeys import paths as engine
from kohtaamo.journeys.pathstore import OrgPaths


def build_store(customers: int, seed: int) -> tuple[OrgPaths, float, int]:
    started = time.perf_counter()
    paths = OrgPaths()
    keys = touchpoint_keys()
    for key in keys:
        paths.activity_of(key)
    paths.case_ids.extend(f"c{i}" for i in range(customers))
    events = 0
    for chunk in simulate(customers, seed):
        paths.add_arrays(
            chunk.customer.astype(np.int32), chunk.touchpoint, chunk.ts_us, chunk.order_value
        )
        events += chunk.customer.size
    return paths, time.perf_counter() - started, events


def kohtaamo_round(paths: OrgPaths, steps: list[list[int]]) -> tuple[float, float, Any]:
    log = paths.log()
    t0 = time.perf_counter()
    found = engine.variants(log)
    top = found.top(20)
    edges = engine.dfg(log)
    t1 = time.perf_counter()
    funnel = engine.funnel(log, steps)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t0, (found, top, edges, funnel)


def pm4py_round(
    paths: OrgPaths,
) -> tuple[float, dict[tuple[str, ...], int], dict[tuple[str, str], int]]:
    import pandas as pd
    import pm4py

    log = paths.log()
    frame = pd.DataFrame(
        {
            "case:concept:name": np.asarray(paths.case_ids, dtype=object)[log.case],
            "concept:name": np.asarray(paths.activities, dtype=object)[log.activity],
            "time:timestamp": pd.to_datetime(log.ts, unit="us", utc=True),
        }
    )
    frame = pm4py.format_dataframe(
        frame,
        case_id="case:concept:name",
        activity_key="concept:name",
        timestamp_key="time:timestamp",
    )
    t0 = time.perf_counter()
    variants = pm4py.get_variants(frame)
    graph, _, _ = pm4py.discover_dfg(frame)
    elapsed = time.perf_counter() - t0
    return elapsed, {tuple(k): int(v) for k, v in variants.items()}, dict(graph)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-pm4py", action="store_true", help="skip the side-by-side run")
    args = parser.parse_args()

    paths, build_s, events = build_store(args.customers, args.seed)
    print(
        f"generated {args.customers:,} customers, {events:,} events in {build_s:.1f} s",
        file=sys.stderr,
    )
    consumer = JOURNEYS[0]
    steps = [[paths.activities.index(k) for k in stage[3]] for stage in consumer.stages]

    t = time.perf_counter()
    kohtaamo_round(paths, steps)  # warm-up: merges the arrivals, derives per-customer paths
    warmup_s = time.perf_counter() - t
    vd_runs, all_runs = [], []
    result: Any = None
    for _ in range(args.repeat):
        vd, total, result = kohtaamo_round(paths, steps)
        vd_runs.append(vd)
        all_runs.append(total)
    found, top, edges, funnel = result
    ours_vd = statistics.median(vd_runs)
    ours_all = statistics.median(all_runs)
    print(f"kohtaamo warm-up (first question after load): {warmup_s:.3f} s", file=sys.stderr)
    print(
        f"kohtaamo variants+graph: {ours_vd:.3f} s; +6-step funnel: {ours_all:.3f} s "
        f"(median of {args.repeat}); {len(found):,} variants, {len(edges)} edges",
        file=sys.stderr,
    )
    for v in top[:5]:
        print(f"  {v.count:>8} {v.share:6.1%}  {' > '.join(v.activities)}", file=sys.stderr)
    print("  funnel: " + " > ".join(str(s.reached) for s in funnel), file=sys.stderr)

    figures: dict[str, Any] = {
        "benchmark": "journeys.path_analytics",
        "customers": args.customers,
        "events": events,
        "variants": len(found),
        "edges": len(edges),
        "kohtaamo_variants_dfg_s": round(ours_vd, 4),
        "kohtaamo_variants_dfg_funnel_s": round(ours_all, 4),
        "kohtaamo_warmup_s": round(warmup_s, 3),
        "target_s": 1.5,
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.node()}",
    }
    if not args.no_pm4py:
        pm_s, pm_variants, pm_graph = pm4py_round(paths)
        same_variants = pm_variants == {v.activities: v.count for v in found.top(len(found))}
        same_graph = pm_graph == {(e.source, e.target): e.count for e in edges}
        ratio = pm_s / ours_vd
        print(
            f"pm4py variants+graph: {pm_s:.2f} s -> Kohtaamo is {ratio:.1f}x faster "
            f"(same variants: {same_variants}, same graph: {same_graph})",
            file=sys.stderr,
        )
        figures.update(
            pm4py_variants_dfg_s=round(pm_s, 3),
            ratio_vs_pm4py=round(ratio, 1),
            same_variants=same_variants,
            same_graph=same_graph,
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
