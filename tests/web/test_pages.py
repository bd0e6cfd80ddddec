"""Every page renders in Finnish and in English, with nothing left in the other language;
the organisation and language switchers; headers of pages that hold personal data."""

from __future__ import annotations

from functools import cache
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from kohtaamo.accounts.models import User
from kohtaamo.accounts.permissions import Role
from kohtaamo.i18n import po_path
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from kohtaamo.web.render import NAVIGATION
from tests.factories import Factory, Member, csrf_from, page_csrf
from tests.web.conftest import Browser

PAGES = [item.path for item in NAVIGATION] + [
    "/settings/members",
    "/settings/roles",
    "/settings/api-keys",
]


class _Text(HTMLParser):
    """The texts a reader meets: text nodes and the labels of controls."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "placeholder", "title", "data-request-failed") and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def texts_of(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.texts


@cache
def translated_pairs() -> list[tuple[str, str]]:
    """(English, Finnish) of every entry whose two versions differ."""
    from babel.messages.pofile import read_po

    with po_path("fi").open("rb") as fh:
        catalog = read_po(fh, locale="fi")
    return [
        (m.id, m.string)
        for m in catalog
        if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string != m.id
    ]


def foreign_texts(html: str, locale: str) -> list[str]:
    """Texts of the page that are in the other language."""
    pairs = translated_pairs()
    other = {en for en, _ in pairs} if locale == "fi" else {fi for _, fi in pairs}
    texts = texts_of(html)
    whole = [t for t in texts if t in other]
    # Longer texts are caught inside bigger nodes too (placeholders filled in are not).
    long = [s for s in other if len(s.split()) >= 3 and "%(" not in s]
    inside = [s for s in long for t in texts if s in t and t not in whole]
    return whole + inside


@pytest.mark.parametrize("locale", ["fi", "en"])
def test_every_page_speaks_one_language(
    browser: Browser, owner: Member, factory: Factory, locale: str
) -> None:
    factory.member(owner.organisation, Role.ANALYST)  # the users table has more than one row
    client = browser(owner, accept_language=locale)
    for path in PAGES:
        page = client.get(path)
        assert page.status_code == 200, path
        assert f'<html lang="{locale}">' in page.text
        assert foreign_texts(page.text, locale) == [], path
    for path, status in (("/no-such-page", 404), ("/settings/api-keys/x/revoke", 405)):
        page = client.get(path)
        assert page.status_code == status
        assert foreign_texts(page.text, locale) == [], path
    signed_out = browser(accept_language=locale).get("/login")
    assert foreign_texts(signed_out.text, locale) == []


def test_the_checker_notices_a_missed_translation() -> None:
    assert foreign_texts("<button>Sign out</button>", "fi") == ["Sign out"]
    assert foreign_texts("<p>Ready. Sign in or give a valid API key.</p>", "fi") != []
    assert foreign_texts("<a>Kirjaudu ulos</a>", "en") == ["Kirjaudu ulos"]


def test_navigation_follows_the_role(browser: Browser, owner: Member, factory: Factory) -> None:
    viewer = browser(factory.member(owner.organisation, Role.VIEWER))
    page = viewer.get("/").text
    assert 'href="/journeys"' in page
    assert 'href="/cases"' not in page  # viewers do not see cases
    assert viewer.get("/cases").status_code == 403
    assert viewer.get("/text").status_code == 403


def test_overview_names_the_organisation_and_role(browser: Browser, owner: Member) -> None:
    page = browser(owner).get("/").text
    assert "Tapahtumatalo Oy" in page
    assert "Roolisi: Omistaja" in page
    assert page.count('class="card"') == 6


def test_not_found_is_friendly_and_localised(browser: Browser, owner: Member) -> None:
    fi = browser(owner).get("/ei-ole")
    en = browser(owner, accept_language="en").get("/ei-ole")
    assert fi.status_code == en.status_code == 404
    assert "Tässä osoitteessa ei ole sivua." in fi.text
    assert "There is no page at this address." in en.text
    assert 'href="/settings"' in fi.text  # the signed-in layout, navigation included


def test_pages_are_not_stored_and_cannot_be_framed(browser: Browser, owner: Member) -> None:
    page = browser(owner).get("/settings/members")
    assert page.headers["cache-control"] == "no-store"
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self';" in csp
    assert "<script>" not in page.text and " on" + "click=" not in page.text


def test_htmx_is_served_from_this_site(browser: Browser) -> None:
    login = browser().get("/login").text
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in login
    assert "https://" not in login.split("<body")[0]  # nothing from a CDN
    script = browser().get("/static/vendor/htmx.min.js")
    assert script.status_code == 200
    assert "htmx" in script.text[:200]


# --- organisation switcher -----------------------------------------------------------


def test_switching_organisation_changes_what_is_shown(
    browser: Browser, owner: Member, factory: Factory
) -> None:
    second = factory.organisation("Toinen Oy")
    with factory.db.transaction(second.id) as session:
        from kohtaamo.accounts import service

        service.do_add_member(session, user=owner.user, role=Role.VIEWER)
    client = browser(owner)
    page = client.get("/").text
    assert 'name="organisation_id"' in page
    assert f'value="{second.id}"' in page

    response = client.post(
        "/organisation/switch",
        data={"organisation_id": str(second.id), "csrf_token": csrf_from(page)},
        follow_redirects=False,
    )

    assert response.status_code == 303
    after = client.get("/").text
    assert "Roolisi: Katselija" in after
    assert f'<option value="{second.id}" selected>' in after
    assert client.get("/settings/members").status_code == 403  # a viewer there


def test_switching_into_a_foreign_organisation_is_not_found(
    browser: Browser, owner: Member, factory: Factory
) -> None:
    foreign = factory.organisation("Vieras Oy")
    client = browser(owner)

    response = client.post(
        "/organisation/switch",
        data={"organisation_id": str(foreign.id), "csrf_token": page_csrf(client)},
    )

    assert response.status_code == 404
    assert "Vieras Oy" not in client.get("/").text
    assert "Tapahtumatalo Oy" in client.get("/").text


def test_one_organisation_shows_its_name_without_a_switcher(
    browser: Browser, owner: Member
) -> None:
    page = browser(owner).get("/").text
    assert 'name="organisation_id"' not in page
    assert '<span class="org-name">Tapahtumatalo Oy</span>' in page


# --- language ------------------------------------------------------------------------


def test_language_choice_is_kept_for_the_user(
    browser: Browser, owner: Member, db: Database
) -> None:
    client = browser(owner, accept_language="fi")

    response = client.post(
        "/language",
        data={"locale": "en", "next": "/settings", "csrf_token": page_csrf(client)},
        follow_redirects=False,
    )

    assert response.headers["location"] == "/settings"
    assert "Sign out" in client.get("/settings").text
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        assert session.scalars(select(User.locale).where(User.id == owner.user.id)).one() == "en"
    # Another browser, asking for Finnish, gets the user's choice once signed in.
    elsewhere = browser(owner, accept_language="fi")
    assert "Sign out" in elsewhere.get("/").text


def test_language_can_be_chosen_before_signing_in(browser: Browser) -> None:
    client = browser(accept_language="fi")
    login = client.get("/login")
    assert "Kirjaudu sisään" in login.text

    client.post(
        "/language", data={"locale": "en", "next": "/login", "csrf_token": csrf_from(login.text)}
    )

    assert "Sign in" in client.get("/login").text


def test_an_unknown_language_is_refused(browser: Browser, owner: Member) -> None:
    client = browser(owner)
    response = client.post("/language", data={"locale": "sv", "csrf_token": page_csrf(client)})
    assert response.status_code == 422
    assert "Tuntematon kieli." in response.text


def test_language_switcher_returns_to_a_page_that_opens(browser: Browser, owner: Member) -> None:
    client = browser(owner)
    refused = client.post(
        "/settings/members",
        data={"email": "nobody", "name": "N", "role": "viewer", "csrf_token": page_csrf(client)},
    )
    expired = client.post(f"/settings/members/{owner.user.id}/disable", data={})

    assert refused.status_code == 422
    assert 'name="next" value="/settings/members"' in refused.text
    assert expired.status_code == 403
    assert 'name="next" value="/"' in expired.text  # that address answers only POST
