"""Benchmark: key-driver analysis over 1,000,000 respondents with 20 touchpoint drivers.

Issue #5's targets: Johnson's relative weights in at most 300 ms and exact LMG (all
2^20 = 1,048,576 subsets) in at most 3 s. The respondents are simulated with planted
effects (driver 0, "the entry queue", matters most); the run checks that both methods
rank it first and that LMG's shares sum to R². For orientation it also times the
usual way for LMG (relaimpo's: one solve of the correlation system per subset) on 16
drivers and extrapolates it to 20.

    .venv/bin/python bench/drivers.py [--respondents 1000000] [--drivers 20] [--repeat 3]

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

import numpy as np

from kohtaamo.metrics.drivers import driver_analysis

TARGET_RW_S = 0.300
TARGET_LMG_S = 3.0


def simulate(n: int, p: int, seed: int) -> dict[str, np.ndarray]:
    """1–5 experience ratings per touchpoint, correlated through a shared mood, and a
    0–10 likelihood to recommend that depends on them with decreasing weights."""
    rng = np.random.default_rng(seed)
    mood = rng.normal(size=(n, 1))
    latent = 0.6 * mood + rng.normal(size=(n, p))
    ratings = np.clip(np.rint(3 + latent), 1, 5)
    weights = np.r_[1.2, np.linspace(0.6, 0.05, p - 1)]
    ltr = np.clip(np.rint(5 + (ratings - 3) @ weights / 2 + rng.normal(size=n) * 1.5), 0, 10)
    data = {f"tp{i:02d}": ratings[:, i].copy() for i in range(p)}
    data["ltr"] = ltr
    return data


def subset_by_subset_seconds(data: dict[str, np.ndarray], p: int) -> float:
    """Seconds for the usual way (relaimpo's): one solve of the correlation system per
    subset, on ``p`` drivers; the correlations themselves are computed once, untimed."""
    x = np.column_stack([data[f"tp{i:02d}"] for i in range(p)] + [data["ltr"]])
    corr = np.corrcoef(x, rowvar=False)
    rxx, rxy = corr[:p, :p], corr[:p, p]
    started = time.perf_counter()
    for mask in range(1, 1 << p):
        cols = [i for i in range(p) if mask >> i & 1]
        r = rxy[cols]
        float(r @ np.linalg.solve(rxx[np.ix_(cols, cols)], r))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--drivers", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    data = simulate(args.respondents, args.drivers, args.seed)
    names = [f"tp{i:02d}" for i in range(args.drivers)]
    times: dict[str, list[float]] = {"relative_weights": [], "lmg": []}
    results = {}
    for method in ("relative_weights", "lmg"):
        for _ in range(args.repeat + 1):  # the first run warms caches and is not counted
            started = time.perf_counter()
            results[method] = driver_analysis(data, "ltr", names, method=method)  # type: ignore[arg-type]
            times[method].append(time.perf_counter() - started)
        times[method] = times[method][1:]
    rw_s = statistics.median(times["relative_weights"])
    lmg_s = statistics.median(times["lmg"])
    lmg = results["lmg"]
    first = {m: min(r.drivers, key=lambda d: d.rank).name for m, r in results.items()}
    small_p = min(16, args.drivers)
    naive_small = subset_by_subset_seconds(data, small_p)
    # 2^p subsets, each a little larger: extrapolating by the count alone flatters it.
    naive_20 = naive_small * 2 ** (args.drivers - small_p)
    print(f"respondents {args.respondents:,}, drivers {args.drivers}, R² {lmg.r2:.4f}")
    print(
        f"relative weights: {rw_s * 1000:.0f} ms"
        f" (target {TARGET_RW_S * 1000:.0f} ms; ratio {TARGET_RW_S / rw_s:.2f}x)"
    )
    print(
        f"exact LMG:        {lmg_s:.2f} s"
        f" (target {TARGET_LMG_S:.0f} s; ratio {TARGET_LMG_S / lmg_s:.2f}x)"
    )
    print(
        f"one solve per subset: {naive_small:.2f} s for {small_p} drivers;"
        f" ≈ {naive_20:,.1f} s for {args.drivers} ({naive_20 / lmg_s:,.1f}x the batched time)"
    )
    print(
        f"most important: {first} (planted: tp00); shares sum to R²: "
        f"{abs(sum(d.weight for d in lmg.drivers) - lmg.r2) < 1e-9}"
    )
    print(
        json.dumps(
            {
                "respondents": args.respondents,
                "drivers": args.drivers,
                "relative_weights_ms": round(rw_s * 1000, 1),
                "relative_weights_ratio_to_target": round(TARGET_RW_S / rw_s, 2),
                "lmg_exact_s": round(lmg_s, 3),
                "lmg_ratio_to_target": round(TARGET_LMG_S / lmg_s, 2),
                "subset_by_subset_extrapolated_s": round(naive_20, 1),
                "planted_driver_found": all(v == "tp00" for v in first.values()),
                "r2": round(lmg.r2, 6),
                "load_1min": round(os.getloadavg()[0], 2),
                "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            }
        )
    )


if __name__ == "__main__":
    main()
