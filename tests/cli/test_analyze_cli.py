"""``kohtaamo analyze``: statistics on CSV files, no database."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kohtaamo.cli.main import app
from kohtaamo.metrics import gaps, stats

SWISS = Path(__file__).parent.parent / "metrics" / "data" / "swiss.csv"
SWISS_DRIVERS = "Agriculture,Examination,Education,Catholic,Infant.Mortality"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["analyze", *args])
    return result.exit_code, result.output


def test_drivers_json_reproduces_relaimpo() -> None:
    code, out = _run(
        "drivers", str(SWISS), "--outcome", "Fertility", "--drivers", SWISS_DRIVERS, "--json"
    )
    assert code == 0, out
    doc = json.loads(out)
    weights = {d["name"]: d["weight"] for d in doc["drivers"]}
    assert weights["Education"] == pytest.approx(0.26013468, abs=1e-6)
    assert doc["r2"] == pytest.approx(0.7067350, abs=1e-6)
    assert doc["method"] == "lmg" and doc["exact"] is True


def test_relative_weights_table(tmp_path: Path) -> None:
    code, out = _run(
        "drivers", str(SWISS), "--outcome", "Fertility", "--drivers", SWISS_DRIVERS,
        "--method", "relative-weights",
    )  # fmt: skip
    assert code == 0, out
    assert out.splitlines()[1].split()[1] == "Education"  # ranked first


def test_semicolons_decimal_commas_and_missing_cells(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    rows = ["odotus;kokemus"]
    expected, experienced = [], []
    for _ in range(60):
        e, x = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        expected.append(float(e))
        experienced.append(float(x))
        rows.append(f"{e},0;{x}")
    rows.append("3;")  # a missing experience
    path = tmp_path / "gap.csv"
    path.write_text("\n".join(rows), encoding="utf-8")
    code, out = _run("gap", str(path), "--expected", "odotus", "--experienced", "kokemus", "--json")
    assert code == 0, out
    doc = json.loads(out)
    ref = gaps.paired_gap([*expected, 3.0], [*experienced, None], low=1, high=5)
    assert doc["n"] == ref.n == 60 and doc["incomplete"] == 1
    assert doc["gap"]["mean"] == pytest.approx(ref.gap.mean)


def test_nps(tmp_path: Path) -> None:
    scores = [10, 9, 9, 8, 7, 6, 3, 10, 10, 0] * 5
    path = tmp_path / "nps.csv"
    path.write_text("id,ltr\n" + "\n".join(f"{i},{s}" for i, s in enumerate(scores)))
    code, out = _run("nps", str(path), "--column", "ltr", "--json")
    assert code == 0, out
    assert json.loads(out)["nps"] == pytest.approx(stats.nps(scores).nps)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--outcome", "Fertility", "--drivers", "Fertility,Education"], "also listed"),
        (["--outcome", "Nope"], "no column named 'Nope'"),
        (["--outcome", "Fertility"], "is not a number"),  # the province names
    ],
)
def test_drivers_bad_input(args: list[str], words: str) -> None:
    code, out = _run("drivers", str(SWISS), *args)
    assert code == 1 and words in out
