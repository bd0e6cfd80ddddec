"""The recovery report in the reader's language: figures formatted, verdicts written
out, touchpoint and theme names looked up, chart specs built. Read by the page in
``web/routes/case_recovery.py``."""

from __future__ import annotations

import uuid
from typing import Any

from babel.numbers import format_decimal
from sqlalchemy.orm import Session

from kohtaamo.cases.recovery import (
    MIN_CASES,
    CauseGroup,
    Compliance,
    Durations,
    RecoveryMetrics,
    RootCauses,
)
from kohtaamo.cases.recovery_paradox import Paradox
from kohtaamo.i18n import N_, gettext
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.metrics._checks import Sufficiency, Verdict
from kohtaamo.text import theme_rules
from kohtaamo.web import charts_recovery as charts
from kohtaamo.web.charts import percent
from kohtaamo.web.journey_report import touchpoint_name
from kohtaamo.web.text_view import theme_label

STATUS_TEXT = {
    Sufficiency.NO_DATA: N_("No data"),
    Sufficiency.TOO_FEW: N_("Too few cases"),
}


def decimal(locale: str, value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return str(format_decimal(round(value, digits), format="#,##0." + "0" * digits, locale=locale))


def verdict_text(locale: str, verdict: Verdict) -> str:
    """The sentence with its numbers in the reader's notation (decimal comma in fi)."""
    params = {
        k: decimal(locale, v, 3 if k == "p" else 1) if isinstance(v, float) else v
        for k, v in verdict.params.items()
    }
    return gettext(locale, verdict.msgid, **params)


def _durations(locale: str, d: Durations) -> dict[str, Any]:
    return {
        "n": d.n,
        "ok": d.status is Sufficiency.OK,
        "median": decimal(locale, d.median),
        "p90": decimal(locale, d.p90),
        "status": gettext(locale, STATUS_TEXT[d.status]) if d.status in STATUS_TEXT else "",
    }


def _compliance(locale: str, label: str, c: Compliance) -> dict[str, Any]:
    share = c.share
    return {
        "clock": label,
        "met": c.met,
        "missed": c.missed,
        "pending": c.pending,
        "share": share.share,
        "low": share.interval.low if share.interval else None,
        "high": share.interval.high if share.interval else None,
        "text": percent(locale, share.share) if share.share is not None else "–",
        "interval": (
            f"{percent(locale, share.interval.low)} – {percent(locale, share.interval.high)}"
            if share.interval
            else ""
        ),
        "status": gettext(locale, STATUS_TEXT[share.status]) if share.status in STATUS_TEXT else "",
    }


def _paradox(locale: str, p: Paradox) -> dict[str, Any]:
    recovered, never = (
        gettext(locale, "Recovered customers"),
        gettext(locale, "Customers who never had a case"),
    )
    nps_rows, rep_rows, table = [], [], []
    for label, group in ((recovered, p.recovered), (never, p.never)):
        n, r = group.nps, group.repurchase
        if n.nps is not None and n.interval is not None:
            nps_rows.append(
                {
                    "group": label,
                    "value": round(n.nps, 1),
                    "low": n.interval.low,
                    "high": n.interval.high,
                    "text": decimal(locale, n.nps),
                }
            )
        if r.mean is not None and r.interval is not None:
            rep_rows.append(
                {
                    "group": label,
                    "value": round(r.mean, 1),
                    "low": r.interval.low,
                    "high": r.interval.high,
                    "text": decimal(locale, r.mean) + " %",
                }
            )
        table.append(
            {
                "group": label,
                "customers": group.customers,
                "nps_n": n.n,
                "nps": decimal(locale, n.nps),
                "rep_n": r.n,
                "rep": decimal(locale, r.mean),
            }
        )
    nps_title = gettext(locale, "Later NPS")
    rep_title = gettext(locale, "Later repurchase intent")
    return {
        "verdict": verdict_text(locale, p.verdict),
        "repurchase_verdict": verdict_text(locale, p.repurchase_verdict),
        "ok": p.nps_difference.status is Sufficiency.OK,
        "table": table,
        "min_n": p.min_n,
        "nps_spec": charts.groups_spec(locale, nps_title, "NPS", nps_rows) if nps_rows else None,
        "rep_spec": (
            charts.groups_spec(locale, rep_title, gettext(locale, "% of scale"), rep_rows)
            if rep_rows
            else None
        ),
    }


def metrics_view(
    locale: str, m: RecoveryMetrics, acknowledge_hours: int, resolve_hours: float
) -> dict[str, Any]:
    ack_label = gettext(locale, "Acknowledged in time")
    res_label = gettext(locale, "Resolved in time")
    compliance = [
        _compliance(locale, ack_label, m.acknowledge_compliance),
        _compliance(locale, res_label, m.resolve_compliance),
    ]
    f = m.followups
    return {
        "opened": m.opened,
        "open_now": m.open_now,
        "breached": m.breached,
        "min_cases": MIN_CASES,
        "ack": _durations(locale, m.time_to_acknowledge),
        "res": _durations(locale, m.time_to_resolve),
        "ack_spec": (
            charts.durations_spec(
                locale,
                gettext(locale, "Working hours to acknowledge"),
                m.time_to_acknowledge.hours,
                acknowledge_hours,
            )
            if m.time_to_acknowledge.hours
            else None
        ),
        "res_spec": (
            charts.durations_spec(
                locale,
                gettext(locale, "Working hours to resolve"),
                m.time_to_resolve.hours,
                resolve_hours,
            )
            if m.time_to_resolve.hours
            else None
        ),
        "compliance": compliance,
        "compliance_spec": (
            charts.compliance_spec(locale, compliance)
            if any(c["share"] is not None for c in compliance)
            else None
        ),
        "followups": {
            "sent": f.sent,
            "answered": f.answered,
            "outcomes": [
                (gettext(locale, charts.OUTCOME_LABELS[k]), v) for k, v in f.outcomes.items()
            ],
            "put_right": (
                percent(locale, f.put_right.share) if f.put_right.share is not None else None
            ),
            "status": (
                gettext(locale, STATUS_TEXT[f.put_right.status])
                if f.put_right.status in STATUS_TEXT
                else ""
            ),
        },
        "outcomes_spec": charts.outcomes_spec(locale, f.outcomes) if f.answered else None,
        "paradox": _paradox(locale, m.paradox),
    }


def cause_names(session: Session, locale: str) -> tuple[dict[uuid.UUID, str], dict[str, str]]:
    """Touchpoint names by id and theme names by key, in ``locale``."""
    tps = {t.id: touchpoint_name(t, locale) for t in journeys_repo.touchpoints(session)}
    themes = {r["key"]: theme_label(r, locale) for r in theme_rules.org_rules(session)}
    return tps, themes


def _cause_name(
    g: CauseGroup, locale: str, tps: dict[uuid.UUID, str], themes: dict[str, str]
) -> str:
    parts = []
    if g.touchpoint_id is not None:
        parts.append(tps.get(g.touchpoint_id, gettext(locale, "(deleted touchpoint)")))
    if g.theme:
        parts.append(themes.get(g.theme, g.theme))
    if g.standard:
        parts.append(g.standard)
    return " · ".join(parts)


def causes_view(
    locale: str, rc: RootCauses, tps: dict[uuid.UUID, str], themes: dict[str, str]
) -> dict[str, Any]:
    def rows(groups: list[CauseGroup]) -> list[dict[str, Any]]:
        return [
            {
                "name": _cause_name(g, locale, tps, themes),
                "count": g.count,
                "share": percent(locale, g.share),
                "recurring": g.recurring,
                "last": g.last_at.date().isoformat(),
                "case_ids": [str(i) for i in g.case_ids],
            }
            for g in groups
        ]

    combined = rows(rc.combined)
    return {
        "resolved": rc.resolved,
        "with_cause": rc.with_cause,
        "combined": combined,
        "by_touchpoint": rows(rc.by_touchpoint),
        "by_theme": rows(rc.by_theme),
        "by_standard": rows(rc.by_standard),
        "spec": (
            charts.causes_spec(locale, gettext(locale, "Root cause"), combined[:15])
            if combined
            else None
        ),
    }
