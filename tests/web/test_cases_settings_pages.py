"""Case pages for setting up: a manual case (``/cases/new``), the rule editor and team
members, in Finnish and English, with their refusals next to the fields."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kohtaamo.accounts.permissions import Role
from kohtaamo.cases import team_members
from kohtaamo.cases.models import Case, CaseRule
from kohtaamo.i18n import gettext
from kohtaamo.storage.db import Database
from tests.factories import Factory, Member
from tests.web.cases_desk import Desk, make_desk, post_form
from tests.web.conftest import Browser


@pytest.fixture
def desk(db: Database, owner: Member) -> Desk:
    return make_desk(db, owner)


# --- a manual case ---------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["fi", "en"])
def test_new_manual_case(browser: Browser, desk: Desk, locale: str) -> None:
    client = browser(desk.handler, locale)
    assert client.get("/cases/new").status_code == 200
    form = {
        "title": "Asiakas soitti laskusta",
        "topic": "Laskutus",  # capitals are not a topic key
        "priority": "high",
        "touchpoint_id": str(desk.tp("checkout")),
        "customer_external_id": "ei-ole",
        "contact_email": "asiakas@example.com",
        "language": "sv",
        "description": "Lasku tuli kahdesti.",
    }
    refused = post_form(client, "/cases/new", form)
    assert refused.status_code == 422
    assert "Asiakas soitti laskusta" in refused.text and "Lasku tuli kahdesti." in refused.text
    assert 'aria-invalid="true" aria-describedby="c-topic-error"' in refused.text
    unknown = post_form(client, "/cases/new", form | {"topic": "billing"})
    assert unknown.status_code == 422
    assert gettext(locale, "No customer has this identifier.") in unknown.text
    sent = post_form(
        client, "/cases/new", form | {"topic": "billing", "customer_external_id": "asiakas-7"}
    )
    assert sent.status_code == 303, sent.text
    page = client.get(sent.headers["location"]).text
    assert "Asiakas soitti laskusta" in page
    assert ("ruotsi" if locale == "fi" else "Swedish") in page
    assert gettext(locale, "Manual") in page
    with desk.db.transaction(desk.org_id) as session:
        case = session.scalar(select(Case).where(Case.topic == "billing"))
        assert case is not None
        assert (case.source, case.language, case.customer_id) == ("manual", "sv", desk.customer_id)
        assert case.team_id == desk.survey.cat.team_id  # routed to the touchpoint's owner


# --- rules and teams -------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["fi", "en"])
def test_rule_editor(browser: Browser, desk: Desk, locale: str) -> None:
    client = browser(desk.handler, locale)
    assert client.get("/cases/settings/rules").status_code == 200
    form = {
        "name": "Arvostelijat",
        "key": "arvostelijat",
        "kind": "detractor",
        "topic": "detractor",
        "priority": "high",
        "threshold": "11",
        "active": "true",
    }
    bad = post_form(client, "/cases/settings/rules", form)
    assert bad.status_code == 422
    assert gettext(locale, "The NPS threshold is a whole number from 0 to 10.") in bad.text
    assert 'value="Arvostelijat"' in bad.text and 'aria-describedby="r-threshold-error"' in bad.text
    assert post_form(client, "/cases/settings/rules", form | {"threshold": "5"}).status_code == 303
    clash = post_form(client, "/cases/settings/rules", form | {"threshold": "4"})
    assert clash.status_code == 409
    with desk.db.transaction(desk.org_id) as session:
        rule = session.scalar(select(CaseRule).where(CaseRule.key == "arvostelijat"))
        assert rule is not None and (rule.params, rule.priority) == ({"threshold": 5}, "high")
        rule_id = rule.id
    assert client.get(f"/cases/settings/rules/{rule_id}/edit").status_code == 200
    theme_form = form | {"kind": "negative_comment", "threshold": "", "max_age_days": "30"}
    themed = post_form(client, f"/cases/settings/rules/{rule_id}/edit", theme_form)
    assert themed.status_code == 303, themed.text
    off = post_form(client, f"/cases/settings/rules/{rule_id}/active", {"active": "false"})
    assert off.status_code == 303
    with desk.db.transaction(desk.org_id) as session:
        rule = session.get(CaseRule, rule_id)
        assert rule is not None
        assert (rule.kind, rule.params, rule.active) == (
            "negative_comment",
            {"max_age_days": 30},
            False,
        )
    assert post_form(client, f"/cases/settings/rules/{rule_id}/delete", {}).status_code == 303
    with desk.db.transaction(desk.org_id) as session:
        assert session.get(CaseRule, rule_id) is None


@pytest.mark.parametrize("locale", ["fi", "en"])
def test_team_members(browser: Browser, desk: Desk, factory: Factory, locale: str) -> None:
    person = factory.member(desk.handler.organisation, Role.CASE_HANDLER)
    team = desk.survey.cat.team_id
    client = browser(desk.handler, locale)
    page = client.get("/cases/settings/teams")
    assert page.status_code == 200 and "Asiakaspalvelu" in page.text
    added = post_form(
        client, f"/cases/settings/teams/{team}/members", {"user_id": str(person.user.id)}
    )
    assert added.status_code == 303
    with desk.db.transaction(desk.org_id) as session:
        assert team_members.members_by_team(session) == {team: [person.user.id]}
    stranger = factory.member(factory.organisation("Muu Oy"), Role.OWNER)
    refused = post_form(
        client, f"/cases/settings/teams/{team}/members", {"user_id": str(stranger.user.id)}
    )
    assert refused.status_code == 422
    assert gettext(locale, "Choose a user of this organisation.") in refused.text
    removed = post_form(client, f"/cases/settings/teams/{team}/members/{person.user.id}/remove", {})
    assert removed.status_code == 303
    with desk.db.transaction(desk.org_id) as session:
        assert team_members.members_by_team(session) == {}
