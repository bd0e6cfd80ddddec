"""Text pages: the overview, the comment browser (lemma search, filters, highlighted
decisive words, escaping), the theme editor (test before save, errors by the fields)
and emerging themes, in Finnish and English, and nothing of another organisation.

Comments are stored and analysed through the text service, as the analysis job does.
"""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kohtaamo.accounts import service as accounts
from kohtaamo.accounts.models import Organisation
from kohtaamo.accounts.permissions import Role
from kohtaamo.journeys.models import Customer
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from kohtaamo.text import theme_rules
from kohtaamo.text.models import TextTheme
from kohtaamo.text.service import CommentIn, analyse, submit_comments
from kohtaamo.web.security import SESSION_COOKIE
from tests.factories import Factory, csrf_from
from tests.journeys.helpers import seed
from tests.security.world import open_session
from tests.web.conftest import Browser

_refs = itertools.count(1)
MIXED = "Henkilökunta oli ihanaa, mutta jonossa meni tunti eikä kassa ollut hyvä."
PRICE = "Hinta oli aivan liian kallis."
SCRIPT = "<script>alert('x')</script> Palvelu oli huono."
CHARGING = [
    "Latausasemaa ei löytynyt.",
    "Latausasemat olivat varattuja.",
    "Latausaseman paikka oli hukassa.",
]
SECRET = "Salainen kommentti toisesta yrityksestä, jono oli pitkä."


@dataclass
class Org:
    org: Organisation
    touchpoints: dict[str, uuid.UUID]
    customer: uuid.UUID


def store(db: Database, org: Organisation, comments: list[CommentIn]) -> None:
    with db.transaction(org.id) as session:
        analyse(session, submit_comments(session, comments, analyse_later=False))


def comment(text: str, days_ago: int = 3, **extra: object) -> CommentIn:
    when = utcnow() - timedelta(days=days_ago)
    return CommentIn(text=text, source="import", ref=f"r{next(_refs)}", answered_at=when, **extra)  # type: ignore[arg-type]


def _org(db: Database, factory: Factory, name: str) -> Org:
    org = factory.organisation(name)
    cat = seed(db, org)
    with db.transaction(org.id) as session:
        customer = Customer(organisation_id=org.id, external_id="c1", segment="Kanta-asiakas")
        session.add(customer)
        session.flush()
        customer_id = customer.id
    return Org(org, cat.touchpoints, customer_id)


@pytest.fixture
def world(db: Database, factory: Factory) -> tuple[Org, Org]:
    mine, other = _org(db, factory, "Asema Oy"), _org(db, factory, "Muu Oy")
    store(
        db,
        mine.org,
        [
            comment(MIXED, touchpoint_id=mine.touchpoints["checkout"], customer_id=mine.customer),
            comment(PRICE, touchpoint_id=mine.touchpoints["website"]),
            comment(SCRIPT),
            *(comment(t, days_ago=2) for t in CHARGING * 2),
            comment("Kahvi oli hyvää.", days_ago=200),
        ],
    )
    store(db, other.org, [comment(SECRET, touchpoint_id=other.touchpoints["checkout"])])
    return mine, other


def signed_in(
    browser: Browser, factory: Factory, org: Organisation, role: Role, lang: str
) -> TestClient:
    """A browser of a new member with ``role``, signed in without the password form (the
    password hash costs seconds on a loaded machine; sign-in has its own tests)."""
    with factory.db.transaction(ALL_TENANTS) as session:
        user = accounts.do_create_user(
            session, email=f"t{next(_refs)}@example.test", name="Testi", password=None
        )
    with factory.db.transaction(org.id) as session:
        accounts.do_add_member(session, user=user, role=role)
    client = browser(accept_language=lang)
    client.cookies.set(SESSION_COOKIE, open_session(factory.db, user, org))
    return client


def texts(html: str) -> list[str]:
    """The comment texts of a browser page, tags out, entities decoded."""
    found = re.findall(r'<p class="comment-text"[^>]*>(.*?)</p>', html, re.S)
    return [
        unescape(re.sub(r"<span class=\"visually-hidden\">.*?</span>|<[^>]+>", "", t))
        for t in found
    ]


def test_overview_in_finnish_and_english(
    world: tuple[Org, Org], browser: Browser, factory: Factory
) -> None:
    mine, _ = world
    fi = signed_in(browser, factory, mine.org, Role.ANALYST, "fi").get("/text")
    en = signed_in(browser, factory, mine.org, Role.ANALYST, "en").get("/text")

    assert fi.status_code == en.status_code == 200
    assert '<html lang="fi">' in fi.text and '<html lang="en">' in en.text
    assert "Henkilökunnan asenne" in fi.text and "Staff attitude" in en.text
    assert "Themes by sentiment" in en.text and 'data-chart="chart-themes-spec"' in en.text
    rows = re.findall(
        r"theme=price[^>]*>Price</a></th>(.*?)</tr>",
        en.text,
    )
    assert rows and re.findall(r'<td class="num">(\d+)</td>', rows[0]) == ["1", "0", "0", "0", "1"]
    assert "checkout en" in en.text and "website en" in en.text  # by touchpoint
    assert "Secret" not in en.text and "Salainen" not in en.text
    # the 200-day-old comment is outside the default 90 days, inside 365
    assert "Food and drink" not in en.text.split('id="trend-title"')[0]
    year = signed_in(browser, factory, mine.org, Role.ANALYST, "en").get("/text?period=365d")
    assert "Food and drink" in year.text
    bad = signed_in(browser, factory, mine.org, Role.ANALYST, "en").get("/text?period=huh")
    assert bad.status_code == 422


def test_search_finds_inflected_forms_and_filters_narrow(
    world: tuple[Org, Org], browser: Browser, factory: Factory
) -> None:
    mine, _ = world
    client = signed_in(browser, factory, mine.org, Role.CASE_HANDLER, "en")

    everything = texts(client.get("/text/comments").text)
    assert len(everything) == 10 and all("Salainen" not in t for t in everything)
    assert texts(client.get("/text/comments", params={"q": "jono"}).text) == [MIXED]
    assert texts(client.get("/text/comments", params={"theme": "price"}).text) == [PRICE]
    negative = client.get("/text/comments", params={"sentiment": "negative"}).text
    labels = re.findall(r'<li class="comment comment-(\w+)"', negative)
    assert PRICE in texts(negative) and "Kahvi oli hyvää." not in texts(negative)
    assert labels and set(labels) == {"negative"} and len(labels) < len(everything)
    by_tp = client.get("/text/comments", params={"touchpoint": str(mine.touchpoints["website"])})
    assert texts(by_tp.text) == [PRICE]
    assert texts(client.get("/text/comments", params={"segment": "Kanta-asiakas"}).text) == [MIXED]
    assert len(texts(client.get("/text/comments", params={"period": "30d"}).text)) == 9
    wrong = client.get("/text/comments", params={"touchpoint": "nope", "sentiment": "angry"})
    assert wrong.status_code == 422
    assert 'id="f-touchpoint-error"' in wrong.text and 'id="f-sentiment-error"' in wrong.text


def test_the_browser_pages(
    world: tuple[Org, Org], db: Database, browser: Browser, factory: Factory
) -> None:
    mine, _ = world
    store(db, mine.org, [comment(f"Latausasema numero {i} toimi.", days_ago=1) for i in range(15)])
    client = signed_in(browser, factory, mine.org, Role.ANALYST, "en")

    first, second = client.get("/text/comments"), client.get("/text/comments?page=2")

    assert len(texts(first.text)) == 20 and len(texts(second.text)) == 5
    assert "Page 2 of 2" in second.text and 'rel="prev"' in second.text
    ids = [
        re.findall(r'<li class="comment[^"]*" id="comment-([0-9a-f-]+)"', r.text)
        for r in (first, second)
    ]
    assert len(set(ids[0]) | set(ids[1])) == 25


def test_decisive_words_are_marked_with_their_reason_and_themes_shown(
    world: tuple[Org, Org], browser: Browser, factory: Factory
) -> None:
    mine, _ = world
    html = (
        signed_in(browser, factory, mine.org, Role.ANALYST, "en")
        .get("/text/comments", params={"q": "jono"})
        .text
    )

    assert (
        '<mark class="word word-positive" title="positive, before a contrast, weighs less">ihanaa'
        in html
    )
    assert re.search(r'<mark class="word word-negative" title="negative, negated[^"]*">hyvä', html)
    assert re.search(r'<mark class="word word-negative" title="[^"]*">jonossa', html)
    assert "Staff attitude: Positive" in html and "Speed and waiting: Negative" in html
    fi = signed_in(browser, factory, mine.org, Role.ANALYST, "fi").get("/text/comments?q=jono").text
    assert "Henkilökunnan asenne" in fi and "Nopeus ja odotus" in fi


def test_comment_text_is_never_html(
    world: tuple[Org, Org], browser: Browser, factory: Factory
) -> None:
    mine, _ = world
    html = (
        signed_in(browser, factory, mine.org, Role.ANALYST, "en")
        .get("/text/comments", params={"q": "palvelu"})
        .text
    )

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert texts(html) == [SCRIPT]


def _theme_form(token: str, action: str, **fields: str) -> dict[str, str]:
    form = {"csrf_token": token, "action": action, "key": "charging", "group": "service"}
    form |= {
        "enabled": "on",
        "label_fi": "Lataus",
        "label_en": "Charging",
        "terms_fi": "latausasema",
    }
    return form | fields


def test_a_rule_is_tested_on_real_comments_before_it_is_saved(
    world: tuple[Org, Org], db: Database, browser: Browser, factory: Factory
) -> None:
    mine, _ = world
    client = signed_in(browser, factory, mine.org, Role.ANALYST, "en")
    token = csrf_from(client.get("/text/themes/new").text)

    tried = client.post("/text/themes", data=_theme_form(token, "test"))

    assert tried.status_code == 200
    assert "The rule matches 6 of the latest 10 comments." in tried.text
    assert len(re.findall(r"Matched: latausasema", tried.text)) == 6
    with db.transaction(mine.org.id, readonly=True) as session:
        assert session.scalar(select(TextTheme).where(TextTheme.key == "charging")) is None

    saved = client.post("/text/themes", data=_theme_form(token, "save"), follow_redirects=False)

    assert saved.status_code == 303 and saved.headers["location"].startswith(
        "/text/themes?done=created"
    )
    with db.transaction(mine.org.id, readonly=True) as session:
        theme = session.scalar(select(TextTheme).where(TextTheme.key == "charging"))
        assert theme is not None and theme.terms == {"fi": ["latausasema"]}
        theme_id = theme.id
    listed = client.get("/text/themes?done=created")
    assert "The theme was created." in listed.text and "Charging" in listed.text

    off = client.post(
        f"/text/themes/{theme_id}",
        data=_theme_form(token, "save", enabled="", exclude_fi="latausasema numero"),
        follow_redirects=False,
    )
    assert off.status_code == 303
    with db.transaction(mine.org.id, readonly=True) as session:
        theme = theme_rules.get_theme(session, theme_id)
        assert (theme.enabled, theme.exclude) == (False, {"fi": ["latausasema numero"]})


@pytest.mark.parametrize(
    ("lang", "fields", "field", "message"),
    [
        ("en", {"terms_fi": ""}, "terms_fi", "A theme needs at least one term."),
        ("en", {"key": "Iso Avain"}, "key", "A theme key is lowercase letters"),
        ("fi", {"key": "price"}, "key", "A theme with this key already exists."),
    ],
)
def test_rule_errors_are_shown_next_to_their_field(
    world: tuple[Org, Org],
    browser: Browser,
    factory: Factory,
    lang: str,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    mine, _ = world
    client = signed_in(browser, factory, mine.org, Role.ANALYST, lang)
    token = csrf_from(client.get("/text/themes/new").text)

    response = client.post("/text/themes", data=_theme_form(token, "save", **fields))

    assert response.status_code in (409, 422)
    error = re.search(rf'<p class="field-error" id="t-{field}-error">(.*?)</p>', response.text)
    assert error is not None
    if lang == "en":
        assert unescape(error.group(1)).startswith(message)


def test_forms_need_their_csrf_token(
    world: tuple[Org, Org], browser: Browser, factory: Factory
) -> None:
    mine, _ = world
    client = signed_in(browser, factory, mine.org, Role.ANALYST, "en")

    response = client.post("/text/themes", data=_theme_form("forged", "save"))

    assert response.status_code == 403


def test_emerging_candidates_become_themes(
    world: tuple[Org, Org], db: Database, browser: Browser, factory: Factory
) -> None:
    mine, _ = world
    client = signed_in(browser, factory, mine.org, Role.ANALYST, "fi")

    page = client.get("/text/emerging")

    assert page.status_code == 200
    assert re.search(r'<h3 lang="fi">latausasema', page.text)
    assert 'name="phrase" value="latausasema"' in page.text
    made = client.post(
        "/text/emerging",
        data={"csrf_token": csrf_from(page.text), "phrase": "latausasema", "language": "fi"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    theme_id = made.headers["location"].split("/")[-1].split("?")[0]
    with db.transaction(mine.org.id, readonly=True) as session:
        assert theme_rules.get_theme(session, uuid.UUID(theme_id)).terms == {"fi": ["latausasema"]}
    assert "latausasema" in client.get(made.headers["location"]).text


def test_roles_and_another_organisations_themes(
    world: tuple[Org, Org], db: Database, browser: Browser, factory: Factory
) -> None:
    mine, other = world
    with db.transaction(other.org.id) as session:
        foreign = theme_rules.list_themes(session)[0].id
    viewer = signed_in(browser, factory, mine.org, Role.VIEWER, "en")
    handler = signed_in(browser, factory, mine.org, Role.CASE_HANDLER, "en")
    analyst = signed_in(browser, factory, mine.org, Role.ANALYST, "en")

    assert viewer.get("/text/comments").status_code == 403
    themes = handler.get("/text/themes")
    assert themes.status_code == 200 and "/text/themes/new" not in themes.text
    assert handler.get("/text/themes/new").status_code == 403
    assert analyst.get(f"/text/themes/{foreign}").status_code == 404
    token = csrf_from(analyst.get("/text/themes").text)
    saved = analyst.post(f"/text/themes/{foreign}", data=_theme_form(token, "save"))
    assert saved.status_code == 404
    with db.transaction(other.org.id, readonly=True) as session:
        assert theme_rules.get_theme(session, foreign).key != "charging"
