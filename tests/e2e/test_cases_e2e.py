"""The closed loop in a real browser, with real e-mail: a customer invited by e-mail
answers as a detractor (NPS 2); the detractor rule's job opens a case; a handler takes it
through the recovery workflow on the case page, each step's e-mail arriving at a real
SMTP server on 127.0.0.1 in the customer's language (English, while the handler works
in Finnish); the customer answers the follow-up through the link in the e-mail they
received, "put right"; the handler closes the case; the timeline tells it all.

The buttons are not hard-coded: each step is found by its label in the workflow table
(``workflow.TRANSITIONS``, translated as the page translates it), and the page must
offer exactly ``workflow.available(state)`` at every step.

The server is this module's own (jobs running, mail through SMTP), on its own database.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import py3langid
import pytest
from sqlalchemy import select

from kohtaamo.accounts import service as accounts
from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.permissions import Role
from kohtaamo.cases import workflow
from kohtaamo.cases.models import Case, CaseEvent, CaseMessage
from kohtaamo.cases.rules import ensure_default_rules
from kohtaamo.cases.team_members import add_member
from kohtaamo.i18n import gettext
from kohtaamo.journeys import service as journeys
from kohtaamo.journeys.catalogue import Channel, FactorGroup
from kohtaamo.journeys.customers import do_upsert_customers
from kohtaamo.journeys.schemas import CustomerIn, TeamIn, TouchpointIn
from kohtaamo.storage.db import Database
from kohtaamo.storage.migrate import upgrade
from kohtaamo.storage.tenancy import ALL_TENANTS
from kohtaamo.surveys import campaigns
from kohtaamo.surveys import service as surveys
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.schemas import SurveyIn, SurveySettings
from tests.conftest import TEST_SECRET, SmtpSink
from tests.e2e.conftest import Login, _free_port, _wait_until_up
from tests.e2e.test_ui import sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "kohtaamo-e2e-password"
HANDLER = Login("kasittelija@palvelu.example", PASSWORD, "Palvelu Oy", "")
HANDLER_LOCALE = "fi"  # the handler's profile language: the page's language
CUSTOMER_EMAIL = "grace.hopper@asiakas.example"  # .test is refused as special-use
WAIT_S = 30.0
HAPPY_PATH = ("acknowledge", "send_plan", "take_action", "resolve", "send_followup")
SURVEY: dict[str, Any] = {
    "default_language": "fi",
    "languages": ["fi", "en"],
    "title": {"fi": "Miten kassalla sujui?", "en": "How did the checkout go?"},
    "pages": [
        {
            "key": "p1",
            "questions": [
                {
                    "key": "nps",
                    "type": "nps",
                    "required": True,
                    "text": {
                        "fi": "Kuinka todennäköisesti suosittelisit meitä?",
                        "en": "How likely are you to recommend us?",
                    },
                },
                {
                    "key": "why",
                    "type": "text",
                    "text": {"fi": "Miksi?", "en": "Why?"},
                },
            ],
        }
    ],
}


@dataclass(frozen=True)
class World:
    url: str
    db: Database
    organisation_id: uuid.UUID
    touchpoint_id: uuid.UUID
    smtp: SmtpSink


def _seed(db: Database) -> tuple[uuid.UUID, uuid.UUID]:
    """An organisation with a handler in the team that owns the checkout, the suggested
    rules, an English-speaking customer and a published NPS survey, to
    which the customer is invited (the invitation leaves by the server's mail job)."""
    with db.transaction(ALL_TENANTS) as session:
        org = accounts.do_create_organisation(session, name=HANDLER.organisation, slug="palvelu")
        handler = accounts.do_create_user(
            session, email=HANDLER.email, name="Sanna Käsittelijä", password=PASSWORD,
            locale=HANDLER_LOCALE,
        )  # fmt: skip
    owner = Actor(organisation_id=org.id, role=Role.OWNER)
    with db.transaction(org.id) as session:
        accounts.do_add_member(session, user=handler, role=Role.CASE_HANDLER)
        team = journeys.do_create_team(session, owner, TeamIn(name="Verkkokauppa"))
        touchpoint = journeys.do_create_touchpoint(
            session,
            owner,
            TouchpointIn(
                key="web.checkout", name_fi="Verkkokassa", name_en="Checkout",
                channel=Channel("website"), factor_group=FactorGroup("functional"),
                owner_team_id=team.id,
            ),
        )  # fmt: skip
        add_member(session, team.id, handler.id)
        ensure_default_rules(session)
        do_upsert_customers(
            session,
            owner,
            [("C-1", CustomerIn.model_validate({
                "email": CUSTOMER_EMAIL, "locale": "en", "consents": {"surveys": True},
            }))],
        )  # fmt: skip
        survey = surveys.do_create_survey(
            session,
            owner,
            SurveyIn(
                key="kassa", name="Kassakysely", touchpoint="web.checkout",
                definition=SurveyDefinition.model_validate(SURVEY),
                settings=SurveySettings(min_seconds=0),
            ),
        )  # fmt: skip
        surveys.do_publish(session, owner, survey.id)
        campaigns.do_invite(
            session, owner, survey.id, segment=None, customer_external_ids=["C-1"],
            language=None, campaign="E2E",
        )  # fmt: skip
        return org.id, touchpoint.id


@pytest.fixture
def world(tmp_path: Path, smtp_server: SmtpSink) -> Iterator[World]:
    """The app under uvicorn with its job runner on, mailing through ``smtp_server``."""
    url = f"sqlite:///{tmp_path / 'cases-e2e.db'}"
    db = Database(url)
    upgrade(db.engine)
    org, touchpoint = _seed(db)
    base = f"http://127.0.0.1:{_free_port()}"
    env = os.environ | {
        "KOHTAAMO_MODE": "test",
        "KOHTAAMO_DATABASE_URL": url,
        "KOHTAAMO_SECRET_KEY": TEST_SECRET,
        "KOHTAAMO_BASE_URL": base,
        "KOHTAAMO_JOBS_MODE": "embedded",
        "KOHTAAMO_MAIL_BACKEND": "smtp",
        "KOHTAAMO_SMTP_HOST": smtp_server.host,
        "KOHTAAMO_SMTP_PORT": str(smtp_server.port),
    }
    log_path = tmp_path / "uvicorn.log"
    log = log_path.open("w")
    command = [sys.executable, "-m", "uvicorn", "--factory", "kohtaamo.app:create_app"]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", base.rsplit(":", 1)[1],
         "--log-level", "warning"],
        env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_until_up(base, process, log_path)
        yield World(base, db, org, touchpoint, smtp_server)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        db.dispose()


def _until(what: str, found: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"waited {WAIT_S:.0f} s for {what}")


def _body(message: Any) -> str:
    return str(message.get_body(preferencelist=("plain",)).get_content())


def _mails_to_customer(world: World) -> list[Any]:
    return [m for m in world.smtp.messages if CUSTOMER_EMAIL in m["X-RcptTo"]]


def _next_mail(world: World, seen: int, what: str) -> Any:
    mails = _until(what, lambda: _mails_to_customer(world)[seen:])
    return mails[0]


def _link(world: World, mail: Any, path: str) -> str:
    match = re.search(re.escape(world.url) + re.escape(path) + r"[^\s<>\"')]+", _body(mail))
    assert match, _body(mail)
    return match.group(0)


def _case(world: World) -> Case | None:
    with world.db.transaction(world.organisation_id, readonly=True) as session:
        return session.scalars(select(Case)).first()


def _browser(chromium: Any, world: World, locale: str) -> tuple[Any, list[str]]:
    context = chromium.new_context(base_url=world.url, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


def _label(action: str) -> str:
    return gettext(HANDLER_LOCALE, workflow.BY_ACTION[action].label)


def _offered(page: Any) -> list[str]:
    return [s.strip() for s in page.locator("details.move > summary").all_inner_texts()]


def _take(page: Any, action: str, world: World) -> dict[str, str]:
    """Open the step by its label, fill what the table says it requires, press it."""
    step = workflow.BY_ACTION[action]
    label = _label(action)
    move = page.locator("details.move").filter(
        has=page.locator("summary", has_text=re.compile(f"^\\s*{re.escape(label)}\\s*$"))
    )
    assert move.count() == 1, (label, _offered(page))
    if move.get_attribute("open") is None:
        move.locator("summary").click()
    sent: dict[str, str] = {}
    for need in step.requires:
        if need == "message":  # prefilled from the template in the customer's language
            sent["subject"] = move.locator("[name=message_subject]").input_value()
            sent["body"] = move.locator("[name=message_body]").input_value()
            assert sent["subject"].strip() and sent["body"].strip(), action
        elif need == "what_went_wrong":
            move.locator("[name=what_went_wrong]").fill("Payment failed twice at checkout.")
        elif need == "plan_action":
            move.locator("[name=plan_action]").fill("We refund the double charge.")
        elif need == "plan_due":
            move.locator("[name=plan_due]").fill((date.today() + timedelta(days=5)).isoformat())
        elif need == "action_note":
            move.locator("[name=action_note]").fill("Refund paid; timeout raised.")
        elif need == "root_cause":
            move.locator("[name=root_cause_touchpoint_id]").select_option(str(world.touchpoint_id))
            move.locator("[name=root_cause_theme]").select_option("ease_of_use")
            move.locator("[name=root_cause_standard]").fill("Payment succeeds first time")
        else:
            pytest.fail(f"the test does not know the requirement {need!r}")
    with page.expect_navigation():
        move.get_by_role("button", name=label).click()
    page.wait_for_load_state()
    state = page.locator(".case-state").get_attribute("data-state")
    alerts = page.locator(".alert, .field-error, [role=alert]").all_inner_texts()
    assert state == step.target.value, (action, alerts)
    return sent


# Its own server (start-up imports take a while on a busy machine) and a dozen page loads.
@pytest.mark.timeout(300)
def test_a_detractor_is_recovered_through_the_workflow_with_real_mail(
    chromium: Any, world: World, screenshot_dir: Path
) -> None:
    # The invitation leaves through the server's mail job to the SMTP server.
    invitation = _next_mail(world, 0, "the survey invitation")
    survey_link = _link(world, invitation, "/s/")

    customer, customer_errors = _browser(chromium, world, "en-GB")
    customer.goto(survey_link)
    customer.locator("input[name='q:nps'][value='2']").check(force=True)
    customer.locator("textarea").first.fill("The payment failed twice.")
    customer.locator("form button[type=submit]").last.click()
    customer.wait_for_load_state()

    case = _until("the detractor rule to open a case", lambda: _case(world))
    assert case.source == "rule" and case.state == workflow.State.NEW
    assert case.language == "en" and case.contact_email == CUSTOMER_EMAIL

    handler, handler_errors = _browser(chromium, world, "fi-FI")
    sign_in(handler, HANDLER)
    handler.goto("/cases?view=team")
    handler.locator(f"a[href='/cases/{case.id}']").first.click()
    handler.wait_for_load_state()
    assert handler.locator(".case-state").get_attribute("data-state") == "new"

    seen = 1  # the invitation
    for action in HAPPY_PATH:
        state = handler.locator(".case-state").get_attribute("data-state")
        assert _offered(handler) == [_label(t.action) for t in workflow.available(state)]
        sent = _take(handler, action, world)
        if workflow.BY_ACTION[action].message is None:
            continue
        mail = _next_mail(world, seen, f"the e-mail of {action}")
        seen += 1
        assert mail["Subject"] == sent["subject"].strip()
        assert py3langid.classify(_body(mail))[0] == "en", _body(mail)
    handler.screenshot(path=str(screenshot_dir / "case-follow-up-sent.png"), full_page=True)

    # The customer answers the follow-up through the link in the e-mail they received.
    followup_link = _link(world, mail, "/c/")
    customer.goto(followup_link)
    assert customer.locator("html").get_attribute("lang") == "en"
    customer.locator("label[for='outcome-put_right']").click()  # tapped on the label
    customer.locator("label[for='score-9']").click()
    customer.locator("textarea[name=comment]").fill("Refunded within two days, thank you!")
    with customer.expect_navigation():
        customer.locator("form button[type=submit]").last.click()
    answered = _until(
        "the follow-up answer", lambda: (c := _case(world)) and c.followup_outcome and c
    )
    assert (answered.followup_outcome, answered.followup_score) == ("put_right", 9)

    handler.reload()
    _take(handler, "close", world)
    assert _offered(handler) == [_label(t.action) for t in workflow.available("closed")]
    handler.screenshot(path=str(screenshot_dir / "case-closed.png"), full_page=True)

    with world.db.transaction(world.organisation_id, readonly=True) as session:
        closed = session.scalars(select(Case)).one()
        events = list(session.scalars(select(CaseEvent).order_by(CaseEvent.at, CaseEvent.id)))
        messages = list(session.scalars(select(CaseMessage).order_by(CaseMessage.created_at)))
    assert closed.state == "closed" and closed.open_key is None
    assert closed.root_cause_theme == "ease_of_use" and closed.followup_outcome == "put_right"
    moves = [(e.data.get("action"), e.from_state, e.to_state) for e in events
             if e.kind == "transition"]  # fmt: skip
    expected, state = [], workflow.State.NEW
    for action in (*HAPPY_PATH, "close"):
        target = workflow.transition(state, action).target
        expected.append((action, state.value, target.value))
        state = target
    assert moves == expected
    assert events[0].kind == "opened" and any(e.kind == "followup" for e in events)
    assert all(e.actor_label for e in events if e.kind == "transition")
    assert [m.template_key for m in messages if m.direction == "out"] == [
        workflow.BY_ACTION[a].message for a in HAPPY_PATH if workflow.BY_ACTION[a].message
    ]
    assert all(m.language == "en" for m in messages)
    timeline = handler.locator("#timeline li").all_inner_texts()
    assert len(timeline) >= len(expected) + 2
    assert not customer_errors and not handler_errors, customer_errors + handler_errors
