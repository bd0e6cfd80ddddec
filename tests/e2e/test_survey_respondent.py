"""A respondent answers a Finnish survey on a phone, partly by keyboard, through two
pages; axe-core finds no serious or critical accessibility problem on any page; then a
manager signs in and finds the response in the survey's response list.

axe-core comes from the ``axe-playwright-python`` package (its bundled axe.min.js):
nothing is downloaded when the test runs.
"""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import Organisation
from kohtaamo.accounts.permissions import Role
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from kohtaamo.surveys import service
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.models import SurveyResponse
from kohtaamo.surveys.schemas import SurveyIn, SurveySettings
from tests.e2e.conftest import OpenTab, Server
from tests.e2e.test_ui import sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
COMMENT = "Jono eteni hitaasti, mutta myyjä oli ystävällinen."
DEFINITION: dict[str, Any] = {
    "default_language": "fi",
    "languages": ["fi", "en", "sv"],
    "title": {"fi": "Miten käyntisi sujui?", "en": "How was your visit?"},
    "intro": {"fi": "Kaksi lyhyttä sivua."},
    "thanks": {"fi": "Kiitos, vastauksesi on tallessa!"},
    "pages": [
        {
            "key": "arvio",
            "questions": [
                {
                    "key": "palvelu",
                    "type": "expectation_experience",
                    "pair_form": "double",
                    "required": True,
                    "text": {"fi": "Palvelun nopeus"},
                    "expected_label": {"fi": "Mitä odotin"},
                    "experienced_label": {"fi": "Mitä sain"},
                },
                {
                    "key": "nps",
                    "type": "nps",
                    "required": True,
                    "text": {"fi": "Kuinka todennäköisesti suosittelisit meitä ystävällesi?"},
                },
            ],
        },
        {
            "key": "lisaksi",
            "questions": [
                {"key": "tunteet", "type": "emotion", "text": {"fi": "Miltä käynti tuntui?"}},
                {"key": "kommentti", "type": "text", "text": {"fi": "Mitä muuta haluat kertoa?"}},
                {"key": "myymala", "type": "hidden"},
            ],
        },
    ],
}


def _seed(server: Server) -> tuple[uuid.UUID, str]:
    """A published survey of the manager's organisation: (survey id, slug)."""
    db = Database(server.database_url)
    try:
        with db.transaction(ALL_TENANTS, readonly=True) as session:
            org_id = session.scalars(
                select(Organisation.id).where(Organisation.name == server.manager.organisation)
            ).one()
        owner = Actor(organisation_id=org_id, role=Role.OWNER)
        with db.transaction(org_id) as session:
            survey = service.do_create_survey(
                session,
                owner,
                SurveyIn(
                    key=f"kaynti-{secrets.token_hex(3)}",
                    name="Käyntikysely",
                    definition=SurveyDefinition.model_validate(DEFINITION),
                    settings=SurveySettings(min_seconds=0),
                ),
            )
            service.do_publish(session, owner, survey.id)
            return survey.id, survey.slug
    finally:
        db.dispose()


def _stored(server: Server, survey_id: uuid.UUID) -> list[SurveyResponse]:
    db = Database(server.database_url)
    try:
        with db.transaction(ALL_TENANTS, readonly=True) as session:
            return list(
                session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey_id))
            )
    finally:
        db.dispose()


def _no_serious_violations(page: Any, where: str) -> None:
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"axe-core on {where}: {serious}"
    assert results.response["passes"], f"axe-core did not run on {where}"


def test_a_respondent_answers_on_a_phone_and_the_manager_sees_it(
    open_tab: OpenTab, server: Server, screenshot_dir: Path
) -> None:
    survey_id, slug = _seed(server)
    page = open_tab("fi-FI").page
    page.set_viewport_size(PHONE)

    page.goto(f"/s/{slug}?myymala=tampere")

    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.get_by_role("heading", name="Miten käyntisi sujui?").is_visible()
    assert page.locator(".languages a[aria-current='true']").inner_text() == "Suomi"
    _no_serious_violations(page, "page 1")
    page.screenshot(path=str(screenshot_dir / "survey-respondent-page1-phone.png"), full_page=True)
    # The pair: two rows on the same scale, answered by tapping.
    expected = page.get_by_role("radiogroup", name="Mitä odotin")
    experienced = page.get_by_role("radiogroup", name="Mitä sain")
    expected.get_by_text("4", exact=True).click()
    experienced.get_by_text("2", exact=True).click()
    # NPS by keyboard: Tab into the group, arrows to 6 (a detractor), Tab, Enter to send.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.name + '=' + document.activeElement.value")
    assert focused == "q:nps=0", focused
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    assert page.locator("input[name='q:nps']:checked").get_attribute("value") == "6"
    page.keyboard.press("Tab")  # past the trap field nobody sees, to the button
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.get_by_text("Miltä käynti tuntui?").is_visible()
    assert page.locator("input[name='q:nps']").count() == 0
    _no_serious_violations(page, "page 2")
    for feeling in ("Pettynyt", "Helpottunut"):  # tapped on their labels, as people do
        page.locator(".choice label", has_text=feeling).click()
        assert page.get_by_role("checkbox", name=feeling).is_checked()
    page.get_by_label("Mitä muuta haluat kertoa?").fill(COMMENT)
    page.screenshot(path=str(screenshot_dir / "survey-respondent-page2-phone.png"), full_page=True)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()

    assert page.get_by_text("Kiitos, vastauksesi on tallessa!").is_visible()
    _no_serious_violations(page, "the thank-you page")
    (stored,) = _stored(server, survey_id)
    assert stored.finished_at is not None and not stored.flagged
    assert stored.answers == {
        "palvelu": {"expected": 4, "experienced": 2},
        "nps": 6,
        "tunteet": stored.answers.get("tunteet"),
        "kommentti": COMMENT,
        "myymala": "tampere",
    }
    assert sorted(stored.answers["tunteet"]) == ["relief", "sadness"]
    assert stored.language == "fi" and stored.channel == "link"

    manager = open_tab("fi-FI").page
    sign_in(manager, server.manager)
    manager.goto(f"/feedback/surveys/{survey_id}/responses")
    row = manager.locator("table.responses tbody tr")
    assert row.count() == 1
    assert COMMENT in row.first.inner_text()
    manager.locator(f"a[href='/feedback/surveys/{survey_id}/responses/{stored.id}']").click()
    manager.wait_for_load_state()
    assert COMMENT in manager.locator("main").inner_text()
