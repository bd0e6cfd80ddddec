"""Case pages: the inbox and its views, the case page whose buttons are the workflow
table's, moves refused with the table's reason, assignment and notes, in Finnish and
English, and another organisation's 404. (A manual case, rules and team members:
``test_cases_settings_pages``.)

Cases are written straight into the table in the state a test needs (the workflow's
own tests cover how they get there); moves go through the page's forms.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from kohtaamo.accounts.permissions import Role
from kohtaamo.cases import team_members, workflow
from kohtaamo.cases.models import Case, CaseEvent, CaseMessage
from kohtaamo.i18n import gettext
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.web.routes.case_page import REQUIREMENT_FIELDS
from tests.factories import Factory, Member, page_csrf
from tests.web.cases_desk import Desk, forms_of, make_desk, post_form, texts
from tests.web.conftest import Browser


@pytest.fixture
def desk(db: Database, owner: Member) -> Desk:
    return make_desk(db, owner)


# --- the inbox -------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["fi", "en"])
def test_inbox_views_count_and_filter(browser: Browser, desk: Desk, locale: str) -> None:
    me = desk.handler.user.id
    with desk.db.transaction(desk.org_id) as session:
        team_members.add_member(session, desk.survey.cat.team_id, me)
    soon = utcnow() + timedelta(minutes=30)
    mine = desk.case(assignee_id=me, title="Minun tapaukseni")
    breaching = desk.case(acknowledge_due_at=soon, title="Kiireellinen")
    desk.case("closed", closed_at=utcnow(), title="Suljettu tapaus")
    other_tp = desk.case(touchpoint_id=desk.tp("support"), team_id=None, title="Tuki")
    client = browser(desk.handler, accept_language=locale)

    page = client.get("/cases")
    assert page.status_code == 200
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', page.text))
    assert counts == {"mine": "1", "team": "2", "breaching": "1", "all": "3", "closed": "1"}
    assert "Minun tapaukseni" in page.text and "Kiireellinen" not in page.text

    team = client.get("/cases", params={"view": "team"}).text
    assert "Kiireellinen" in team and "Tuki" not in team
    breach = client.get("/cases", params={"view": "breaching"}).text
    assert "Kiireellinen" in breach and gettext(locale, "Breaching soon") in breach
    closed = client.get("/cases", params={"view": "closed"}).text
    assert "Suljettu tapaus" in closed and "Tuki" not in closed
    by_tp = client.get("/cases", params={"view": "all", "touchpoint": str(desk.tp("support"))})
    assert "Tuki" in by_tp.text and "Kiireellinen" not in by_tp.text
    assert re.search(r'data-count="all">1<', by_tp.text)
    assert f'href="/cases/{other_tp}"' in by_tp.text and f'href="/cases/{mine}"' not in by_tp.text
    assert f'href="/cases/{breaching}"' not in by_tp.text
    for state, label in workflow.STATE_LABELS.items():
        if state == "new":
            assert gettext(locale, label) in page.text


def test_viewer_has_no_cases_and_analyst_only_reads(
    browser: Browser, desk: Desk, factory: Factory
) -> None:
    case_id = desk.case()
    viewer = browser(factory.member(desk.handler.organisation, Role.VIEWER))
    assert viewer.get("/cases").status_code == 403
    assert viewer.get(f"/cases/{case_id}").status_code == 403
    analyst = browser(factory.member(desk.handler.organisation, Role.ANALYST), "en")
    page = analyst.get(f"/cases/{case_id}")
    assert page.status_code == 200
    assert forms_of(page.text) == {}  # reads the case, moves nothing
    token = page_csrf(analyst, "/cases")
    moved = analyst.post(
        f"/cases/{case_id}/move/no_contact",
        data={"csrf_token": token, "reason": "x"},
        follow_redirects=False,
    )
    assert moved.status_code == 403
    assert analyst.get("/cases/settings/rules").status_code == 403


# --- the case page ---------------------------------------------------------------------


def test_buttons_are_the_workflow_table(browser: Browser, desk: Desk) -> None:
    client = browser(desk.handler, "en")
    for state in workflow.State:
        case_id = desk.case(state.value)
        forms = forms_of(client.get(f"/cases/{case_id}").text)
        expected = workflow.available(state)
        assert list(forms) == [t.action for t in expected], state
        for t in expected:
            fields = [f for req in t.requires for f in REQUIREMENT_FIELDS[req]]
            assert forms[t.action] == fields, (state, t.action)


def test_changing_the_table_changes_the_buttons(
    browser: Browser, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = workflow.Transition(
        "call_back",
        frozenset({workflow.State.NEW}),
        workflow.State.ACKNOWLEDGED,
        "Call the customer",
        requires=("reason",),
    )
    monkeypatch.setattr(workflow, "TRANSITIONS", (*workflow.TRANSITIONS, extra))
    page = browser(desk.handler, "en").get(f"/cases/{desk.case()}").text
    assert forms_of(page)["call_back"] == ["reason"]
    assert "Call the customer" in page


def test_every_requirement_has_its_fields() -> None:
    named = {req for t in workflow.TRANSITIONS for req in t.requires}
    assert named <= set(REQUIREMENT_FIELDS)


@pytest.mark.parametrize("locale", ["fi", "en"])
def test_case_page_shows_the_case_and_its_customer(
    browser: Browser, desk: Desk, locale: str
) -> None:
    past = utcnow() - timedelta(hours=1)
    case_id = desk.case(
        "acknowledged",
        language="en",
        acknowledged_at=past,
        resolve_due_at=past,
        description="Kortti veloitettiin kahdesti.",
    )
    with desk.db.transaction(desk.org_id) as session:
        session.add(
            CaseEvent(
                organisation_id=desk.org_id,
                case_id=case_id,
                kind="note",
                actor_id=desk.handler.user.id,
                body="Soitin asiakkaalle.",
            )
        )
        session.add(
            CaseMessage(
                organisation_id=desk.org_id,
                case_id=case_id,
                direction="in",
                subject="Re: tapaus",
                body="Kiitos vastauksesta.",
            )
        )
    page = browser(desk.handler, accept_language=locale).get(f"/cases/{case_id}")
    assert page.status_code == 200
    html = page.text
    number = desk.get(case_id).number
    assert f"#{number}" in html
    expected = texts(locale, "Acknowledged", "Normal", "Breached", "Note")
    expected.append("englanti" if locale == "fi" else "English")
    for text in [*expected, "Kortti veloitettiin kahdesti.", "Soitin asiakkaalle."]:
        assert text in html, text
    assert desk.handler.user.name in html  # who wrote the note
    assert "Kiitos vastauksesta." in html and gettext(locale, "From the customer") in html
    for crm in ("Kanta-asiakas", "Uusimaa", "Gold", "1234.50", "asiakas-7"):
        assert crm in html, crm
    assert "Kassan kysely" in html and "NPS 3" in html  # the recent response with its NPS
    assert "Lippu" in html  # the touchpoint's journey
    assert ("Osto" if locale == "fi" else "Purchase") in html
    assert "Asiakaspalvelu" in html  # the team


def test_another_organisation_gets_404(browser: Browser, desk: Desk, factory: Factory) -> None:
    case_id = desk.case(title="Salainen")
    outsider = factory.member(factory.organisation("Toinen Oy"), Role.OWNER)
    client = browser(outsider, "en")
    assert client.get(f"/cases/{case_id}").status_code == 404
    token = page_csrf(client, "/cases")
    for path, form in (
        (f"/cases/{case_id}/move/no_contact", {"reason": "x"}),
        (f"/cases/{case_id}/assign", {"priority": "urgent"}),
        (f"/cases/{case_id}/note", {"body": "x"}),
    ):
        sent = client.post(path, data={"csrf_token": token, **form}, follow_redirects=False)
        assert sent.status_code == 404, path
    after = desk.get(case_id)
    assert (after.state, after.priority) == ("new", "normal")
    assert "Salainen" not in client.get("/cases", params={"view": "all"}).text


# --- moves -----------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["fi", "en"])
def test_a_refused_move_says_why_and_changes_nothing(
    browser: Browser, desk: Desk, locale: str
) -> None:
    case_id = desk.case("new")
    client = browser(desk.handler, locale)
    sent = post_form(client, f"/cases/{case_id}/move/take_action", {"action_note": "Korjattu."})
    assert sent.status_code == 409
    refusal = workflow.BY_ACTION["take_action"].refusal
    assert gettext(locale, refusal) in sent.text
    assert desk.get(case_id).state == "new"
    with desk.db.transaction(desk.org_id) as session:
        assert list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id))) == []


@pytest.mark.parametrize("locale", ["fi", "en"])
def test_a_move_without_what_it_needs_keeps_the_input(
    browser: Browser, desk: Desk, locale: str
) -> None:
    case_id = desk.case("no_contact")
    client = browser(desk.handler, locale)
    sent = post_form(client, f"/cases/{case_id}/move/take_action", {"action_note": "  "})
    assert sent.status_code == 422
    assert gettext(locale, "Describe the action taken.") in sent.text
    assert desk.get(case_id).state == "no_contact"

    done = post_form(
        client, f"/cases/{case_id}/move/take_action", {"action_note": "Hyvitys maksettu."}
    )
    assert done.status_code == 303
    assert desk.get(case_id).state == "action_taken"
    page = client.get(done.headers["location"]).text
    assert "Hyvitys maksettu." in page and desk.handler.user.name in page
    assert gettext(locale, "Action taken") in page
    assert list(forms_of(page)) == [t.action for t in workflow.available("action_taken")]


def test_close_records_the_root_cause(browser: Browser, desk: Desk) -> None:
    case_id = desk.case("no_contact", touchpoint_id=None)
    client = browser(desk.handler, "en")
    missing = post_form(client, f"/cases/{case_id}/move/close", {"root_cause_standard": ""})
    assert missing.status_code == 422
    assert "Record the root cause" in missing.text
    sent = post_form(
        client,
        f"/cases/{case_id}/move/close",
        {
            "root_cause_touchpoint_id": str(desk.tp("checkout")),
            "root_cause_theme": "",
            "root_cause_standard": "Maksu veloitetaan kerran",
            "root_cause_note": "Kassajärjestelmän virhe.",
        },
    )
    assert sent.status_code == 303, sent.text
    after = desk.get(case_id)
    assert (after.state, after.root_cause_touchpoint_id) == ("closed", desk.tp("checkout"))
    assert after.root_cause_standard == "Maksu veloitetaan kerran"
    assert after.open_key is None


def test_a_message_step_is_prefilled_and_sends_what_the_handler_wrote(
    browser: Browser, desk: Desk
) -> None:
    templates = pytest.importorskip("kohtaamo.cases.templates")
    case_id = desk.case("new", language="en")
    client = browser(desk.handler, "fi")
    with desk.db.transaction(desk.org_id) as session:
        case = session.get(Case, case_id)
        subject, _body = templates.render(session, case, "acknowledge")
    page = client.get(f"/cases/{case_id}").text
    assert f'value="{subject}"' in page.replace("&#39;", "'")
    sent = post_form(
        client,
        f"/cases/{case_id}/move/acknowledge",
        {"message_subject": "We heard you", "message_body": "Dear customer, thank you."},
    )
    assert sent.status_code == 303, sent.text
    assert desk.get(case_id).state == "acknowledged"
    with desk.db.transaction(desk.org_id) as session:
        message = session.scalar(select(CaseMessage).where(CaseMessage.case_id == case_id))
        assert message is not None and message.subject == "We heard you"
        assert message.body.startswith("Dear customer, thank you.")


# --- assignment and notes --------------------------------------------------------------


def test_assign_and_note(browser: Browser, desk: Desk, factory: Factory) -> None:
    handler = factory.member(desk.handler.organisation, Role.CASE_HANDLER)
    case_id = desk.case()
    client = browser(desk.handler, "en")
    sent = post_form(
        client,
        f"/cases/{case_id}/assign",
        {
            "team_id": str(desk.survey.cat.team_id),
            "assignee_id": str(handler.user.id),
            "priority": "urgent",
        },
    )
    assert sent.status_code == 303, sent.text
    after = desk.get(case_id)
    assert (after.assignee_id, after.priority) == (handler.user.id, "urgent")
    mine = browser(handler, "en").get("/cases").text
    assert after.title in mine

    stranger = factory.member(factory.organisation("Muu Oy"), Role.OWNER)
    refused = post_form(client, f"/cases/{case_id}/assign", {"assignee_id": str(stranger.user.id)})
    assert refused.status_code == 422
    assert desk.get(case_id).assignee_id == handler.user.id

    empty = post_form(client, f"/cases/{case_id}/note", {"body": " "})
    assert empty.status_code == 422 and "Write the note." in empty.text
    noted = post_form(client, f"/cases/{case_id}/note", {"body": "Asiakas soitti uudelleen."})
    assert noted.status_code == 303
    assert "Asiakas soitti uudelleen." in client.get(f"/cases/{case_id}").text
