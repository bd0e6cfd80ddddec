"""The raw answers an assumption check needs, read with ibis from a ``Source``: one role's
values labelled by a dimension, the per-response table of a driver comparison, and the
expectation–experience pairs of a touchpoint. Every table read is filtered to the
organisation, because the store holds all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import ibis
import pandas as pd

from kohtaamo.analytics.source import Source
from kohtaamo.errors import InvalidInput

# Dimension → (contract table, column). ``attribute:<name>`` reads the customer's JSON.
DIMENSIONS: dict[str, tuple[str, str]] = {
    "segment": ("measures", "segment"),
    "language": ("measures", "language"),
    "response_channel": ("measures", "response_channel"),
    "touchpoint": ("touchpoints", "key"),
    "channel": ("touchpoints", "channel"),
    "factor_group": ("touchpoints", "factor_group"),
    "team": ("touchpoints", "team_name"),
    "journey": ("placements", "journey_key"),
    "region": ("customers", "region"),
    "plan": ("customers", "plan"),
    "survey": ("surveys", "key"),
}
ATTRIBUTE_PREFIX = "attribute:"


def check_dimension(dimension: str) -> None:
    if dimension in DIMENSIONS:
        return
    if dimension.startswith(ATTRIBUTE_PREFIX) and len(dimension) > len(ATTRIBUTE_PREFIX):
        return
    raise InvalidInput("Unknown dimension %(value)s.", field="dimension", value=dimension)


@dataclass(frozen=True)
class Window:
    """What an assumption is about: optionally one touchpoint (by key) and a period."""

    touchpoint: str | None = None
    start: date | None = None
    end: date | None = None  # inclusive


def _own(source: Source, org: str) -> dict[str, ibis.Table]:
    return {
        "measures": source.measures.filter(source.measures.organisation_id == org),
        "touchpoints": source.touchpoints.filter(source.touchpoints.organisation_id == org),
        "placements": source.placements.filter(source.placements.organisation_id == org),
        "customers": source.customers.filter(source.customers.organisation_id == org),
        "surveys": source.surveys.filter(source.surveys.organisation_id == org),
    }


def _windowed(tables: dict[str, ibis.Table], roles: list[str], window: Window) -> ibis.Table:
    m = tables["measures"]
    m = m.filter(m.role.isin(roles))
    if window.start is not None:
        m = m.filter(m.answered_at >= datetime.combine(window.start, time()))
    if window.end is not None:
        m = m.filter(m.answered_at < datetime.combine(window.end, time()) + pd.Timedelta(days=1))
    if window.touchpoint is not None:
        tp = tables["touchpoints"].filter(tables["touchpoints"].key == window.touchpoint)
        m = m.semi_join(tp, m.touchpoint_id == tp.touchpoint_id)
    return m


def _labelled(tables: dict[str, ibis.Table], m: ibis.Table, dimension: str) -> ibis.Table:
    """``m`` with a string column ``group`` holding the dimension's value (one row per
    journey when a touchpoint sits on several)."""
    if dimension.startswith(ATTRIBUTE_PREFIX):
        c = tables["customers"]
        name = dimension[len(ATTRIBUTE_PREFIX) :]
        c = c.select(cid=c.customer_id, group=c.attributes.cast("json")[name].unwrap_as("string"))
        joined = m.join(c, m.customer_id == c.cid)
        return joined.select(*m.columns, "group")
    table, column = DIMENSIONS[dimension]
    if table == "measures":
        return m.mutate(group=m[column].cast("string"))
    other = tables[table]
    key = (
        "survey_id"
        if table == "surveys"
        else "customer_id"
        if table == "customers"
        else ("touchpoint_id")
    )
    right = other.select(rkey=other[key], group=other[column].cast("string")).distinct()
    joined = m.join(right, m[key] == right.rkey)
    return joined.select(*m.columns, "group")


def group_values(source: Source, org: str, dimension: str) -> list[str]:
    """The values the dimension takes in the organisation's answers, sorted."""
    check_dimension(dimension)
    tables = _own(source, org)
    labelled = _labelled(tables, tables["measures"], dimension)
    expr = labelled.filter(labelled.group.notnull()).select("group").distinct()
    return sorted(str(v) for v in source.execute(expr)["group"].tolist())


def role_values(
    source: Source, org: str, roles: list[str], dimension: str, window: Window
) -> pd.DataFrame:
    """Columns ``group``, ``role``, ``value``, ``scale_min``, ``scale_max`` of every
    answer of ``roles`` in the window whose dimension value is known."""
    check_dimension(dimension)
    tables = _own(source, org)
    labelled = _labelled(tables, _windowed(tables, roles, window), dimension)
    expr = labelled.filter(labelled.group.notnull()).select(
        "group", "role", "value", "scale_min", "scale_max"
    )
    frame: pd.DataFrame = source.execute(expr)
    return frame


def touchpoint_ids(source: Source, org: str, keys: list[str]) -> dict[str, str]:
    """Touchpoint key → id, for the keys the store knows."""
    t = _own(source, org)["touchpoints"]
    frame = source.execute(t.filter(t.key.isin(keys)).select("key", "touchpoint_id"))
    return dict(zip(frame["key"], frame["touchpoint_id"], strict=True))


def touchpoint_names(source: Source, org: str, keys: list[str]) -> dict[str, dict[str, str]]:
    """Touchpoint key → {"fi": name, "en": name}; unknown keys name themselves."""
    t = _own(source, org)["touchpoints"]
    frame = source.execute(t.filter(t.key.isin(keys)).select("key", "name_fi", "name_en"))
    found = {
        str(r.key): {"fi": str(r.name_fi), "en": str(r.name_en)}
        for r in frame.itertuples(index=False)
    }
    return {k: found.get(k, {"fi": k, "en": k}) for k in keys}


def driver_table(
    source: Source,
    org: str,
    outcome_role: str,
    driver_keys: list[str],
    driver_role: str,
    window: Window,
) -> pd.DataFrame:
    """One row per response: the outcome and each driver touchpoint's mean ``driver_role``
    answer (NaN where the respondent did not answer it), columns named by key."""
    tables = _own(source, org)
    ids = touchpoint_ids(source, org, driver_keys)
    m = _windowed(tables, [outcome_role, driver_role], Window(None, window.start, window.end))
    outcome = m.filter(m.role == outcome_role).group_by("response_id").agg(outcome=m.value.mean())
    frame = source.execute(outcome)
    frame = frame.set_index("response_id")
    for key in driver_keys:
        tid = ids.get(key)
        d = m.filter((m.role == driver_role) & (m.touchpoint_id == tid))
        per = source.execute(d.group_by("response_id").agg(value=d.value.mean()))
        frame[key] = per.set_index("response_id")["value"]
    return frame.reset_index()


def gap_pairs(source: Source, org: str, window: Window) -> tuple[pd.DataFrame, pd.DataFrame]:
    """At the window's touchpoint: (expectation–experience pairs with columns
    ``expectation``, ``experience``, ``scale_min``, ``scale_max``; answers of the
    compared form with ``value``, ``scale_min``, ``scale_max``)."""
    tables = _own(source, org)
    m = _windowed(tables, ["expectation", "experience", "expectation_gap"], window)
    e = m.filter(m.role == "expectation").select(
        response_id="response_id", question_key="question_key", expectation="value"
    )
    x = m.filter(m.role == "experience")
    pairs = x.join(e, (x.response_id == e.response_id) & (x.question_key == e.question_key)).select(
        "expectation", experience=x.value, scale_min=x.scale_min, scale_max=x.scale_max
    )
    compared = m.filter(m.role == "expectation_gap").select("value", "scale_min", "scale_max")
    return source.execute(pairs), source.execute(compared)
