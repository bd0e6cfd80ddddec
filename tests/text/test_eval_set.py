"""The sentiment evaluation set (tests/text/data/eval_*.tsv, described in EVAL.md):
well-formed, large and balanced enough, free of personal data; the metric the
benchmark reports; and a guard that the analyser keeps issue #6's targets on it."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "text" / "data"
MINIMUM = {"fi": 300, "en": 300, "sv": 50}
LABELS = {"positive", "negative"}


def _bench() -> ModuleType:
    """bench/text_eval.py, loaded by path: the guard must compute exactly the figures
    the benchmark reports, and bench/ is not a package."""
    name = "bench_text_eval"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "text_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses resolve their module through sys.modules
    spec.loader.exec_module(module)
    return module


def _raw(lang: str) -> list[list[str]]:
    with (DATA / f"eval_{lang}.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def _normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


@pytest.mark.parametrize("lang", sorted(MINIMUM))
def test_file_is_well_formed_tsv(lang: str) -> None:
    rows = _raw(lang)
    assert rows[0] == ["id", "text", "label", "touchpoint"]
    for number, fields in enumerate(rows[1:], start=2):
        assert len(fields) == 4, f"line {number}: {fields}"
        assert all(field.strip() == field and field for field in fields), f"line {number}"
        assert not any(unicodedata.category(ch).startswith("C") for ch in fields[1]), number
        assert re.fullmatch(r"[a-z_]+", fields[3]), f"line {number}: touchpoint {fields[3]!r}"
    # the benchmark's loader reads the same rows
    assert [r.id for r in _bench().load(lang)] == [fields[0] for fields in rows[1:]]


@pytest.mark.parametrize("lang", sorted(MINIMUM))
def test_size_labels_ids_and_balance(lang: str) -> None:
    rows = _bench().load(lang)
    assert len(rows) >= MINIMUM[lang]
    assert {row.label for row in rows} <= LABELS
    ids = [row.id for row in rows]
    assert len(set(ids)) == len(ids), [i for i, n in Counter(ids).items() if n > 1]
    assert all(re.fullmatch(rf"{lang}-\d{{4}}", i) for i in ids)
    share = sum(row.label == "positive" for row in rows) / len(rows)
    assert 0.40 <= share <= 0.60, f"{lang}: {share:.1%} positive"
    # enough distinct situations that one touchpoint cannot dominate the figures
    touchpoints = Counter(row.touchpoint for row in rows)
    assert len(touchpoints) >= 10 and max(touchpoints.values()) <= 0.25 * len(rows)


def test_no_text_appears_twice_in_any_file() -> None:
    seen: dict[str, str] = {}
    for lang in sorted(MINIMUM):
        for row in _bench().load(lang):
            key = _normalised(row.text)
            assert key not in seen, f"{row.id} repeats {seen[key]}: {row.text}"
            seen[key] = row.id


# Deliberately broader than the analyser's redaction rules (no checksums): the set must
# not contain anything that even looks like contact details or an identifier.
PERSONAL = {
    "e-mail": re.compile(r"[\w.+-]+@[\w-]+\.\w+"),
    "phone": re.compile(r"(?:\+|\b00|\b0)\d[\d ()-]{5,}\d"),
    "long number": re.compile(r"\d(?:[ -]?\d){6,}"),
    "hetu": re.compile(r"\b\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]\b"),
    "iban": re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b"),
    "web address": re.compile(r"https?://|www\.", re.IGNORECASE),
}


@pytest.mark.parametrize("lang", sorted(MINIMUM))
def test_no_personal_data(lang: str) -> None:
    for row in _bench().load(lang):
        for kind, pattern in PERSONAL.items():
            assert not pattern.search(row.text), f"{row.id} looks like it holds a {kind}"


@pytest.mark.parametrize(
    "text", ["Mail me at matti.meikalainen@example.fi", "soita 040 123 4567", "131052-308T"]
)
def test_personal_data_patterns_catch_realistic_identifiers(text: str) -> None:
    assert any(pattern.search(text) for pattern in PERSONAL.values())


def test_macro_f1_and_accuracy_match_hand_computed_values() -> None:
    bench = _bench()
    gold = ["positive"] * 4 + ["negative"] * 4
    predicted = ["positive", "positive", "positive", "neutral"]
    predicted += ["negative", "negative", "positive", "mixed"]
    # positive: tp 3, fp 1, fn 1 -> F1 6/8; negative: tp 2, fp 0, fn 2 -> F1 4/6
    assert bench.accuracy(gold, predicted) == pytest.approx(5 / 8)
    assert bench.macro_f1(gold, predicted) == pytest.approx((6 / 8 + 4 / 6) / 2)
    assert bench.macro_f1(gold, gold) == 1.0
    assert bench.macro_f1(gold, ["positive"] * 8) == pytest.approx((2 * 4 / (2 * 4 + 4)) / 2)


def test_sign_rule_decides_neutral_and_mixed_by_score_only() -> None:
    bench = _bench()
    row = bench.Row("fi-0001", "x", "positive", "general")
    assert bench.Prediction(row, "mixed", 0.3, "fi").decided("sign") == "positive"
    assert bench.Prediction(row, "neutral", -0.1, "fi").decided("sign") == "negative"
    assert bench.Prediction(row, "neutral", 0.0, "fi").decided("sign") == "neutral"
    assert bench.Prediction(row, "mixed", 0.3, "fi").decided("label") == "mixed"
    # a decided label is never overridden by its score
    assert bench.Prediction(row, "negative", 0.3, "fi").decided("sign") == "negative"


# The lead decides whether a language below target blocks the issue; until then the
# guard records it as a known failure, and strict=True turns reaching the target into a
# failure too, so the mark cannot outlive the problem.
# (English was here until 2026-11-23 at 0.799; it reached 0.838 with the lexicon,
# negation-scope, hedge and idiom work tuned on dev2_en.tsv: see bench/RESULTS.md.)
BELOW_TARGET: dict[str, str] = {}


@pytest.mark.parametrize(
    "lang",
    [
        pytest.param(lang, marks=[pytest.mark.xfail(strict=True, reason=BELOW_TARGET[lang])])
        if lang in BELOW_TARGET
        else lang
        for lang in ("fi", "en")
    ],
)
def test_analyser_meets_the_issue_target(lang: str) -> None:
    from kohtaamo.text.analyze import analyze

    bench = _bench()
    figures = bench.evaluate(bench.predict(bench.load(lang), lang, analyze), "label")
    assert figures["macro_f1"] >= bench.TARGETS[lang], figures
