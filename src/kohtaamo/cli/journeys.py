"""``kohtaamo journeys``: path analytics straight from an event log file, no database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from kohtaamo.journeys import paths as engine
from kohtaamo.journeys.eventlog import EventLogError, read_event_log
from kohtaamo.journeys.pathstore import to_micros

app = typer.Typer(help="Journeys and path analytics.", no_args_is_help=True)

LogOption = Annotated[
    Path,
    typer.Option(
        "--log",
        exists=True,
        dir_okay=False,
        readable=True,
        help="An event log: XES (.xes) or CSV with case id, activity, timestamp.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _load(path: Path) -> engine.EventLog:
    cases: dict[str, int] = {}
    activities: dict[str, int] = {}
    c: list[int] = []
    a: list[int] = []
    t: list[int] = []
    try:
        for case_id, activity, moment in read_event_log(path):
            c.append(cases.setdefault(case_id, len(cases)))
            a.append(activities.setdefault(activity, len(activities)))
            t.append(to_micros(moment))
    except EventLogError as exc:
        typer.secho(f"error: {exc}", err=True, fg="red")
        raise typer.Exit(1) from exc
    return engine.EventLog.from_rows(
        np.asarray(c, np.int32),
        np.asarray(a, np.int32),
        np.asarray(t, np.int64),
        list(cases),
        list(activities),
    )


def _emit(payload: dict[str, Any], as_json: bool, lines: list[str]) -> None:
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False))
    else:
        for line in lines:
            typer.echo(line)


@app.command("variants")
def variants_cmd(
    log: LogOption,
    as_json: JsonOption = False,
    top: Annotated[
        int, typer.Option(min=1, help="How many variants to list (all with --json).")
    ] = 20,
    coverage: Annotated[
        float, typer.Option(min=0.0001, max=1.0, help="Share of cases to cover.")
    ] = 0.8,
) -> None:
    """Path variants with counts and shares, most frequent first."""
    found = engine.variants(_load(log))
    listed = found.top(len(found) if as_json else top)
    counts = found.counts
    payload = {
        "cases": found.total,
        "variants_total": len(found),
        "covering": engine.covering(counts, coverage),
        "coverage": coverage,
        "variants": [
            {"activities": list(v.activities), "count": v.count, "share": v.share} for v in listed
        ],
    }
    lines = [
        f"{found.total} cases, {len(found)} variants; {payload['covering']} cover {coverage:.0%}"
    ]
    lines += [f"{v.count:>8}  {v.share:6.1%}  {' > '.join(v.activities)}" for v in listed]
    _emit(payload, as_json, lines)


@app.command("dfg")
def dfg_cmd(log: LogOption, as_json: JsonOption = False) -> None:
    """The directly-follows graph: edge counts and transition times, start and end activities."""
    event_log = _load(log)
    edges = engine.dfg(event_log)
    starts, ends = engine.start_end(event_log)
    payload = {
        "edges": [
            {
                "source": e.source,
                "target": e.target,
                "count": e.count,
                "median_seconds": e.median_s,
                "p90_seconds": e.p90_s,
                "mean_seconds": e.mean_s,
            }
            for e in edges
        ],
        "start_activities": starts,
        "end_activities": ends,
    }
    lines = [f"{e.count:>8}  {e.source} -> {e.target}  (median {e.median_s:.0f} s)" for e in edges]
    _emit(payload, as_json, lines)
