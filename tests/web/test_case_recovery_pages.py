"""The recovery report page and API, and the SLA settings form, through HTTP."""

from __future__ import annotations

import html
import json
import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from kohtaamo.accounts.permissions import Role
from kohtaamo.cases.models import Case, CaseSettings
from kohtaamo.i18n import gettext
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from tests.factories import Factory, Member, page_csrf
from tests.journeys.helpers import Catalogue, seed
from tests.web.conftest import Browser

SPEC_RE = r'<script type="application/json" id="chart-{}-spec">(.*?)</script>'


def spec_of(page: str, chart: str) -> dict[str, Any]:
    found = re.search(SPEC_RE.format(chart), page, re.DOTALL)
    assert found, f"no chart {chart}"
    return dict(json.loads(html.unescape(found.group(1))))


@pytest.fixture
def cat(db: Database, owner: Member) -> Catalogue:
    return seed(db, owner.organisation)


def add_cases(db: Database, cat: Catalogue) -> list[uuid.UUID]:
    """Five closed cases acknowledged after 1–5 working hours… in wall-clock hours of
    one working day (the test runs whenever: opened at 08:00 Helsinki of a past Monday)."""
    from zoneinfo import ZoneInfo

    monday = (
        utcnow()
        .astimezone(ZoneInfo("Europe/Helsinki"))
        .replace(hour=8, minute=0, second=0, microsecond=0)
    )
    monday -= timedelta(days=monday.weekday() + 7)
    ids = []
    with db.transaction(cat.org.id) as session:
        for n in range(1, 6):
            case = Case(
                organisation_id=cat.org.id,
                number=n,
                state="closed",
                topic="delivery",
                title=f"Tapaus {n}",
                source="rule",
                opened_at=monday,
                acknowledged_at=monday + timedelta(hours=n),
                acknowledge_due_at=monday + timedelta(hours=4),
                resolved_at=monday + timedelta(days=1),
                resolve_due_at=monday + timedelta(days=7),
                closed_at=monday + timedelta(days=2),
                followup_outcome="put_right" if n < 5 else "partly",
                followup_at=monday + timedelta(days=2),
                root_cause_touchpoint_id=cat.touchpoints["checkout"],
                root_cause_theme="delivery",
            )
            session.add(case)
            session.flush()
            ids.append(case.id)
    return ids


@pytest.mark.parametrize("language", ["fi", "en"])
def test_the_report_shows_figures_charts_and_the_honest_verdict(
    db: Database, cat: Catalogue, owner: Member, browser: Browser, language: str
) -> None:
    ids = add_cases(db, cat)
    page = browser(owner, accept_language=language).get("/cases/recovery")
    assert page.status_code == 200, page.text
    text = page.text
    assert f'<html lang="{language}"' in text
    # Acknowledged after 1…5 working hours: median 3, 90th percentile 4.6.
    ack = spec_of(text, "ack-times")
    assert [v["hours"] for v in ack["layer"][0]["data"]["values"]] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert ack["layer"][1]["data"]["values"][0]["deadline"] == 4
    times = text[text.index('id="times-table"') :]
    assert ">3,0<" in times if language == "fi" else ">3.0<" in times
    assert ">4,6<" in times if language == "fi" else ">4.6<" in times
    # Deadlines: 4 of 5 acknowledgements in time, all 5 resolutions.
    shares = {r["clock"]: r["share"] for r in spec_of(text, "compliance")["data"]["values"]}
    assert sorted(shares.values()) == [0.8, 1.0]
    outcomes = {r["count"] for r in spec_of(text, "outcomes")["data"]["values"]}
    assert outcomes == {4, 1, 0}
    # No survey answers at all: the paradox says so, in the reader's language, no 0.
    verdict = re.search(r'id="paradox-verdict">(.*?)</p>', text)
    assert verdict and verdict.group(1) == html.escape(gettext(language, "No data."))
    causes = spec_of(text, "causes")["data"]["values"]
    theme = {"fi": "Toimitus", "en": "Delivery"}[language]
    assert [(r["name"], r["count"]) for r in causes] == [(f"checkout {language} · {theme}", 5)]
    assert f"/cases/{ids[-1]}" in text or f"/cases/{ids[0]}" in text


def test_the_report_needs_cases_view(
    db: Database, factory: Factory, owner: Member, browser: Browser
) -> None:
    viewer = factory.member(owner.organisation, Role.VIEWER)
    assert browser(viewer).get("/cases/recovery").status_code == 403
    analyst = factory.member(owner.organisation, Role.ANALYST)
    assert browser(analyst).get("/cases/recovery").status_code == 200
    assert browser(analyst).get("/cases/settings/sla").status_code == 403


def test_the_api_gives_the_same_figures(
    db: Database, cat: Catalogue, owner: Member, factory: Factory, browser: Browser
) -> None:
    add_cases(db, cat)
    other = factory.organisation()
    add_cases(db, seed(db, other))  # never counted for the first organisation
    client = browser()
    client.headers["authorization"] = f"Bearer {factory.api_key(owner.organisation)}"
    body = client.get("/api/v1/cases/recovery").json()
    assert body["opened"] == 5
    assert (body["time_to_acknowledge"]["median_hours"], body["time_to_acknowledge"]["n"]) == (
        3.0,
        5,
    )
    assert body["acknowledge_compliance"]["share"] == pytest.approx(0.8)
    assert body["followups"]["outcomes"] == {"put_right": 4, "partly": 1, "not_put_right": 0}
    assert body["paradox"]["nps_difference"]["status"] == "no_data"
    assert body["paradox"]["nps_difference"]["difference"] is None
    causes = client.get("/api/v1/cases/root-causes").json()
    assert [(g["theme"], g["count"], g["recurring"]) for g in causes["by_theme"]] == [
        ("delivery", 5, True)
    ]
    wrong = client.get(
        "/api/v1/cases/recovery",
        params={"since": "2025-02-01T00:00:00Z", "until": "2025-01-01T00:00:00Z"},
    )
    assert wrong.status_code == 422


# --- the SLA settings form -------------------------------------------------------------------


def _form(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "work_start": "09:00",
        "work_end": "17:00",
        "work_days": ["0", "1", "2", "3"],
        "holiday_country": "SE",
        "extra_holidays": "2025-12-31\n2026-01-02",
        "acknowledge_hours": "2",
        "resolve_days": "3",
        "warn_before_hours": "1",
        "escalation_email": "esimies@example.fi",
    }
    return values | changes


def _settings(db: Database, org_id: uuid.UUID) -> CaseSettings | None:
    with db.transaction(org_id, readonly=True) as session:
        found = session.scalar(select(CaseSettings))
        if found is not None:
            session.expunge(found)
        return found


def test_the_sla_form_saves_the_settings(db: Database, owner: Member, browser: Browser) -> None:
    client = browser(owner, accept_language="en")
    page = client.get("/cases/settings/sla")
    assert page.status_code == 200
    assert 'name="work_start" type="text" value="08:00"' in page.text
    token = page_csrf(client, "/cases/settings/sla")
    saved = client.post("/cases/settings/sla", data=_form(csrf_token=token), follow_redirects=False)
    assert (saved.status_code, saved.headers["location"]) == (303, "/cases/settings/sla?done=saved")
    s = _settings(db, owner.organisation.id)
    assert s is not None
    assert (s.work_start, s.work_end, s.work_days, s.holiday_country) == (
        "09:00",
        "17:00",
        [0, 1, 2, 3],
        "SE",
    )
    assert s.extra_holidays == ["2025-12-31", "2026-01-02"]
    assert (s.acknowledge_hours, s.resolve_days, s.warn_before_hours) == (2, 3, 1)
    assert s.escalation_email == "esimies@example.fi"
    shown = client.get("/cases/settings/sla?done=saved").text
    assert gettext("en", "The SLA settings were saved.") in shown


@pytest.mark.parametrize("language", ["fi", "en"])
def test_a_wrong_sla_form_is_shown_again_with_reasons(
    db: Database, owner: Member, browser: Browser, language: str
) -> None:
    client = browser(owner, accept_language=language)
    token = page_csrf(client, "/cases/settings/sla")
    refused = client.post(
        "/cases/settings/sla",
        data=_form(
            csrf_token=token,
            work_end="07:00",
            work_days=[],
            holiday_country="XX",
            extra_holidays="31.12.2025",
            acknowledge_hours="nolla",
            escalation_email="ei-osoite",
        ),
    )
    assert refused.status_code == 422
    page = refused.text
    for fid, msgid in (
        ("s-end", "The working day must end after it starts."),
        ("s-days", "Choose at least one working day."),
        ("s-extra", "Give dates as YYYY-MM-DD, one per line."),
        ("s-ack", "Give a whole number."),
        ("s-email", "Give a valid e-mail address."),
    ):
        assert f'id="{fid}-error">{html.escape(gettext(language, msgid))}<' in page, fid
    assert (
        html.escape(gettext(language, "Public holidays of %(value)s are not known.", value="XX"))
        in page
    )
    assert 'value="ei-osoite"' in page  # the input is kept
    s = _settings(db, owner.organisation.id)
    assert s is not None and s.work_end == "16:00"  # nothing saved
