"""The template editor pages: the list by key and language, editing with a preview, a
refused placeholder shown next to its field, reset to the default."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from kohtaamo.accounts.permissions import Role
from kohtaamo.cases.models import MessageTemplate
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from tests.factories import Factory, csrf_from, sign_in

PAGE = "/cases/settings/templates"


def _signed_in(client: TestClient, factory: Factory, role: Role = Role.ADMIN) -> Factory:
    org = factory.organisation(name="Kohtaamo Oy")
    member = factory.member(org, role, locale="en")
    sign_in(client, member.user.email)
    return factory


def test_the_list_shows_every_key_in_every_language(client: TestClient, factory: Factory) -> None:
    _signed_in(client, factory)
    page = client.get(PAGE)
    assert page.status_code == 200
    for key in ("acknowledge", "apology_plan", "resolved", "followup"):
        for lang in ("fi", "en", "sv"):
            assert f'href="{PAGE}/{key}/{lang}"' in page.text
    assert "Vi har hört dig" in page.text  # the Swedish default subject


def test_preview_fills_example_values_without_saving(
    client: TestClient, factory: Factory, db: Database
) -> None:
    _signed_in(client, factory)
    page = client.get(f"{PAGE}/acknowledge/en")
    assert "Dear Jane Doe," in page.text  # the default, previewed
    answer = client.post(
        f"{PAGE}/acknowledge/en",
        data={
            "csrf_token": csrf_from(page.text),
            "subject": "Case {case_number}",
            "body": "Hi {customer_name}, from {organisation}",
            "action": "preview",
        },
    )
    assert answer.status_code == 200
    assert "Hi Jane Doe, from Kohtaamo Oy" in answer.text
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        assert session.execute(select(MessageTemplate.id)).all() == []


def test_an_unknown_placeholder_is_shown_next_to_the_field_and_not_saved(
    client: TestClient, factory: Factory, db: Database
) -> None:
    _signed_in(client, factory)
    page = client.get(f"{PAGE}/resolved/fi")
    answer = client.post(
        f"{PAGE}/resolved/fi",
        data={"csrf_token": csrf_from(page.text), "subject": "Valmis", "body": "Hei {nimi}"},
    )
    assert answer.status_code == 422
    assert "Unknown placeholder {nimi}" in answer.text
    assert "Hei {nimi}" in answer.text  # the input is kept
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        assert session.execute(select(MessageTemplate.id)).all() == []


def test_save_then_reset(client: TestClient, factory: Factory) -> None:
    _signed_in(client, factory)
    page = client.get(f"{PAGE}/followup/sv")
    form = {
        "csrf_token": csrf_from(page.text),
        "subject": "Blev det bra?",
        "body": "Svara här: {followup_link}",
    }
    saved = client.post(f"{PAGE}/followup/sv", data=form, follow_redirects=False)
    assert saved.status_code == 303
    listing = client.get(saved.headers["location"])
    assert "The template was saved." in listing.text and "Blev det bra?" in listing.text
    edit = client.get(f"{PAGE}/followup/sv")
    assert "Reset to the default text" in edit.text
    reset = client.post(
        f"{PAGE}/followup/sv",
        data={**form, "action": "reset", "csrf_token": csrf_from(edit.text)},
        follow_redirects=False,
    )
    assert reset.status_code == 303
    assert "Blev det bra?" not in client.get(PAGE).text


def test_an_unknown_template_is_not_found(client: TestClient, factory: Factory) -> None:
    _signed_in(client, factory)
    assert client.get(f"{PAGE}/welcome/fi").status_code == 404
    assert client.get(f"{PAGE}/acknowledge/de").status_code == 404


def test_a_case_handler_may_not_edit_templates(client: TestClient, factory: Factory) -> None:
    _signed_in(client, factory, Role.CASE_HANDLER)
    assert client.get(PAGE).status_code == 403
