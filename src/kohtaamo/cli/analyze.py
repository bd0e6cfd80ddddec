"""``kohtaamo analyze``: the statistics on a CSV file exported from anywhere, no database.

Columns are named by their header. Empty cells are missing values; a decimal comma
(Finnish spreadsheets) is read as a decimal point. ``--json`` prints one JSON object.
"""

from __future__ import annotations

import csv
import dataclasses
import enum
import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer

from kohtaamo.metrics import drivers as drivers_mod
from kohtaamo.metrics import gaps, stats
from kohtaamo.metrics._checks import MetricInputError

app = typer.Typer(help="Statistics on a CSV file: key drivers, NPS, expectation gaps.")

FileArg = Annotated[
    Path,
    typer.Argument(
        exists=True, dir_okay=False, readable=True, help="A CSV file with a header row."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
MAX_BYTES = 512 * 1024 * 1024


class DriverMethod(enum.StrEnum):
    LMG = "lmg"
    RELATIVE_WEIGHTS = "relative-weights"


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg="red")
    return typer.Exit(1)


def _number(cell: str, column: str, line: int) -> float | None:
    cell = cell.strip()
    if not cell or cell.upper() in ("NA", "NAN", "NULL"):
        return None
    try:
        return float(cell.replace(",", ".") if cell.count(",") == 1 and "." not in cell else cell)
    except ValueError:
        raise _fail(f"line {line}, column {column!r}: {cell!r} is not a number") from None


def read_columns(path: Path, wanted: list[str]) -> dict[str, list[float | None]]:
    """The named columns of a CSV file as numbers (None for empty cells)."""
    if path.stat().st_size > MAX_BYTES:
        raise _fail(f"{path} is larger than {MAX_BYTES // 2**20} MiB")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            sample = fh.read(64 * 1024)
            fh.seek(0)
            try:
                dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            reader = csv.reader(fh, dialect)
            header = [h.strip() for h in next(reader, [])]
            missing = [c for c in wanted if c not in header]
            if missing:
                raise _fail(
                    f"no column named {', '.join(map(repr, missing))}; "
                    f"the columns are {', '.join(header)}"
                )
            index = {c: header.index(c) for c in wanted}
            out: dict[str, list[float | None]] = {c: [] for c in wanted}
            for line, row in enumerate(reader, start=2):
                if not any(cell.strip() for cell in row):
                    continue
                for c, i in index.items():
                    out[c].append(_number(row[i] if i < len(row) else "", c, line))
    except UnicodeDecodeError as exc:
        raise _fail(f"{path} is not UTF-8 text") from exc
    return out


def _header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        sample = fh.read(64 * 1024)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        fh.seek(0)
        return [h.strip() for h in next(csv.reader(fh, dialect), [])]


def _plain(value: Any) -> Any:
    """Dataclasses, enums and NaN into JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _emit(result: Any, as_json: bool, lines: list[str]) -> None:
    if as_json:
        typer.echo(json.dumps(_plain(result), ensure_ascii=False))
    else:
        for line in lines:
            typer.echo(line)


@app.command("drivers")
def drivers_command(
    file: FileArg,
    outcome: Annotated[str, typer.Option("--outcome", help="The column to explain, e.g. nps.")],
    drivers: Annotated[
        str | None,
        typer.Option("--drivers", help="Comma-separated driver columns (default: all others)."),
    ] = None,
    method: Annotated[DriverMethod, typer.Option("--method")] = DriverMethod.LMG,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Resamples for intervals (0: none).", min=0)
    ] = 0,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    as_json: JsonOption = False,
) -> None:
    """Relative importance of drivers for an outcome: LMG (Shapley R²) or relative weights."""
    names = (
        [d.strip() for d in drivers.split(",") if d.strip()]
        if drivers
        else [c for c in _header(file) if c != outcome]
    )
    columns = read_columns(file, [outcome, *[n for n in names if n != outcome]])
    try:
        result = drivers_mod.driver_analysis(
            columns,
            outcome,
            names,
            method="lmg" if method is DriverMethod.LMG else "relative_weights",
            bootstrap=bootstrap,
            seed=seed,
        )
    except MetricInputError as exc:
        raise _fail(str(exc)) from exc
    lines = [
        f"{result.method}: R² = {result.r2:.4f}, n = {result.n} ({result.dropped} rows left out"
        f" for missing values){'' if result.exact else ', sampled orders'}",
        *[
            f"{d.rank:>3}. {d.name:<30} {d.weight:.4f}  ({d.share:.1%} of R²)"
            for d in sorted(result.drivers, key=lambda d: d.rank)
        ],
    ]
    _emit(result, as_json, lines)


@app.command("nps")
def nps_command(
    file: FileArg,
    column: Annotated[str, typer.Option("--column", help="0–10 likelihood to recommend.")],
    min_n: Annotated[int, typer.Option("--min-n", min=1)] = 30,
    as_json: JsonOption = False,
) -> None:
    """Net Promoter Score with an adjusted-Wald confidence interval."""
    values = [v for v in read_columns(file, [column])[column] if v is not None]
    try:
        result = stats.nps(values, min_n=min_n)
    except MetricInputError as exc:
        raise _fail(str(exc)) from exc
    text = (
        f"NPS {result.nps:.1f} (95% {result.interval.low:.1f} … {result.interval.high:.1f}), "
        f"n = {result.n}"
        if result.nps is not None and result.interval is not None
        else f"n = {result.n}: {result.status.value}"
    )
    _emit(result, as_json, [text])


@app.command("gap")
def gap_command(
    file: FileArg,
    expected: Annotated[str, typer.Option("--expected", help="The expectation column.")],
    experienced: Annotated[str, typer.Option("--experienced", help="The experience column.")],
    low: Annotated[int, typer.Option("--low", help="Lowest scale point.")] = 1,
    high: Annotated[int, typer.Option("--high", help="Highest scale point.")] = 5,
    min_n: Annotated[int, typer.Option("--min-n", min=1)] = 30,
    as_json: JsonOption = False,
) -> None:
    """Experience − expectation per respondent: mean gap, shares exceeded/met/short, tests."""
    columns = read_columns(file, [expected, experienced])
    try:
        result = gaps.paired_gap(
            columns[expected], columns[experienced], low=low, high=high, min_n=min_n
        )
    except MetricInputError as exc:
        raise _fail(str(exc)) from exc
    _emit(result, as_json, [str(result.verdict), f"n = {result.n}, incomplete {result.incomplete}"])
