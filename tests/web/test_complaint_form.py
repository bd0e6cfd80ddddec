"""The public complaint form ``/o/<slug>/complaint``: in Finnish, English and Swedish,
with the organisation's touchpoints to choose from; a complaint opens one high-priority
case (also when the form is sent twice), mistakes come back with the input kept, a bot
filling the trap opens nothing, and one organisation's form never reaches another's."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from kohtaamo.cases.models import Case
from kohtaamo.cases.rules import ensure_default_rules
from kohtaamo.i18n import gettext
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from tests.factories import Factory
from tests.journeys.helpers import Catalogue, seed

TEXT = "Lippuja ei tullut sähköpostiin, vaikka maksoin ne perjantaina.\nHaluan rahat takaisin."


@pytest.fixture
def cat(db: Database, factory: Factory) -> Catalogue:
    org = factory.organisation(name="Tapahtumatalo", slug="tapahtumatalo")
    return seed(db, org)


def token_of(page: Response) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def send(client: TestClient, slug: str, lang: str = "fi", **fields: str) -> Response:
    page = client.get(f"/o/{slug}/complaint?lang={lang}")
    assert page.status_code == 200, page.text
    return client.post(f"/o/{slug}/complaint", data={"form_token": token_of(page), **fields})


def cases(db: Database) -> list[Case]:
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        found = list(session.scalars(select(Case).order_by(Case.number)))
        session.expunge_all()
        return found


@pytest.mark.parametrize("lang", ["fi", "en", "sv"])
def test_the_form_speaks_the_customers_language(
    client: TestClient, cat: Catalogue, lang: str
) -> None:
    page = client.get(f"/o/tapahtumatalo/complaint?lang={lang}")
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in page.text and page.headers["content-language"] == lang
    assert html.escape(gettext(lang, "Make a complaint")) in page.text
    # The touchpoints to choose from, named in the language (Swedish falls back).
    name = {"fi": "checkout fi", "en": "checkout en", "sv": "checkout fi"}[lang]
    assert f'<option value="{cat.touchpoints["checkout"]}">{name}</option>' in page.text


def test_the_browsers_language_is_the_default(client: TestClient, cat: Catalogue) -> None:
    page = client.get("/o/tapahtumatalo/complaint", headers={"accept-language": "sv-FI,sv;q=0.9"})
    assert page.headers["content-language"] == "sv"


def test_a_complaint_opens_one_case_even_when_sent_twice(
    client: TestClient, db: Database, cat: Catalogue
) -> None:
    with db.transaction(cat.org.id) as session:
        ensure_default_rules(session)
    page = client.get("/o/tapahtumatalo/complaint?lang=sv")
    fields = {
        "form_token": token_of(page),
        "name": "Sara Lindqvist",
        "email": " Sara@Example.SE ",
        "text": TEXT,
        "touchpoint": str(cat.touchpoints["checkout"]),
    }
    first = client.post("/o/tapahtumatalo/complaint", data=fields)
    again = client.post("/o/tapahtumatalo/complaint", data=fields)
    assert (first.status_code, again.status_code) == (200, 200)
    thanks = gettext("sv", "Your case number is %(number)s.", number=1)
    assert html.escape(thanks) in first.text and html.escape(thanks) in again.text
    [case] = cases(db)
    assert (case.source, case.topic, case.priority, case.state) == (
        "complaint",
        "complaint",
        "high",
        "new",
    )
    assert (case.contact_email, case.contact_name, case.language) == (
        "sara@example.se",
        "Sara Lindqvist",
        "sv",
    )
    assert (case.touchpoint_id, case.team_id) == (cat.touchpoints["checkout"], cat.team_id)
    assert case.title == TEXT.splitlines()[0] and case.description == TEXT
    # A fresh form is a new complaint.
    send(client, "tapahtumatalo", email="sara@example.se", text="Toinen asia.")
    assert [c.number for c in cases(db)] == [1, 2]


def test_without_a_complaint_rule_it_is_still_a_high_priority_complaint(
    client: TestClient, db: Database, cat: Catalogue
) -> None:
    assert send(client, "tapahtumatalo", email="a@example.fi", text="Huono.").status_code == 200
    [case] = cases(db)
    assert (case.topic, case.priority, case.rule_id) == ("complaint", "high", None)


def test_mistakes_come_back_in_the_language_with_the_input_kept(
    client: TestClient, db: Database, cat: Catalogue
) -> None:
    sent = send(
        client,
        "tapahtumatalo",
        lang="en",
        name="Matti <b>",
        email="not-an-address",
        text="x" * 5001,
        touchpoint="00000000-0000-0000-0000-000000000000",
    )
    assert sent.status_code == 422
    assert sent.headers["content-language"] == "en"
    for message in (
        gettext("en", "Give a valid e-mail address."),
        gettext("en", "At most %(max)s characters.", max=5000),
        gettext("en", "Choose one of the places listed."),
    ):
        assert html.escape(message) in sent.text
    assert 'value="Matti &lt;b&gt;"' in sent.text and 'value="not-an-address"' in sent.text
    empty = send(client, "tapahtumatalo", lang="fi", email="a@example.fi", text="  ")
    assert empty.status_code == 422
    assert html.escape(gettext("fi", "Tell us what happened.")) in empty.text
    assert cases(db) == []


def test_a_forged_or_expired_form_opens_nothing(
    client: TestClient, db: Database, cat: Catalogue
) -> None:
    sent = client.post(
        "/o/tapahtumatalo/complaint",
        data={"form_token": "forged.token", "email": "a@example.fi", "text": "Huono."},
        headers={"accept-language": "fi"},
    )
    assert sent.status_code == 422
    assert (
        html.escape(gettext("fi", "The form has expired. Reload the page and try again."))
        in sent.text
    )
    assert 'value="a@example.fi"' in sent.text
    assert cases(db) == []


def test_a_bot_filling_the_trap_is_thanked_and_opens_nothing(
    client: TestClient, db: Database, cat: Catalogue
) -> None:
    sent = send(
        client, "tapahtumatalo", email="bot@example.fi", text="Buy now", website="http://spam"
    )
    assert sent.status_code == 200
    assert html.escape(gettext("fi", "Thank you")) in sent.text
    assert cases(db) == []


def test_another_organisations_form_never_reaches_this_one(
    client: TestClient, db: Database, factory: Factory, cat: Catalogue
) -> None:
    other = factory.organisation(name="Toinen", slug="toinen")
    mine = client.get("/o/tapahtumatalo/complaint")
    # This organisation's touchpoints are not offered on the other's form…
    theirs = client.get("/o/toinen/complaint")
    assert str(cat.touchpoints["checkout"]) not in theirs.text
    # …a form token of one organisation is refused by the other's form…
    sent = client.post(
        "/o/toinen/complaint",
        data={"form_token": token_of(mine), "email": "a@example.fi", "text": "Huono."},
    )
    assert sent.status_code == 422
    # …and this organisation's touchpoint cannot be chosen on the other's form.
    sent = send(
        client,
        "toinen",
        email="a@example.fi",
        text="Huono.",
        touchpoint=str(cat.touchpoints["checkout"]),
    )
    assert sent.status_code == 422
    send(client, "toinen", email="a@example.fi", text="Huono.")
    [case] = cases(db)
    assert case.organisation_id == other.id
    with db.transaction(cat.org.id, readonly=True) as session:
        assert session.scalars(select(Case)).all() == []


def test_an_unknown_organisation_is_a_404_in_the_customers_language(
    client: TestClient, cat: Catalogue
) -> None:
    for path in ("/o/nobody/complaint", "/o/" + "x" * 200 + "/complaint"):
        page = client.get(path + "?lang=sv")
        assert page.status_code == 404 and page.headers["content-language"] == "sv"
    posted = client.post("/o/nobody/complaint", data={"email": "a@example.fi"})
    assert posted.status_code == 404
