"""Survey pages: the list with its chart and filters, the "new survey" form, one survey's
overview with publish / close / reopen, its details and its distribution settings, in
Finnish and English.

Surveys and responses are made through the services (``tests/surveys/helpers.py``) and
``responses.do_submit``, the one way responses are stored.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from kohtaamo.accounts.permissions import Role
from kohtaamo.storage.db import Database
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys import responses, service
from kohtaamo.surveys.catalogue import ResponseChannel
from kohtaamo.surveys.responses import Submission
from tests.factories import Factory, Member, page_csrf
from tests.surveys.helpers import SurveyFixture, make_survey
from tests.web.conftest import Browser

SPEC_RE = re.compile(
    r'<script type="application/json" id="chart-(\w+)-spec">(.*?)</script>', re.DOTALL
)


@pytest.fixture
def fx(db: Database, factory: Factory) -> SurveyFixture:
    return make_survey(db, factory.organisation("Tapahtumatalo Oy"))


@pytest.fixture
def manager(factory: Factory, fx: SurveyFixture) -> Member:
    return factory.member(fx.org, Role.OWNER)


def answer(db: Database, fx: SurveyFixture, *, finished: bool = True, nps: int = 9) -> None:
    with db.transaction(fx.org.id) as session:
        survey = service.get_survey(session, fx.actor, fx.survey_id)
        responses.do_submit(
            session,
            survey,
            Submission(
                answers={"ease": {"expected": 4, "experienced": 2}, "nps": nps},
                language="fi",
                finished=finished,
                channel=ResponseChannel.LINK,
                pages={"p1"},
            ),
        )


def post(client: TestClient, path: str, data: dict[str, Any], page: str) -> Response:
    token = page_csrf(client, page)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def status_of(db: Database, fx: SurveyFixture) -> tuple[str, int | None]:
    with db.transaction(fx.org.id, readonly=True) as session:
        survey = service.get_survey(session, fx.actor, fx.survey_id)
        return survey.status, survey.live_version


# --- the list ----------------------------------------------------------------------------------


def test_list_shows_each_survey_with_counts_and_a_chart(
    db: Database, fx: SurveyFixture, manager: Member, browser: Browser
) -> None:
    answer(db, fx)
    answer(db, fx, nps=3)
    answer(db, fx, finished=False)
    client = browser(manager)

    page = client.get("/feedback")

    assert page.status_code == 200
    html = page.text
    assert "Kassan kysely" in html
    assert 'class="survey-status survey-status-open"' in html
    row = html.split("Kassan kysely", 1)[1].split("</tr>", 1)[0]
    numbers = re.findall(r'<td class="num">(?:<a[^>]*>)?([^<]+)', row)
    assert numbers == ["1", "2", "1"]  # live version, finished, partial
    specs = {name: json.loads(body) for name, body in SPEC_RE.findall(html)}
    assert specs["responses"]["data"]["values"] == [
        {"name": "Kassan kysely", "finished": 2, "label": "2"}
    ]


def test_list_filters_by_status_in_english(
    db: Database, fx: SurveyFixture, manager: Member, browser: Browser
) -> None:
    client = browser(manager, accept_language="en")

    open_page = client.get("/feedback", params={"status": "open"})
    draft_page = client.get("/feedback", params={"status": "draft"})

    assert "Kassan kysely" in open_page.text
    assert "Kassan kysely" not in draft_page.text
    assert "No surveys with this status" in draft_page.text


def test_new_survey_starts_as_a_draft_with_one_question(
    db: Database, fx: SurveyFixture, manager: Member, browser: Browser
) -> None:
    client = browser(manager)

    sent = post(
        client,
        "/feedback",
        {"key": "tuki", "name": "Tuen kysely", "touchpoint": "support", "start": "empty"},
        "/feedback",
    )

    assert sent.status_code == 303, sent.text
    survey_id = sent.headers["location"].split("/")[3]
    assert sent.headers["location"] == f"/feedback/surveys/{survey_id}/edit?done=created"
    with db.transaction(fx.org.id, readonly=True) as session:
        survey = repo.survey_by_key(session, "tuki")
        assert survey is not None and survey.status == "draft"
        definition = service.definition_of(service.get_version(session, fx.actor, survey.id))
    assert definition.title["sv"] == "Tuen kysely"
    (question,) = definition.questions()
    assert (question.type, question.touchpoint) == ("csat", "support")


def test_new_survey_form_shows_errors_next_to_the_fields(
    fx: SurveyFixture, manager: Member, browser: Browser
) -> None:
    client = browser(manager, accept_language="en")

    bad_key = post(client, "/feedback", {"key": "Iso Avain", "name": "X"}, "/feedback")
    taken = post(client, "/feedback", {"key": "checkout", "name": "Y"}, "/feedback")

    assert bad_key.status_code == 422
    assert 'id="survey-key-error"' in bad_key.text
    assert "lowercase letters" in bad_key.text
    assert taken.status_code == 409
    assert "A survey with this key already exists." in taken.text


def test_start_from_import_goes_to_the_import_page(
    fx: SurveyFixture, manager: Member, browser: Browser
) -> None:
    client = browser(manager)
    sent = post(client, "/feedback", {"start": "import"}, "/feedback")
    assert (sent.status_code, sent.headers["location"]) == (303, "/feedback/import")


def test_viewer_sees_the_list_but_no_create_form(
    factory: Factory, fx: SurveyFixture, browser: Browser
) -> None:
    client = browser(factory.member(fx.org, Role.VIEWER))

    page = client.get("/feedback")
    refused = client.post("/feedback", data={"key": "x", "name": "x"}, follow_redirects=False)

    assert page.status_code == 200 and "Kassan kysely" in page.text
    assert 'action="/feedback"' not in page.text.replace('method="get" action="/feedback"', "")
    assert refused.status_code == 403


# --- the overview --------------------------------------------------------------------------


def test_overview_shows_link_widget_snippet_versions_and_actions(
    fx: SurveyFixture, manager: Member, browser: Browser
) -> None:
    client = browser(manager, accept_language="en")

    page = client.get(f"/feedback/surveys/{fx.survey_id}")

    assert page.status_code == 200
    html = page.text
    assert f"http://127.0.0.1:8000/s/{fx.slug}" in html
    assert (
        "&lt;script src=&#34;http://127.0.0.1:8000/static/widget/kohtaamo-widget.js&#34; "
        f"data-survey=&#34;{fx.slug}&#34; data-lang=&#34;fi&#34; async&gt;&lt;/script&gt;"
    ) in html
    assert f'href="/feedback/surveys/{fx.survey_id}/invitations"' in html
    assert f'href="/feedback/surveys/{fx.survey_id}/triggers"' in html
    assert f'action="/feedback/surveys/{fx.survey_id}/close"' in html
    assert "Version 1" in html


def test_publish_close_reopen(
    db: Database, fx: SurveyFixture, manager: Member, browser: Browser
) -> None:
    client = browser(manager, accept_language="en")
    page = f"/feedback/surveys/{fx.survey_id}"

    closed = post(client, f"{page}/close", {}, page)
    assert closed.headers["location"] == f"{page}?done=closed"
    assert status_of(db, fx) == ("closed", 1)
    assert f'action="{page}/reopen"' in client.get(page).text

    post(client, f"{page}/reopen", {}, page)
    assert status_of(db, fx) == ("open", 1)

    with db.transaction(fx.org.id) as session:  # an edit makes draft version 2
        definition = service.definition_of(service.get_version(session, fx.actor, fx.survey_id))
        service.do_save_definition(session, fx.actor, fx.survey_id, definition)
    assert "Publish version 2" in client.get(page).text
    published = post(client, f"{page}/publish", {}, page)
    assert published.headers["location"] == f"{page}?done=published"
    assert status_of(db, fx) == ("open", 2)


def test_closing_a_draft_says_why_not(db: Database, factory: Factory, browser: Browser) -> None:
    fx = make_survey(db, factory.organisation("Luonnos Oy"), publish=False)
    client = browser(factory.member(fx.org, Role.OWNER), accept_language="en")
    page = f"/feedback/surveys/{fx.survey_id}"

    refused = post(client, f"{page}/close", {}, page)

    assert refused.status_code == 409
    assert "A survey that was never published cannot be closed." in refused.text
    assert status_of(db, fx) == ("draft", None)


def test_distribution_settings_are_saved_and_checked(
    db: Database, fx: SurveyFixture, manager: Member, browser: Browser
) -> None:
    client = browser(manager, accept_language="en")
    page = f"/feedback/surveys/{fx.survey_id}"
    form = {
        "allowed_origins": "https://www.example.fi/\nhttps://kauppa.example.fi",
        "min_seconds": "5",
        "trigger": "click",
        "selector": "#palaute",
        "sample_percent": "50,5",
        "position": "center",
    }

    saved = post(client, f"{page}/distribution", form, page)
    bad = post(client, f"{page}/distribution", {**form, "allowed_origins": "ftp://x"}, page)

    assert saved.status_code == 303
    with db.transaction(fx.org.id, readonly=True) as session:
        settings = service.survey_out(session, service.get_survey(session, fx.actor, fx.survey_id))
    assert settings.settings.allowed_origins == [
        "https://www.example.fi",
        "https://kauppa.example.fi",
    ]
    assert settings.settings.min_seconds == 5
    assert (settings.settings.widget.trigger, settings.settings.widget.selector) == (
        "click",
        "#palaute",
    )
    assert settings.settings.widget.sample_percent == 50.5
    assert bad.status_code == 422
    assert 'id="dist-origins-error"' in bad.text
    assert "Give origins as scheme and host" in bad.text


def test_details_change_name_and_touchpoint(
    db: Database, fx: SurveyFixture, manager: Member, browser: Browser
) -> None:
    client = browser(manager)
    page = f"/feedback/surveys/{fx.survey_id}"

    saved = post(
        client,
        f"{page}/details",
        {"name": "Uusi nimi", "kind": "relationship", "touchpoint": ""},
        page,
    )
    unknown = post(client, f"{page}/details", {"name": "X", "touchpoint": "nope"}, page)

    assert saved.status_code == 303
    with db.transaction(fx.org.id, readonly=True) as session:
        survey = service.get_survey(session, fx.actor, fx.survey_id)
        assert (survey.name, survey.kind, survey.touchpoint_id) == (
            "Uusi nimi",
            "relationship",
            None,
        )
    assert unknown.status_code == 422


def test_a_survey_without_responses_can_be_deleted(
    db: Database, fx: SurveyFixture, manager: Member, browser: Browser
) -> None:
    client = browser(manager)
    page = f"/feedback/surveys/{fx.survey_id}"

    deleted = post(client, f"{page}/delete", {}, page)

    assert deleted.headers["location"] == "/feedback?done=deleted"
    assert client.get(page).status_code == 404


def test_another_organisations_survey_is_not_found(
    db: Database, fx: SurveyFixture, factory: Factory, browser: Browser
) -> None:
    other = factory.member(factory.organisation("Muu Oy"), Role.OWNER)
    client = browser(other)
    page = f"/feedback/surveys/{fx.survey_id}"

    assert client.get(page).status_code == 404
    assert post(client, f"{page}/close", {}, "/feedback").status_code == 404
    assert status_of(db, fx) == ("open", 1)
