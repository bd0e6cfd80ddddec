"""The respondent's survey pages, through the app: rendering every question type in the
respondent's language, page-by-page saving and resuming, validation, personal links,
idempotency and the anti-abuse checks. The survey is the one of ``tests.surveys.helpers``
(page 1: a double expectation–experience pair and NPS; page 2: a comment shown only to
detractors, emotions and the hidden ``store`` field) unless a test builds its own.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from kohtaamo.app import create_app
from kohtaamo.config import Settings
from kohtaamo.i18n import KEYWORDS, gettext, po_path
from kohtaamo.i18n.extract import extract_python
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.surveys import invitations, service
from kohtaamo.surveys.models import SurveyInvitation, SurveyMeasure, SurveyResponse
from kohtaamo.surveys.schemas import SurveyIn, SurveySettings
from tests.factories import Factory
from tests.surveys.helpers import SurveyFixture, make_survey

BASE_URL = "http://127.0.0.1:8000"
PAGE_1 = {"q:ease:expected": "4", "q:ease:experienced": "2", "q:nps": "5"}
PAGE_2 = {"q:why_low": "Jono oli pitkä", "q:feelings": ["sadness", "anger"]}


@pytest.fixture
def survey(db: Database, factory: Factory) -> SurveyFixture:
    return make_survey(db, factory.organisation())


def token_of(response: Response) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', response.text)
    assert found, response.text[:2000]
    return found.group(1)


def send(
    client: TestClient, slug: str, page: Response, answers: dict[str, Any], **extra: str
) -> Response:
    return client.post(f"/s/{slug}", data={"form_token": token_of(page), **answers, **extra})


def responses(db: Database) -> list[SurveyResponse]:
    with db.transaction(None, readonly=True) as session:
        return list(
            session.scalars(
                select(SurveyResponse).execution_options(all_tenants="test reads every response")
            )
        )


def measure_count(db: Database) -> int:
    with db.transaction(None, readonly=True) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(SurveyMeasure)
                .execution_options(all_tenants="test counts every measure")
            )
            or 0
        )


# --- rendering ---------------------------------------------------------------------------

EVERY_TYPE: dict[str, Any] = {
    "default_language": "fi",
    "languages": ["fi", "sv"],
    "title": {"fi": "Kaikki kysymykset", "sv": "Alla frågor"},
    "thanks": {"fi": "Kiitos paljon!", "sv": "Tack så mycket!"},
    "pages": [
        {
            "key": "only",
            "questions": [
                {"key": "nps", "type": "nps", "text": {"fi": "Suosittelisitko?"}},
                {"key": "csat", "type": "csat", "text": {"fi": "Tyytyväisyys"}},
                {"key": "ces", "type": "ces", "text": {"fi": "Helppous"}},
                {
                    "key": "rating",
                    "type": "rating",
                    "text": {"fi": "Siisteys"},
                    "scale": {
                        "min": 1,
                        "max": 4,
                        "min_label": {"fi": "Likainen"},
                        "max_label": {"fi": "Puhdas"},
                    },
                },
                {
                    "key": "pair",
                    "type": "expectation_experience",
                    "pair_form": "double",
                    "text": {"fi": "Palvelun nopeus"},
                },
                {
                    "key": "compared",
                    "type": "expectation_experience",
                    "pair_form": "compared",
                    "text": {"fi": "Ruoka odotuksiin verrattuna"},
                },
                {"key": "feel", "type": "emotion", "text": {"fi": "Tunteet"}},
                {
                    "key": "one",
                    "type": "single_choice",
                    "text": {"fi": "Kanava"},
                    "choices": [
                        {"key": "web", "label": {"fi": "Verkko"}},
                        {"key": "shop", "label": {"fi": "Myymälä"}},
                    ],
                },
                {
                    "key": "many",
                    "type": "multiple_choice",
                    "text": {"fi": "Tuotteet"},
                    "choices": [
                        {"key": "a", "label": {"fi": "Kahvi"}},
                        {"key": "b", "label": {"fi": "Pulla"}},
                    ],
                },
                {"key": "free", "type": "text", "text": {"fi": "Kerro lisää"}, "max_length": 300},
                {"key": "again", "type": "yes_no", "text": {"fi": "Tulisitko uudelleen?"}},
                {"key": "store", "type": "hidden"},
            ],
        }
    ],
}


def every_type_survey(db: Database, factory: Factory) -> str:
    org = factory.organisation()
    owner = factory.member(org).actor
    with db.transaction(org.id) as session:
        created = service.do_create_survey(
            session,
            owner,
            SurveyIn(key="kaikki", name="Kaikki", definition=EVERY_TYPE),
        )
        service.do_publish(session, owner, created.id)
        return created.slug


def test_every_question_type_is_drawn_accessibly(
    client: TestClient, db: Database, factory: Factory
) -> None:
    slug = every_type_survey(db, factory)

    page = client.get(f"/s/{slug}?store=tre", headers={"accept-language": "fi"})

    html = page.text
    assert page.status_code == 200
    assert '<html lang="fi">' in html and "Kaikki kysymykset" in html
    assert "kohtaamo" not in html.lower().split("<body>")[1].split("<main")[0]  # no staff nav
    # scales: a fieldset with a legend and one real radio input per point, with labels
    assert len(re.findall(r'name="q:nps" value="\d+"', html)) == 11
    assert len(re.findall(r'name="q:csat"', html)) == 5
    assert len(re.findall(r'name="q:ces"', html)) == 7
    assert len(re.findall(r'name="q:rating"', html)) == 4
    assert "Likainen" in html and "Puhdas" in html
    assert html.count("<legend") >= 12  # every grouped question, and the pair's two rows
    for point in range(11):
        assert f'<label for="q-nps-{point + 1}">{point}</label>' in html
    # the pair in both forms: two rows on one scale, and one worded comparison scale
    assert len(re.findall(r'name="q:pair:expected"', html)) == 5
    assert len(re.findall(r'name="q:pair:experienced"', html)) == 5
    assert "Mitä odotin" in html or "What I expected" in html
    assert len(re.findall(r'name="q:compared" value="-?\d"', html)) == 5
    # emotions with their emoji (hidden from screen readers) and words
    assert html.count('name="q:feel"') == 10
    assert '<span class="emoji" aria-hidden="true">😊</span> Ilahtunut' in html
    assert 'type="radio" id="q-one-1" name="q:one" value="web"' in html
    assert 'type="checkbox" id="q-many-2" name="q:many" value="b"' in html
    assert re.search(r'<textarea id="q-free-input" name="q:free"[^>]*maxlength="300"', html)
    assert 'name="q:again" value="yes"' in html and 'name="q:again" value="no"' in html
    # the hidden field is never shown, but its value from the link is kept (signed)
    form = html.split("<form")[1]
    assert "q:store" not in form and 'value="tre"' not in form
    assert f'href="/s/{slug}?store=tre&amp;lang=sv"' in html  # the switcher keeps the link
    assert 'autocomplete="off"' in html and 'tabindex="-1"' in html  # the honeypot

    done = send(client, slug, page, {"q:nps": "10", "q:again": "yes"})

    assert done.status_code == 200 and "Kiitos paljon!" in done.text
    (stored,) = responses(db)
    assert stored.answers == {"nps": 10, "again": True, "store": "tre"}
    assert stored.finished_at is not None and stored.channel == "link"


def test_language_from_query_then_browser_then_default(
    client: TestClient, db: Database, factory: Factory
) -> None:
    slug = every_type_survey(db, factory)

    swedish = client.get(f"/s/{slug}", headers={"accept-language": "sv-SE,en;q=0.5"})
    english_browser = client.get(f"/s/{slug}", headers={"accept-language": "en"})
    asked = client.get(f"/s/{slug}?lang=fi", headers={"accept-language": "sv"})

    assert '<html lang="sv">' in swedish.text and "Alla frågor" in swedish.text
    assert swedish.headers["content-language"] == "sv"
    assert "Glad" in swedish.text  # emotions in Swedish from the catalogue
    assert '<html lang="fi">' in english_browser.text  # no English: the default
    assert '<html lang="fi">' in asked.text
    # the switcher offers the survey's languages, each named in itself
    assert f'href="/s/{slug}?lang=sv" lang="sv" hreflang="sv"' in asked.text
    assert ">English<" not in asked.text


def test_draft_closed_and_unknown_surveys_answer_in_the_respondent_layout(
    client: TestClient, db: Database, factory: Factory
) -> None:
    draft = make_survey(db, factory.organisation(), publish=False)
    closed = make_survey(db, factory.organisation())
    with db.transaction(closed.org.id) as session:
        service.do_close(session, closed.actor, closed.survey_id)

    for path, status, title in (
        (f"/s/{draft.slug}", 404, "Enkäten hittades inte"),
        ("/s/no-such-survey", 404, "Enkäten hittades inte"),
        (f"/s/{closed.slug}", 410, "Enkäten har avslutats"),
    ):
        page = client.get(path, headers={"accept-language": "sv-FI"})
        assert page.status_code == status, path
        assert 'class="problem"' in page.text and "mainnav" not in page.text
        assert '<html lang="sv">' in page.text and title in page.text
        assert page.headers["content-language"] == "sv"
    finnish = client.get(f"/s/{closed.slug}", headers={"accept-language": "fi"})
    assert '<html lang="fi">' in finnish.text


# --- page by page, resuming, logic -------------------------------------------------------


def test_pages_are_saved_one_at_a_time_and_resumed_by_cookie(
    client: TestClient, db: Database, survey: SurveyFixture
) -> None:
    first = client.get(f"/s/{survey.slug}?store=tre")
    cookie = first.headers["set-cookie"]
    assert "kohtaamo_resume=" in cookie and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie.replace("Lax", "lax") and f"Path=/s/{survey.slug}" in cookie

    second = send(client, survey.slug, first, PAGE_1)

    assert second.status_code == 200 and "Mikä meni pieleen?" in second.text  # nps 5: shown
    (partial,) = responses(db)
    assert partial.finished_at is None and partial.pages_done == ["p1"]
    assert partial.answers == {"ease": {"expected": 4, "experienced": 2}, "nps": 5, "store": "tre"}
    assert partial.resume_hash is not None

    reopened = client.get(f"/s/{survey.slug}")  # the same browser, later

    assert "Mikä meni pieleen?" in reopened.text and 'name="q:nps"' not in reopened.text
    done = send(client, survey.slug, reopened, PAGE_2)
    assert done.status_code == 200 and 'class="thanks"' in done.text
    (finished,) = responses(db)
    assert finished.id == partial.id and finished.finished_at is not None
    assert finished.answers["feelings"] == ["sadness", "anger"]
    assert finished.answers["store"] == "tre" and not finished.flagged
    assert measure_count(db) == 3  # expectation, experience, NPS

    # Finished: the same link starts a new response rather than a conflict.
    again = client.get(f"/s/{survey.slug}")
    assert 'name="q:nps"' in again.text


def test_logic_hides_questions_and_skips_empty_pages(
    client: TestClient, db: Database, factory: Factory
) -> None:
    promoter = {**PAGE_1, "q:nps": "9"}
    survey = make_survey(db, factory.organisation())
    first = client.get(f"/s/{survey.slug}")

    second = send(client, survey.slug, first, promoter)

    assert "Mikä meni pieleen?" not in second.text and "Miltä tuntui?" in second.text
    assert 'class="thanks"' in send(client, survey.slug, second, {}).text
    (stored,) = responses(db)
    assert "why_low" not in stored.answers and stored.pages_done == ["p1", "p2"]


def test_errors_are_shown_next_to_their_question_with_answers_kept(
    client: TestClient, db: Database, survey: SurveyFixture
) -> None:
    first = client.get(f"/s/{survey.slug}?lang=sv")

    wrong = send(client, survey.slug, first, {"q:ease:expected": "3", "q:nps": "11"})

    assert wrong.status_code == 422
    html = wrong.text
    assert '<html lang="sv">' in html
    assert "Välj ett heltal från 0 till 10." in html  # the NPS problem, in Swedish
    assert "Bedöm både vad du förväntade dig och vad du upplevde." in html  # the pair
    assert 'aria-describedby="q-nps-ends q-nps-error"' in html
    assert '<p class="error" id="q-nps-error">' in html
    assert 'id="q-ease-expected-3" name="q:ease:expected" value="3" checked' in html
    assert responses(db) == []


def test_a_double_click_on_the_last_page_stores_one_response(
    client: TestClient, db: Database, survey: SurveyFixture
) -> None:
    second = send(client, survey.slug, client.get(f"/s/{survey.slug}"), PAGE_1)

    once = send(client, survey.slug, second, PAGE_2)
    twice = send(client, survey.slug, second, PAGE_2)

    assert (once.status_code, twice.status_code) == (200, 200)
    assert 'class="thanks"' in twice.text
    assert len(responses(db)) == 1 and measure_count(db) == 3


def test_a_forged_or_foreign_form_token_stores_nothing(
    client: TestClient, db: Database, factory: Factory, survey: SurveyFixture
) -> None:
    other = make_survey(db, factory.organisation())
    foreign = client.get(f"/s/{other.slug}")
    token = token_of(client.get(f"/s/{survey.slug}"))

    forged = client.post(f"/s/{survey.slug}", data={"form_token": token[:-2] + "xx", **PAGE_1})
    crossed = send(client, survey.slug, foreign, PAGE_1)
    missing = client.post(f"/s/{survey.slug}", data=PAGE_1)

    for answer in (forged, crossed, missing):
        assert answer.status_code == 422 and 'class="problem"' in answer.text
    assert responses(db) == []


# --- personal links ----------------------------------------------------------------------


def invite(db: Database, survey: SurveyFixture, *, expired: bool = False) -> str:
    token, hashed = invitations.new_token()
    with db.transaction(survey.org.id) as session:
        session.add(
            SurveyInvitation(
                survey_id=survey.survey_id,
                email="asiakas@example.test",
                token_hash=hashed,
                status="sent",
                expires_at=utcnow() + timedelta(days=-1 if expired else 30),
            )
        )
    return token


def invitation_row(db: Database, survey: SurveyFixture) -> SurveyInvitation:
    with db.transaction(survey.org.id, readonly=True) as session:
        return session.scalars(select(SurveyInvitation)).one()


def test_a_personal_link_is_answered_once(
    client: TestClient, db: Database, survey: SurveyFixture
) -> None:
    token = invite(db, survey)
    first = client.get(f"/s/{survey.slug}?t={token}")
    assert invitation_row(db, survey).status == "opened"
    assert f'name="t" value="{token}"' in first.text
    assert "set-cookie" not in first.headers  # the token, not a cookie, names the response
    second = send(client, survey.slug, first, PAGE_1, t=token)
    other_tab = client.get(f"/s/{survey.slug}?t={token}")  # opened before the first finished
    assert "Mikä meni pieleen?" in other_tab.text  # the same response, at page 2

    done = send(client, survey.slug, second, PAGE_2, t=token)
    late = send(client, survey.slug, other_tab, PAGE_2, t=token)
    reopened = client.get(f"/s/{survey.slug}?t={token}")

    assert done.status_code == 200
    assert late.status_code == 409 and reopened.status_code == 409
    (stored,) = responses(db)
    assert stored.channel == "email" and stored.answers["why_low"] == "Jono oli pitkä"
    row = invitation_row(db, survey)
    assert stored.invitation_id == row.id and row.status == "finished"
    assert measure_count(db) == 3


@pytest.mark.parametrize(("expired", "status"), [(True, 410), (False, 404)])
def test_expired_and_unknown_personal_links(
    client: TestClient, db: Database, survey: SurveyFixture, expired: bool, status: int
) -> None:
    token = invite(db, survey, expired=expired) if expired else "not-a-real-token"

    page = client.get(f"/s/{survey.slug}?t={token}&lang=sv")

    assert page.status_code == status and 'class="problem"' in page.text
    assert "Den här enkätlänken" in page.text


# --- anti-abuse --------------------------------------------------------------------------


def test_honeypot_and_too_fast_responses_are_kept_but_flagged(
    client: TestClient, db: Database, factory: Factory
) -> None:
    trapped = make_survey(db, factory.organisation())
    hasty = make_survey(db, factory.organisation(), min_seconds=60)

    page = send(client, trapped.slug, client.get(f"/s/{trapped.slug}"), PAGE_1, website="x")
    send(client, trapped.slug, page, PAGE_2)
    page = send(client, hasty.slug, client.get(f"/s/{hasty.slug}"), PAGE_1)
    send(client, hasty.slug, page, PAGE_2)

    reasons = sorted(str(r.flag_reason) for r in responses(db) if r.finished_at and r.flagged)
    assert reasons == ["honeypot", "too_fast"]
    assert measure_count(db) == 0


def limited_app(settings: Settings, db: Database, **limits: Any) -> FastAPI:
    return create_app(settings.model_copy(update=limits), db)


def test_too_many_submissions_from_one_client_get_429(
    settings: Settings, db: Database, survey: SurveyFixture
) -> None:
    app = limited_app(settings, db, survey_submissions_per_client=2)
    with TestClient(app, base_url=BASE_URL) as client:
        page = client.get(f"/s/{survey.slug}")
        codes = [send(client, survey.slug, page, PAGE_1).status_code for _ in range(3)]
        refused = send(client, survey.slug, page, PAGE_1, lang="fi")

    assert codes == [200, 200, 429]
    assert int(refused.headers["retry-after"]) >= 1 and 'class="problem"' in refused.text
    assert len(responses(db)) == 1  # the two allowed posts were one page, saved once


def test_clients_behind_a_trusted_proxy_are_told_apart(
    settings: Settings, db: Database, survey: SurveyFixture
) -> None:
    app = limited_app(settings, db, survey_submissions_per_client=1, trusted_proxies=["testclient"])
    with TestClient(app, base_url=BASE_URL) as client:
        page = client.get(f"/s/{survey.slug}")
        codes = [
            client.post(
                f"/s/{survey.slug}",
                data={"form_token": token_of(page), **PAGE_1},
                headers={"x-forwarded-for": f"203.0.113.{n}"},
            ).status_code
            for n in (1, 2, 1)
        ]
    assert codes == [200, 200, 429]


def test_an_organisation_wide_limit(settings: Settings, db: Database, factory: Factory) -> None:
    org = factory.organisation()
    first, second = make_survey(db, org), None
    with db.transaction(org.id) as session:
        created = service.do_create_survey(
            session,
            first.actor,
            SurveyIn(
                key="toinen",
                name="Toinen",
                definition=make_definition(),
                settings=SurveySettings(min_seconds=0),
            ),
        )
        service.do_publish(session, first.actor, created.id)
        second = created.slug
    app = limited_app(settings, db, survey_submissions_per_organisation=1)
    with TestClient(app, base_url=BASE_URL) as client:
        ok = send(client, first.slug, client.get(f"/s/{first.slug}"), PAGE_1)
        refused = send(client, second, client.get(f"/s/{second}"), PAGE_1)
    assert (ok.status_code, refused.status_code) == (200, 429)


def make_definition() -> Any:
    from tests.surveys.helpers import definition

    return definition(None)


def test_a_body_over_the_limit_is_refused(
    settings: Settings, db: Database, survey: SurveyFixture
) -> None:
    app = limited_app(settings, db, max_body_bytes=4096)
    with TestClient(app, base_url=BASE_URL) as client:
        page = client.get(f"/s/{survey.slug}")
        answer = send(client, survey.slug, page, {**PAGE_1, "q:why_low": "x" * 10_000})
    assert answer.status_code == 413
    assert responses(db) == []


# --- Swedish ---------------------------------------------------------------------------

SOURCE = Path(__file__).resolve().parents[2] / "src" / "kohtaamo"
RESPONDENT_MODULES = (
    "web/routes/survey_public.py",
    "web/respond_lookup.py",
    "web/respond_view.py",
    "surveys/answers.py",
    "surveys/responses.py",
    "surveys/invitations.py",
)
# Problem titles and texts the app-wide handlers may show a respondent (413, 404...).
GENERIC = (
    "Bad request",
    "Not found",
    "Conflict",
    "Request too large",
    "The request body is too large.",
    "Invalid input",
    "Too many requests",
    "Internal error",
)


def respondent_msgids() -> set[str]:
    found: set[str] = set(GENERIC)
    files: list[tuple[Any, Path]] = [
        ("jinja2", p) for p in (SOURCE / "web" / "templates" / "respond").glob("*.html")
    ]
    files += [(extract_python, SOURCE / m) for m in RESPONDENT_MODULES]
    for method, path in files:
        for _line, message, _comments, _context in extract_from_file(
            method, str(path), keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_text_a_respondent_sees_has_a_swedish_translation() -> None:
    with po_path("sv").open("rb") as fh:
        swedish = read_po(fh, locale="sv")
    ids = respondent_msgids()
    assert "What I expected" in ids and "This question needs an answer." in ids  # extraction
    entries = {m: swedish.get(m) for m in ids}
    missing = sorted(m for m, entry in entries.items() if entry is None or not entry.string)
    assert not missing, f"add to locale/sv/LC_MESSAGES/messages.po: {missing}"
    assert gettext("sv", "Next") == "Nästa"
    assert gettext("sv", "Page %(n)s of %(total)s", n=1, total=2) == "Sida 1 av 2"
    assert gettext("en", "Next") == "Next"
