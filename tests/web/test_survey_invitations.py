"""The invitations and triggers pages of a survey, as staff use them."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from kohtaamo.accounts.permissions import Role
from kohtaamo.storage.db import Database
from kohtaamo.surveys.models import SurveyTrigger
from tests.factories import Factory, Member, csrf_from
from tests.surveys.helpers import make_survey
from tests.surveys.helpers_invitations import add_customers, invitations_of
from tests.web.conftest import Browser

SPEC = re.compile(
    r'<script type="application/json" id="chart-invitation-status-spec">(.*?)</script>'
)


def test_a_campaign_from_the_page_and_the_counts_it_shows(
    db: Database, factory: Factory, owner: Member, browser: Browser
) -> None:
    f = make_survey(db, owner.organisation)
    add_customers(db, f, {"anna": {}, "ville": {}, "eero": {"consents": {}}})
    page_path = f"/feedback/surveys/{f.survey_id}/invitations"
    client = browser(owner, accept_language="en")
    page = client.get(page_path)
    assert page.status_code == 200
    assert "Send a campaign" in page.text and '<option value="vip"' in page.text

    sent = client.post(
        page_path,
        data={
            "campaign": "Syksy 2026",
            "target": "segment",
            "segment": "vip",
            "language": "en",
            "quiet_days": "30",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert sent.status_code == 200, sent.text
    assert "2 customers were invited." in sent.text
    assert "no consent to surveys: 1" in sent.text
    assert len(invitations_of(db, f)) == 2

    shown = client.get(page_path).text
    assert shown.count("@example.test") == 2 and "Syksy 2026" in shown
    spec = json.loads(SPEC.search(shown).group(1))  # type: ignore[union-attr]
    bars = {row["status"]: row["n"] for row in spec["data"]["values"]}
    assert bars["Queued"] == 2 and bars["Sent"] == 0

    finnish = browser(owner, accept_language="fi").get(page_path).text
    assert "Sähköpostikutsut" in finnish or "E-mail invitations" in finnish


def test_bad_campaign_input_is_shown_by_the_form(
    db: Database, owner: Member, browser: Browser
) -> None:
    f = make_survey(db, owner.organisation)
    client = browser(owner, accept_language="en")
    path = f"/feedback/surveys/{f.survey_id}/invitations"
    token = csrf_from(client.get(path).text)
    base = {"campaign": "Syksy", "target": "ids", "csrf_token": token}
    no_ids = client.post(path, data=base | {"customer_ids": "  ", "quiet_days": "30"})
    assert no_ids.status_code == 422 and "Give at least one customer id." in no_ids.text
    bad_days = client.post(path, data=base | {"customer_ids": "a", "quiet_days": "x"})
    assert bad_days.status_code == 422
    assert invitations_of(db, f) == []


def test_viewers_see_but_do_not_send(
    db: Database, factory: Factory, owner: Member, browser: Browser
) -> None:
    f = make_survey(db, owner.organisation)
    viewer = factory.member(owner.organisation, Role.VIEWER)
    client = browser(viewer, accept_language="en")
    path = f"/feedback/surveys/{f.survey_id}/invitations"
    page = client.get(path)
    assert page.status_code == 200 and "Send a campaign" not in page.text
    token = csrf_from(client.get("/").text)
    refused = client.post(path, data={"campaign": "x", "segment": "vip", "csrf_token": token})
    assert refused.status_code == 403
    assert client.get(f"/feedback/surveys/{f.survey_id}/triggers").status_code == 200


def test_triggers_are_added_edited_and_switched_off(
    db: Database, owner: Member, browser: Browser
) -> None:
    f = make_survey(db, owner.organisation)
    client = browser(owner, accept_language="en")
    path = f"/feedback/surveys/{f.survey_id}/triggers"
    page = client.get(path)
    assert "This survey has no triggers yet." in page.text
    token = csrf_from(page.text)
    checkout = str(f.cat.touchpoints["checkout"])

    missing = client.post(path, data={"name": "Kassa", "touchpoint_id": "", "csrf_token": token})
    assert missing.status_code == 422
    added = client.post(
        path,
        data={
            "name": "Kassan jälkeen",
            "touchpoint_id": checkout,
            "delay_minutes": "120",
            "sample_percent": "25",
            "consent_key": "",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    listed = client.get(added.headers["location"]).text
    assert "The trigger was added." in listed and "Kassan jälkeen" in listed
    with db.transaction(f.org.id, readonly=True) as session:
        made = session.scalars(select(SurveyTrigger)).one()
        assert (made.delay_minutes, made.sample_percent, made.consent_key) == (120, 25.0, None)
        assert made.quiet_days == 30 and made.active

    edit = f"{path}/{made.id}/edit"
    form = client.get(edit)
    assert form.status_code == 200 and 'value="120"' in form.text
    saved = client.post(
        edit,
        data={
            "name": "Kassan jälkeen",
            "touchpoint_id": checkout,
            "delay_minutes": "30",
            "sample_percent": "25",
            "quota": "100",
            "quota_days": "7",
            "consent_key": "surveys",
            "active": "true",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    off = client.post(f"{path}/{made.id}/deactivate", data={"csrf_token": token})
    assert off.status_code == 200 and "The trigger was switched off." in off.text
    with db.transaction(f.org.id, readonly=True) as session:
        found = session.scalars(select(SurveyTrigger)).one()
        assert (found.delay_minutes, found.quota, found.quota_days) == (30, 100, 7)
        assert found.consent_key == "surveys" and not found.active
