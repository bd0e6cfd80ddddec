"""Message templates: placeholders checked by name, defaults in every language, the
organisation's own texts, and rendering for a case in the customer's language."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from kohtaamo.accounts.models import Organisation
from kohtaamo.cases import links, templates
from kohtaamo.cases.models import Case, MessageTemplate
from kohtaamo.config import Settings
from kohtaamo.errors import InvalidInput
from kohtaamo.storage.db import Database
from tests.cases.helpers_messages import make_case
from tests.factories import Factory
from tests.journeys.helpers import seed


def _refusal(text: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        templates.validate(text)
    return caught.value


# --- validate: pure -------------------------------------------------------------------


def test_an_unknown_placeholder_is_refused_by_name() -> None:
    error = _refusal("Hei {customr_name}, kiitos!")
    assert error.params["name"] == "customr_name"
    assert "{customr_name}" in str(error)
    assert error.problems[0].field == "body"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Hei {customer_name", "braces"),
        ("Hei customer_name}", "braces"),
        ("Hei {}", "empty placeholder"),
        ("Hei {0}", "Unknown placeholder {0}"),
        ("{customer_name.__class__}", "Unknown placeholder {customer_name.__class__}"),
        ("{reply_link[0]}", "Unknown placeholder"),
        ("{customer_name!r}", "takes no format"),
        ("{case_number:>10}", "takes no format"),
    ],
)
def test_malformed_templates_are_refused_with_a_reason(text: str, says: str) -> None:
    assert says in str(_refusal(text))


def test_known_placeholders_and_literal_braces_pass() -> None:
    text = "Hei {customer_name}, tapaus {case_number} {{ei paikka}}"
    templates.validate(text)
    assert templates.placeholders_in(text) == ["customer_name", "case_number"]
    filled = templates.fill(text, {"customer_name": "Maija", "case_number": "7"})
    assert filled == "Hei Maija, tapaus 7 {ei paikka}"


def test_values_are_never_formatted_again() -> None:
    # A customer's name with braces in it stays as it is: values are not templates.
    out = templates.fill("Hei {customer_name}", {"customer_name": "{reply_link}"})
    assert out == "Hei {reply_link}"


def test_every_default_template_exists_and_is_valid() -> None:
    found = templates.default_templates()
    assert set(found) == {(k, lang) for k in templates.KEYS for lang in templates.LANGUAGES}
    for (key, lang), template in found.items():
        templates.check_template(template.subject, template.body)
        used = templates.placeholders_in(template.body)
        assert "customer_name" in used, (key, lang)
        link = "followup_link" if key == "followup" else "reply_link"
        assert link in used, (key, lang)
    for lang in templates.LANGUAGES:
        plan = templates.placeholders_in(found[("apology_plan", lang)].body)
        assert {"what_went_wrong", "plan_action", "plan_due"} <= set(plan)
    # Each language has its own words, not a copy of another's.
    bodies = {found[("acknowledge", lang)].body for lang in templates.LANGUAGES}
    assert len(bodies) == 3


# --- the organisation's own texts ------------------------------------------------------


def test_an_override_replaces_the_default_and_reset_brings_it_back(
    db: Database, factory: Factory
) -> None:
    org = factory.organisation()
    with db.transaction(org.id) as session:
        templates.save_template(
            session,
            "acknowledge",
            "fi",
            subject="Kiitos #{case_number}",
            body="Hei {customer_name}",
        )
    with db.transaction(org.id, readonly=True) as session:
        own = templates.template_of(session, "acknowledge", "fi")
        listed = {(t.key, t.language): t.overridden for t in templates.list_templates(session)}
    assert (own.subject, own.body, own.overridden) == (
        "Kiitos #{case_number}",
        "Hei {customer_name}",
        True,
    )
    assert listed[("acknowledge", "fi")] is True
    assert sum(listed.values()) == 1 and len(listed) == 12
    with db.transaction(org.id) as session:
        templates.reset_template(session, "acknowledge", "fi")
    with db.transaction(org.id, readonly=True) as session:
        back = templates.template_of(session, "acknowledge", "fi")
    assert back == templates.default_templates()[("acknowledge", "fi")]


def test_a_template_with_an_unknown_placeholder_is_not_stored(
    db: Database, factory: Factory
) -> None:
    org = factory.organisation()
    with pytest.raises(InvalidInput) as caught, db.transaction(org.id) as session:
        templates.save_template(
            session, "resolved", "en", subject="Done\nBcc: x@example.com", body="Hi {nimi}"
        )
    fields = {p.field: p for p in caught.value.problems}
    assert set(fields) == {"subject", "body"}
    assert fields["body"].params["name"] == "nimi"
    with db.transaction(org.id, readonly=True) as session:
        assert session.scalars(select(MessageTemplate)).all() == []


def test_another_organisations_override_is_not_used(db: Database, factory: Factory) -> None:
    mine, theirs = factory.organisation(), factory.organisation()
    with db.transaction(theirs.id) as session:
        templates.save_template(session, "followup", "en", subject="Theirs", body="{followup_link}")
    with db.transaction(mine.id, readonly=True) as session:
        assert templates.template_of(session, "followup", "en").subject != "Theirs"


# --- render for a case ------------------------------------------------------------------


def test_render_speaks_the_case_language_with_links_and_touchpoint(
    db: Database, factory: Factory, settings: Settings
) -> None:
    org = factory.organisation(name="Kohtaamo Oy")
    cat = seed(db, org)
    tp = cat.touchpoints["support"]
    case_id = make_case(db, org, language="sv", touchpoint_id=tp, contact_name="Maja")
    with db.transaction(org.id, readonly=True) as session:
        case = session.get(Case, case_id)
        assert case is not None
        subject, body = templates.render(session, case, "acknowledge", settings=settings)
    token = links.reply_token(settings.secret_key, org.id, case_id)
    assert subject == f"Vi har hört dig – ärende #{case.number}"
    assert body.startswith("Hej Maja,")
    assert "(support en)" in body  # no Swedish name: the English one, not a hole
    assert f"{settings.base_url}/c/{token}" in body
    assert "Kohtaamo Oy" in body
    assert "{" not in body


def test_render_leaves_the_plan_for_the_handler_until_there_is_one(
    db: Database, factory: Factory, settings: Settings
) -> None:
    org = factory.organisation()
    case_id = make_case(db, org, language="fi")
    with db.transaction(org.id) as session:
        case = session.get(Case, case_id)
        assert case is not None
        _, before = templates.render(session, case, "apology_plan", settings=settings)
        case.plan_what_went_wrong = "Paketti katosi."
        case.plan_action = "Lähetämme uuden."
        case.plan_due = date(2030, 3, 14)
        _, after = templates.render(session, case, "apology_plan", settings=settings)
    assert "{plan_action}" in before and "{what_went_wrong}" in before
    templates.validate(before)  # still a template the send step fills
    assert "Mikä meni vikaan: Paketti katosi." in after
    assert "Mitä teemme: Lähetämme uuden." in after
    assert "14. maaliskuuta 2030" in after


def test_an_unknown_case_language_falls_back_to_the_organisation_default(
    db: Database, factory: Factory, settings: Settings
) -> None:
    org = factory.organisation()
    with db.transaction(None) as session:
        found = session.get(Organisation, org.id)
        assert found is not None
        found.default_locale = "en"
    case_id = make_case(db, org, language="de", contact_name=None)
    with db.transaction(org.id, readonly=True) as session:
        case = session.get(Case, case_id)
        assert case is not None
        subject, body = templates.render(session, case, "resolved", settings=settings)
    assert subject.startswith("It has been put right")
    assert body.startswith("Dear customer,")


def test_render_uses_the_organisation_override(
    db: Database, factory: Factory, settings: Settings
) -> None:
    org = factory.organisation()
    case_id = make_case(db, org, language="en")
    with db.transaction(org.id) as session:
        templates.save_template(
            session,
            "followup",
            "en",
            subject="How did we do, {customer_name}?",
            body="Tell us: {followup_link}",
        )
        case = session.get(Case, case_id)
        assert case is not None
        subject, body = templates.render(session, case, "followup", settings=settings)
    assert subject == "How did we do, Maija Meikäläinen?"
    token = links.reply_token(settings.secret_key, org.id, case_id)
    assert body == f"Tell us: {settings.base_url}/c/{token}/followup"


def test_the_link_token_names_the_organisation_and_only_its_hash_is_kept() -> None:
    org, case = uuid.uuid4(), uuid.uuid4()
    token = links.reply_token("s" * 40, org, case)
    assert links.organisation_of_token(token) == org
    assert token == links.reply_token("s" * 40, org, case)  # every message, same link
    assert token != links.reply_token("t" * 40, org, case)
    assert links.organisation_of_token("nonsense") is None
    assert links.organisation_of_token("x" * 40 + ".abc") is None
    assert len(links.token_hash(token)) == 64
