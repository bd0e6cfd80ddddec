"""The survey builder: texts, questions and pages edited through the forms, a new draft
when the live version is published, errors next to the fields, and the preview in each
language.

The survey of ``tests/surveys/helpers.py``: page p1 (ease: a double pair, nps), page p2
(why_low: shown if nps <= 6, feelings: emotions, store: hidden).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from kohtaamo.accounts.permissions import Role
from kohtaamo.storage.db import Database
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys import service
from kohtaamo.surveys.definition import SurveyDefinition
from tests.factories import Factory, page_csrf
from tests.surveys.helpers import SurveyFixture, make_survey
from tests.web.conftest import Browser


@pytest.fixture
def fx(db: Database, factory: Factory) -> SurveyFixture:
    return make_survey(db, factory.organisation("Tapahtumatalo Oy"), publish=False)


@pytest.fixture
def client(factory: Factory, fx: SurveyFixture, browser: Browser) -> TestClient:
    return browser(factory.member(fx.org, Role.ANALYST), accept_language="en")


def edit(fx: SurveyFixture) -> str:
    return f"/feedback/surveys/{fx.survey_id}/edit"


def post(client: TestClient, fx: SurveyFixture, path: str, data: dict[str, Any]) -> Response:
    token = page_csrf(client, edit(fx))
    url = f"/feedback/surveys/{fx.survey_id}{path}"
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)


def latest(db: Database, fx: SurveyFixture) -> tuple[int, bool, SurveyDefinition]:
    with db.transaction(fx.org.id, readonly=True) as session:
        version = service.get_version(session, fx.actor, fx.survey_id)
        return version.number, version.published_at is not None, service.definition_of(version)


def layout(definition: SurveyDefinition) -> list[list[str]]:
    return [[q.key for q in page.questions] for page in definition.pages]


def question_form(**values: str) -> dict[str, str]:
    base = {"text.fi": "Maksaminen", "text.en": "Paying", "show_if.op": "eq"}
    return {**base, **values}


def test_the_editor_says_which_version_it_edits(
    db: Database, fx: SurveyFixture, client: TestClient
) -> None:
    draft = client.get(edit(fx))
    with db.transaction(fx.org.id) as session:
        service.do_publish(session, fx.actor, fx.survey_id)
    published = client.get(edit(fx))

    assert "Editing version 1 (draft)." in draft.text
    assert "Version 1 is published and frozen. Your next change makes version 2 (draft)" in (
        published.text
    )


def test_adding_a_pair_to_a_published_survey_makes_draft_version_2(
    db: Database, fx: SurveyFixture, client: TestClient
) -> None:
    with db.transaction(fx.org.id) as session:
        service.do_publish(session, fx.actor, fx.survey_id)

    sent = post(
        client,
        fx,
        "/questions",
        {"type": "expectation_experience", "text": "Lipun toimitus", "page": "p1"},
    )

    assert sent.status_code == 303, sent.text
    assert sent.headers["location"].endswith("?done=added&open=q6#q-q6")
    number, published, definition = latest(db, fx)
    assert (number, published) == (2, False)
    assert layout(definition) == [["ease", "nps", "q6"], ["why_low", "feelings", "store"]]
    added = definition.question("q6")
    assert (
        added is not None and added.pair_form == "double" and added.text == {"fi": "Lipun toimitus"}
    )
    with db.transaction(fx.org.id, readonly=True) as session:
        live = repo.version(session, fx.survey_id, 1)
        assert live is not None and "q6" not in str(live.definition)
    assert "Editing version 2 (draft)." in client.get(edit(fx)).text


def test_a_question_on_a_new_page_and_from_the_type_list_only(
    db: Database, fx: SurveyFixture, client: TestClient
) -> None:
    no_type = post(client, fx, "/questions", {"text": "x"})
    choice = post(client, fx, "/questions", {"type": "single_choice", "text": "Mikä?", "page": ""})

    assert no_type.status_code == 422
    assert "Choose a question type or a question from the bank." in no_type.text
    assert choice.status_code == 303
    _, _, definition = latest(db, fx)
    assert layout(definition)[-1] == ["q6"]
    assert [c.key for c in definition.questions()[-1].choices] == ["option_1", "option_2"]


def test_a_question_is_edited_in_three_languages(
    db: Database, fx: SurveyFixture, client: TestClient
) -> None:
    form = question_form(
        **{
            "text.sv": "Betalning",
            "help.en": "Think of the last time",
            "required": "on",
            "touchpoint": "website",
            "pair_form": "compared",
            "scale.min_label.fi": "Paljon huonompi",
            "scale.max_label.sv": "Mycket bättre",
            "show_if.question": "",
        }
    )

    sent = post(client, fx, "/questions/ease", form)

    assert sent.status_code == 303, sent.text
    _, _, definition = latest(db, fx)
    q = definition.question("ease")
    assert q is not None
    assert q.text == {"fi": "Maksaminen", "en": "Paying", "sv": "Betalning"}
    assert q.help == {"en": "Think of the last time"}
    assert (q.required, q.touchpoint, q.pair_form) == (True, "website", "compared")
    assert q.scale is not None and (q.scale.min, q.scale.max) == (-2, 2)
    assert (q.scale.min_label, q.scale.max_label) == (
        {"fi": "Paljon huonompi"},
        {"sv": "Mycket bättre"},
    )


def test_choices_and_a_condition_on_an_earlier_question(
    db: Database, fx: SurveyFixture, client: TestClient
) -> None:
    post(client, fx, "/questions", {"type": "multiple_choice", "text": "Mitä ostit?", "page": "p2"})
    form = question_form(
        **{
            "choices": "lippu | Lippu | Ticket | Biljett\nErittäin hyvä",
            "max_choices": "1",
            "show_if.question": "nps",
            "show_if.op": "in",
            "show_if.value": "9, 10",
        }
    )

    sent = post(client, fx, "/questions/q6", form)

    assert sent.status_code == 303, sent.text
    q = latest(db, fx)[2].question("q6")
    assert q is not None
    assert [(c.key, c.label) for c in q.choices] == [
        ("lippu", {"fi": "Lippu", "en": "Ticket", "sv": "Biljett"}),
        ("erittain_hyva", {"fi": "Erittäin hyvä"}),
    ]
    assert q.max_choices == 1
    assert q.show_if is not None and (q.show_if.op, q.show_if.value) == ("in", [9, 10])


def test_errors_are_shown_next_to_the_field_and_nothing_is_saved(
    db: Database, fx: SurveyFixture, client: TestClient
) -> None:
    post(client, fx, "/questions", {"type": "rating", "text": "Arvosana", "page": "p2"})
    before = latest(db, fx)

    bad_scale = post(
        client, fx, "/questions/q6", question_form(**{"scale.min": "5", "scale.max": "1"})
    )
    later = post(
        client,
        fx,
        "/questions/nps",
        question_form(**{"show_if.question": "why_low", "show_if.value": "x"}),
    )
    no_text = post(
        client, fx, "/questions/q6", {"text.en": "Only English", "scale.min": "1", "scale.max": "5"}
    )

    assert bad_scale.status_code == 422
    card = bad_scale.text.split('id="q-q6"', 1)[1].split("</li>", 1)[0]
    assert "A scale needs between 2 and 11 points (min below max)." in card
    assert '<details class="question-edit" open>' in card
    assert 'value="5"' in card  # the form keeps what was typed
    assert later.status_code == 422
    nps_card = later.text.split('id="q-nps"', 1)[1].split("</li>", 1)[0]
    assert "can only depend on an earlier question" in nps_card
    assert no_text.status_code == 422
    assert "has no text in the default language" in no_text.text
    assert latest(db, fx) == before


def test_errors_are_in_the_users_language(
    db: Database, fx: SurveyFixture, factory: Factory, browser: Browser
) -> None:
    client = browser(factory.member(fx.org, Role.OWNER), accept_language="fi")
    sent = post(client, fx, "/questions/nps", {"text.fi": "", "show_if.op": "eq"})
    assert sent.status_code == 422
    card = sent.text.split('id="q-nps"', 1)[1].split("</li>", 1)[0]
    assert 'class="field-error"' in card


def test_questions_move_up_and_down_across_pages_and_by_position(
    db: Database, fx: SurveyFixture, client: TestClient
) -> None:
    post(client, fx, "/questions/why_low/move", {"direction": "up"})
    assert layout(latest(db, fx)[2]) == [["ease", "nps", "why_low"], ["feelings", "store"]]
    post(client, fx, "/questions/ease/move", {"direction": "down"})
    assert layout(latest(db, fx)[2]) == [["nps", "ease", "why_low"], ["feelings", "store"]]
    dragged = post(client, fx, "/questions/ease/move", {"page": "p2", "position": "1"})
    assert dragged.status_code == 303
    assert layout(latest(db, fx)[2]) == [["nps", "why_low"], ["feelings", "ease", "store"]]


def test_a_move_that_breaks_a_condition_is_refused(
    db: Database, fx: SurveyFixture, client: TestClient
) -> None:
    post(client, fx, "/questions/why_low/move", {"direction": "up"})
    refused = post(client, fx, "/questions/why_low/move", {"direction": "up"})  # above nps
    assert refused.status_code == 422
    assert layout(latest(db, fx)[2])[0] == ["ease", "nps", "why_low"]


def test_delete_question_and_page_and_title_a_page(
    db: Database, fx: SurveyFixture, client: TestClient
) -> None:
    titled = post(client, fx, "/pages/p2", {"title.fi": "Lopuksi", "title.sv": "Till sist"})
    assert titled.status_code == 303
    assert latest(db, fx)[2].pages[1].title == {"fi": "Lopuksi", "sv": "Till sist"}

    post(client, fx, "/questions/ease/delete", {})
    assert layout(latest(db, fx)[2]) == [["nps"], ["why_low", "feelings", "store"]]
    blocked = post(client, fx, "/pages/p1/move", {"direction": "down"})  # why_low needs nps
    assert blocked.status_code == 422
    post(client, fx, "/questions/why_low/delete", {})
    post(client, fx, "/pages/p1/move", {"direction": "down"})
    assert [p.key for p in latest(db, fx)[2].pages] == ["p2", "p1"]
    refused = post(client, fx, "/pages/p1/move", {"direction": "down"})  # already last: no-op
    assert refused.status_code == 303
    post(client, fx, "/pages/p2/delete", {})
    assert layout(latest(db, fx)[2]) == [["nps"]]
    last = post(client, fx, "/questions/nps/delete", {})
    assert last.status_code == 422
    assert "A survey needs at least one question." in last.text


def test_survey_texts_and_languages(db: Database, fx: SurveyFixture, client: TestClient) -> None:
    form = {
        "title.fi": "Palaute",
        "title.en": "Feedback",
        "thanks.sv": "Tack!",
        "lang.fi": "on",
        "lang.sv": "on",
        "default_language": "fi",
    }
    saved = post(client, fx, "/edit", form)
    wrong_default = post(client, fx, "/edit", {**form, "default_language": "en"})

    assert saved.status_code == 303
    definition = latest(db, fx)[2]
    assert (definition.title, definition.thanks) == (
        {"fi": "Palaute", "en": "Feedback"},
        {"sv": "Tack!"},
    )
    assert definition.languages == ["fi", "sv"]
    assert wrong_default.status_code == 422
    assert "The default language must be one of the survey&#39;s languages." in wrong_default.text


def test_preview_in_swedish_and_as_a_pane(
    db: Database, fx: SurveyFixture, client: TestClient
) -> None:
    page = client.get(f"/feedback/surveys/{fx.survey_id}/preview", params={"lang": "sv"})
    pane = client.get(
        f"/feedback/surveys/{fx.survey_id}/preview", params={"lang": "sv", "partial": "1"}
    )
    in_editor = client.get(edit(fx), params={"preview": "en"})

    assert page.status_code == 200
    assert 'lang="sv"' in page.text and "Hur gick köpet?" in page.text
    assert "Hur lätt det var att betala" in page.text
    assert "Suosittelisitko meitä?" in page.text  # no Swedish text: the default language
    assert pane.text.lstrip().startswith('<div id="preview-pane"')
    assert "<html" not in pane.text
    assert "How did buying go?" in in_editor.text


def test_preview_of_an_old_version(db: Database, fx: SurveyFixture, client: TestClient) -> None:
    with db.transaction(fx.org.id) as session:
        service.do_publish(session, fx.actor, fx.survey_id)
    post(
        client, fx, "/edit", {"title.fi": "Uusi otsikko", "lang.fi": "on", "default_language": "fi"}
    )

    old = client.get(f"/feedback/surveys/{fx.survey_id}/preview", params={"version": 1})
    new = client.get(f"/feedback/surveys/{fx.survey_id}/preview")
    missing = client.get(f"/feedback/surveys/{fx.survey_id}/preview", params={"version": 9})

    assert "Miten ostos sujui?" in old.text
    assert "Uusi otsikko" in new.text
    assert missing.status_code == 404


def test_viewers_may_preview_but_not_edit(
    factory: Factory, fx: SurveyFixture, browser: Browser
) -> None:
    viewer = browser(factory.member(fx.org, Role.VIEWER))
    assert viewer.get(f"/feedback/surveys/{fx.survey_id}/preview").status_code == 200
    assert viewer.get(edit(fx)).status_code == 403


def test_unknown_question_or_page_is_not_found(fx: SurveyFixture, client: TestClient) -> None:
    assert post(client, fx, "/questions/nope", question_form()).status_code == 404
    assert post(client, fx, "/pages/nope/delete", {}).status_code == 404
    assert post(client, fx, "/questions/BAD KEY/move", {"direction": "up"}).status_code == 404
