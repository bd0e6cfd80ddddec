"""What the journey map and the paths page show of a path report: filters read from the
query string, touchpoint names in the reader's language, tables, charts and the graph."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.errors import InvalidInput, KohtaamoError
from kohtaamo.i18n import gettext
from kohtaamo.journeys import customers, service
from kohtaamo.journeys.analytics import PathQuery, PathReport, path_report
from kohtaamo.journeys.catalogue import CHANNELS, Channel
from kohtaamo.journeys.models import Touchpoint
from kohtaamo.journeys.paths import Edge
from kohtaamo.journeys.pathstore import PathStore
from kohtaamo.web import charts, pathgraph
from kohtaamo.web.render import field_errors

TOP_PATHS = 10
COVERAGE = 0.8


@dataclass
class Filters:
    """The page's filters as typed, and what they mean once checked."""

    start_text: str = ""
    end_text: str = ""
    segment: str = ""
    start: datetime | None = None
    end: datetime | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(self.start_text or self.end_text or self.segment)


def _day(text: str, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("Give a date as YYYY-MM-DD.", field=name) from None


def parse_filters(locale: str, timezone: str, start: str, end: str, segment: str) -> Filters:
    """Dates are whole days in the organisation's time zone; "to" includes its day."""
    found = Filters(start.strip(), end.strip(), segment.strip()[:80])
    zone = ZoneInfo(timezone)
    try:
        first = _day(found.start_text, "from")
        last = _day(found.end_text, "to")
        if first and last and last < first:
            raise InvalidInput("The period must end after it starts.", field="to")
    except KohtaamoError as exc:
        found.errors = field_errors(locale, exc)
        return found
    if first:
        found.start = datetime.combine(first, time(), zone)
    if last:
        found.end = datetime.combine(last + timedelta(days=1), time(), zone)
    return found


@dataclass(frozen=True)
class TouchpointMeta:
    id: uuid.UUID
    key: str
    name: str
    icon: str
    channel: str
    team: str
    critical: bool


def touchpoint_meta(session: Session, actor: Actor, locale: str) -> dict[str, TouchpointMeta]:
    teams = {t.id: t.name for t in service.list_teams(session, actor)}
    return {t.key: meta_of(t, teams, locale) for t in service.list_touchpoints(session, actor)}


def meta_of(t: Touchpoint, teams: dict[uuid.UUID, str], locale: str) -> TouchpointMeta:
    channel = CHANNELS[Channel(t.channel)]
    return TouchpointMeta(
        t.id,
        t.key,
        touchpoint_name(t, locale),
        channel.icon,
        channel.text(locale),
        teams.get(t.owner_team_id, ""),
        t.critical,
    )


def touchpoint_name(t: Touchpoint, locale: str) -> str:
    return (t.name_fi if locale == "fi" else t.name_en) or t.name_en or t.key


@dataclass
class ReportView:
    """Everything the templates need of one path report, formatted for the reader."""

    report: PathReport
    summary: list[tuple[str, str]]
    variants: list[dict[str, Any]]
    covering_text: str
    funnel: list[dict[str, Any]]
    starts: list[tuple[str, str]]
    ends: list[tuple[str, str]]
    graph: pathgraph.Graph
    charts: dict[str, charts.Spec]
    volumes: dict[str, tuple[int, int]]


def run_report(
    session: Session,
    store: PathStore,
    actor: Actor,
    filters: Filters,
    journey_id: uuid.UUID | None = None,
) -> PathReport:
    query = PathQuery(
        journey_id=journey_id,
        start=filters.start,
        end=filters.end,
        segment=filters.segment or None,
        top=TOP_PATHS,
        coverage=COVERAGE,
        volumes=True,
    )
    return path_report(session, store, actor, query)


def segments(session: Session, actor: Actor) -> list[str]:
    return customers.list_segments(session, actor)


def report_view(
    locale: str,
    report: PathReport,
    meta: dict[str, TouchpointMeta],
    *,
    stage_names: list[str] | None = None,
    columns: dict[str, int] | None = None,
    order: dict[str, int] | None = None,
) -> ReportView:
    def _(message: str, **params: Any) -> str:
        return gettext(locale, message, **params)

    def name(key: str) -> str:
        found = meta.get(key)
        return found.name if found else key

    def num(value: float) -> str:
        return charts.number(locale, value)

    def pct(share: float) -> str:
        return charts.percent(locale, share)

    d = report.durations
    summary = [
        (_("Customers"), num(report.customers)),
        (_("Events"), num(report.events)),
        (_("Path variants"), num(report.variants_total)),
        (_("Median time from first to last touchpoint"), charts.duration(locale, d.median_s)),
        (_("Nine customers in ten within"), charts.duration(locale, d.p90_s)),
    ]
    variants = [
        {
            "label": " → ".join(name(k) for k in v.activities),
            "steps": [meta.get(k) or k for k in v.activities],
            "customers": v.count,
            "share": v.share,
            "customers_text": num(v.count),
            "share_text": pct(v.share),
        }
        for v in report.variants
    ]
    covering_text = ""
    if report.customers:
        covering_text = gettext(
            locale,
            "%(paths)s of %(total)s paths cover %(share)s of customers.",
            paths=num(report.covering),
            total=num(report.variants_total),
            share=pct(COVERAGE),
        )
    funnel = []
    names = stage_names or []
    for i, (spec, step) in enumerate(report.funnel):
        funnel.append(
            {
                "stage": names[i] if i < len(names) else spec.name,
                "reached": step.reached,
                "conversion": step.conversion,
                "drop_off": step.drop_off,
                "reached_text": num(step.reached),
                "conversion_text": pct(step.conversion) if i else "",
                "drop_off_text": num(step.drop_off) if i else "",
                "of_start_text": pct(step.of_start),
            }
        )

    def edge_label(e: Edge) -> tuple[str, str]:
        short = f"{num(e.count)} · {charts.duration(locale, e.median_s)}"
        title = _(
            "%(source)s → %(target)s: %(count)s times, median %(median)s, "
            "nine in ten within %(p90)s",
            source=name(e.source),
            target=name(e.target),
            count=num(e.count),
            median=charts.duration(locale, e.median_s),
            p90=charts.duration(locale, e.p90_s),
        )
        return short, title

    def info(key: str) -> pathgraph.NodeInfo:
        found = meta.get(key)
        seen = report.volumes.get(key, (0, 0))[1]
        if found is None:
            return pathgraph.NodeInfo(key, "", seen, False)
        return pathgraph.NodeInfo(found.name, found.icon, seen, found.critical)

    graph = pathgraph.layout(report.edges, info, edge_label, columns, order)
    by_customers = sorted(report.volumes.items(), key=lambda kv: -kv[1][1])[:30]
    volume_rows: list[dict[str, Any]] = [
        {
            "name": name(k),
            "customers": c,
            "events": e,
            "critical": bool(meta.get(k) and meta[k].critical),
        }
        for k, (e, c) in by_customers
    ]
    specs: dict[str, charts.Spec] = {}
    if funnel:
        specs["funnel"] = charts.funnel_spec(locale, funnel)
    if variants:
        specs["paths"] = charts.paths_spec(locale, variants)
    if volume_rows:
        specs["volumes"] = charts.volumes_spec(locale, volume_rows)

    def top_of(counts: dict[str, int]) -> list[tuple[str, str]]:
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:5]
        return [(name(k), num(c)) for k, c in ranked]

    return ReportView(
        report,
        summary,
        variants,
        covering_text,
        funnel,
        top_of(report.starts),
        top_of(report.ends),
        graph,
        specs,
        report.volumes,
    )
