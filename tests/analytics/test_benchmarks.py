"""Benchmarks: targets and external values (validated against the metric's range, kept
per organisation), and units compared with each other and with them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.permissions import Role
from kohtaamo.analytics.benchmarks import (
    BenchmarkIn,
    compare_units,
    do_create_benchmark,
    do_delete_benchmark,
    do_update_benchmark,
    get_benchmark,
    list_benchmarks,
)
from kohtaamo.analytics.models import BenchmarkValue
from kohtaamo.analytics.source import memory_source
from kohtaamo.errors import NotFound, PermissionDenied
from kohtaamo.metrics.compare import benjamini_hochberg, compare_nps, compare_proportions
from kohtaamo.storage.db import Database
from tests.factories import Factory

ORG = "00000000-0000-0000-0000-00000000000a"
OTHER = "00000000-0000-0000-0000-00000000000b"
WHEN = datetime(2026, 3, 1, 12)


def _in(**values: Any) -> BenchmarkIn:
    base: dict[str, Any] = {"kind": "target", "metric": "nps", "value": 30}
    return BenchmarkIn.model_validate({**base, **values})


@pytest.mark.parametrize(
    ("values", "msgid"),
    [
        ({"value": 101}, "A value of %(metric)s must be between %(low)s and %(high)s."),
        ({"metric": "csat", "value": -1}, "A value of %(metric)s must be between"),
        ({"metric": "happiness"}, "Unknown metric %(value)s."),
        ({"scope_dimension": "touchpoint"}, "Choose both the kind of unit and the unit"),
        ({"scope_dimension": "planet", "scope_value": "x"}, "Unknown dimension %(value)s."),
        ({"kind": "external"}, "Name the external benchmark"),
        (
            {"valid_from": date(2026, 2, 1), "valid_to": date(2026, 1, 1)},
            "The start must be before the end.",
        ),
    ],
)
def test_bad_benchmarks_are_refused_with_a_reason(values: dict[str, Any], msgid: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _in(**values)
    assert any(str(e["ctx"]["msgid"]).startswith(msgid) for e in caught.value.errors())


def test_values_at_the_ends_of_the_range_are_accepted() -> None:
    assert _in(value=-100).value == -100 and _in(value=100).value == 100
    assert _in(metric="exceeded_share", value=0).metric == "exceeded_share"
    scoped = _in(
        kind="external",
        label="Finnair check-in, 2025",
        scope_dimension="channel",
        scope_value="billing",
    )
    assert (scoped.scope_dimension, scoped.scope_value) == ("channel", "billing")


def test_create_update_list_delete_within_one_organisation(db: Database, factory: Factory) -> None:
    mine, theirs = factory.organisation("Oma Oy"), factory.organisation("Muu Oy")
    analyst = Actor(organisation_id=mine.id, role=Role.ANALYST)
    other = Actor(organisation_id=theirs.id, role=Role.ANALYST)
    with db.transaction(mine.id) as session:
        made = do_create_benchmark(session, analyst, _in(label="Tavoite 2026"))
        bid = made.id
    with db.transaction(theirs.id) as session:
        do_create_benchmark(session, other, _in(value=80))
    with db.transaction(mine.id) as session:
        changed = _in(kind="external", value=55.5, label="Finnair, 2025", source="raportti")
        do_update_benchmark(session, analyst, bid, changed)
    with db.transaction(mine.id, readonly=True) as session:
        rows = list_benchmarks(session, analyst)
        assert [(r.kind, r.value, r.label, r.source) for r in rows] == [
            ("external", 55.5, "Finnair, 2025", "raportti")
        ]
        assert list_benchmarks(session, analyst, metric="csat") == []
    with db.transaction(theirs.id) as session, pytest.raises(NotFound):
        get_benchmark(session, other, bid)  # another organisation's id: not found
    viewer = Actor(organisation_id=mine.id, role=Role.VIEWER)
    with db.transaction(mine.id) as session, pytest.raises(PermissionDenied):
        do_delete_benchmark(session, viewer, bid)
    with db.transaction(mine.id) as session:
        do_delete_benchmark(session, analyst, bid)
    with db.transaction(mine.id, readonly=True) as session:
        assert list_benchmarks(session, analyst) == []
    with db.transaction(theirs.id, readonly=True) as session:
        assert [r.value for r in list_benchmarks(session, other)] == [80]


def _nps_rows(org: str, tp: str, scores: list[int], start: int) -> list[dict[str, Any]]:
    return [
        {
            "organisation_id": org,
            "measure_id": start + i,
            "response_id": f"{org}-{tp}-{i}",
            "question_key": "nps",
            "role": "nps",
            "value": float(s),
            "scale_min": 0,
            "scale_max": 10,
            "touchpoint_id": tp,
            "answered_at": WHEN,
        }
        for i, s in enumerate(scores)
    ]


ENTRY = [10] * 10 + [8] * 10 + [3] * 30  # NPS −40
SHOW = [10] * 35 + [8] * 10 + [5] * 5  # NPS +60
BAR = [9, 10, 2]  # too few


def _source() -> Any:
    tps = [
        {
            "organisation_id": ORG,
            "touchpoint_id": k,
            "key": k,
            "name_fi": f"{k} fi",
            "name_en": f"{k} en",
            "channel": "venue" if k != "show" else "event",
        }
        for k in ("entry", "show", "bar")
    ]
    tps.append({"organisation_id": OTHER, "touchpoint_id": "x", "key": "entry", "channel": "venue"})
    return memory_source(
        {
            "measures": _nps_rows(ORG, "entry", ENTRY, 0)
            + _nps_rows(ORG, "show", SHOW, 100)
            + _nps_rows(ORG, "bar", BAR, 200)
            + _nps_rows(OTHER, "x", [10] * 60, 300),
            "touchpoints": tps,
        }
    )


def _benchmark(**values: Any) -> BenchmarkValue:
    return BenchmarkValue(id=uuid.uuid4(), **_in(**values).model_dump())


def test_units_side_by_side_against_the_rest_and_the_benchmarks() -> None:
    target = _benchmark(value=20, scope_dimension="touchpoint", scope_value="entry")
    everyone = _benchmark(kind="external", value=45, label="Finnair, 2025")
    expired = _benchmark(value=10, valid_to=date(2025, 12, 31))
    csat = _benchmark(metric="csat", value=80)
    found = compare_units(
        _source(),
        ORG,
        "nps",
        "touchpoint",
        [target, everyone, expired, csat],
        start=datetime(2026, 1, 1),
        end=datetime(2027, 1, 1),
    )
    units = {u.key: u for u in found.units}
    assert set(units) == {"entry", "show", "bar"}, "the other organisation's unit never shows"
    assert units["entry"].value.value == pytest.approx(-40)
    assert units["show"].value.value == pytest.approx(60)
    assert str(units["bar"].value.status) == "too_few" and units["bar"].value.value is None
    # each unit against the rest, computed independently
    want = {
        "entry": compare_nps(ENTRY, SHOW + BAR),
        "show": compare_nps(SHOW, ENTRY + BAR),
    }
    for key, diff in want.items():
        got = units[key].vs_rest
        assert got is not None and got.difference == pytest.approx(diff.difference)
        assert got.p_value == pytest.approx(diff.p_value)
    adjusted = benjamini_hochberg([want["entry"].p_value, want["show"].p_value])  # type: ignore[list-item]
    assert units["entry"].adjusted_p_value == pytest.approx(adjusted.adjusted[0])
    assert units["entry"].significant and units["show"].significant
    assert units["bar"].adjusted_p_value is None and not units["bar"].significant
    assert units["entry"].benchmarks == (target,)
    assert found.overall == (everyone,)


def test_shares_are_tested_as_two_proportions_by_channel() -> None:
    rows = []
    for i, (tp, ok) in enumerate(
        [("entry", True)] * 20
        + [("entry", False)] * 20
        + [("show", True)] * 35
        + [("show", False)] * 5
    ):
        rows.append(
            {
                "organisation_id": ORG,
                "measure_id": i,
                "response_id": f"r{i}",
                "role": "csat",
                "value": 5.0 if ok else 2.0,
                "scale_min": 1,
                "scale_max": 5,
                "touchpoint_id": tp,
                "answered_at": WHEN,
            }
        )
    tps = [
        {"organisation_id": ORG, "touchpoint_id": k, "key": k, "channel": c}
        for k, c in (("entry", "venue"), ("show", "event"))
    ]
    found = compare_units(
        memory_source({"measures": rows, "touchpoints": tps}), ORG, "csat", "channel", []
    )
    units = {u.key: u for u in found.units}
    assert units["venue"].value.value == pytest.approx(50)
    want = compare_proportions(20, 40, 35, 40)
    assert units["venue"].vs_rest is not None
    assert units["venue"].vs_rest.p_value == pytest.approx(want.p_value)
    assert units["venue"].difference == pytest.approx(50 - 87.5)  # percent, as the metric
    assert found.test == "two_proportions"
