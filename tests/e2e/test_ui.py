"""The pages in a real browser: sign in, read the overview in Finnish and English, switch
language and organisation, change a role inline with htmx, sign out."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Login, OpenTab, Server

pytestmark = pytest.mark.e2e


def sign_in(page: Any, login: Login) -> None:
    page.goto("/")
    page.wait_for_url(re.compile(r"/login\?next=/$"))
    page.locator("#email").fill(login.email)
    page.locator("#password").fill(login.password)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


def choose_language(page: Any, name: str) -> None:
    page.locator(".lang-switch button", has_text=name).click()
    page.wait_for_load_state()


def test_sign_in_and_read_the_overview_in_finnish(
    open_tab: OpenTab, server: Server, screenshot_dir: Path
) -> None:
    page = open_tab("fi-FI").page
    page.goto("/login")
    assert page.locator("h1").inner_text() == "Kirjaudu sisään"

    sign_in(page, server.admin)

    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.locator("h1").inner_text() == "Yleiskuva"
    assert server.admin.organisation in page.locator("main").inner_text()
    assert "Roolisi: Ylläpitäjä" in page.locator("main").inner_text()
    nav = page.locator("nav.mainnav").inner_text()
    for label in ("Asiakaspolut", "Palaute", "Analytiikka", "Tekstianalyysi", "CX-ohjelma"):
        assert label in nav
    assert page.locator(".cards .card").count() == 6
    page.screenshot(path=str(screenshot_dir / "overview-fi.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / "overview-fi-phone.png"), full_page=True)


def test_sign_in_page_follows_the_browser_language(open_tab: OpenTab, screenshot_dir: Path) -> None:
    page = open_tab("en-GB").page
    page.goto("/login")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Sign in"
    page.screenshot(path=str(screenshot_dir / "login-en.png"), full_page=True)


def test_switch_language_in_the_page(
    open_tab: OpenTab, server: Server, screenshot_dir: Path
) -> None:
    page = open_tab("fi-FI").page
    sign_in(page, server.manager)
    try:
        choose_language(page, "English")

        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("h1").inner_text() == "Overview"
        assert "Sign out" in page.locator("header").inner_text()
        page.screenshot(path=str(screenshot_dir / "overview-en.png"), full_page=True)

        # The choice is the user's: a fresh browser asking for Finnish still gets English.
        elsewhere = open_tab("fi-FI").page
        sign_in(elsewhere, server.manager)
        assert elsewhere.locator("h1").inner_text() == "Overview"
    finally:
        choose_language(page, "Suomi")
    assert page.locator("h1").inner_text() == "Yleiskuva"


def test_switch_organisation(open_tab: OpenTab, server: Server) -> None:
    page = open_tab("fi-FI").page
    sign_in(page, server.manager)
    assert page.locator("#org-select option:checked").inner_text() == server.manager.organisation

    page.locator("#org-select").select_option(label=server.manager.other_organisation)
    page.locator(".org-switch button").click()
    page.wait_for_load_state()

    assert server.manager.other_organisation in page.locator("main").inner_text()
    assert "Roolisi: Ylläpitäjä" in page.locator("main").inner_text()

    page.locator("#org-select").select_option(label=server.manager.organisation)
    page.locator(".org-switch button").click()
    page.wait_for_load_state()
    assert "Roolisi: Omistaja" in page.locator("main").inner_text()


def test_change_a_role_inline_with_htmx(
    open_tab: OpenTab, server: Server, screenshot_dir: Path
) -> None:
    page = open_tab("fi-FI").page
    sign_in(page, server.manager)
    page.goto("/settings/members")
    row = page.locator("tr", has_text="analyst@elamys.example")
    select = row.locator("select[name=role]")
    original = select.input_value()
    target = "viewer" if original != "viewer" else "analyst"
    page.evaluate("window.__notReloaded = true")

    select.select_option(target)
    row.locator("button", has_text="Vaihda").click()

    row = page.locator("tr", has_text="analyst@elamys.example")
    row.locator(".field-ok").wait_for()
    assert "Tallennettu." in row.inner_text()
    assert row.locator("select[name=role]").input_value() == target
    assert page.evaluate("window.__notReloaded") is True  # swapped in place, no reload
    page.screenshot(path=str(screenshot_dir / "members-fi.png"), full_page=True)

    row.locator("select[name=role]").select_option(original)
    row.locator("button", has_text="Vaihda").click()
    page.locator("tr", has_text="analyst@elamys.example").locator(".field-ok").wait_for()


def test_create_an_api_key_and_see_it_once(
    open_tab: OpenTab, server: Server, screenshot_dir: Path
) -> None:
    page = open_tab("fi-FI").page
    sign_in(page, server.manager)
    page.goto("/settings/api-keys")
    page.locator("#key-name").fill("Selaintesti")
    page.locator("button", has_text="Luo avain").click()
    page.wait_for_load_state()

    key = page.locator("#new-key").input_value()
    assert key.startswith("kh_")
    assert page.locator("[data-copy-target]").is_visible()  # the copy button needs JS
    page.screenshot(path=str(screenshot_dir / "api-key-created-fi.png"), full_page=True)

    page.goto("/settings/api-keys")
    assert key not in page.content()


def test_sign_out(open_tab: OpenTab, server: Server) -> None:
    page = open_tab("fi-FI").page
    sign_in(page, server.admin)

    page.locator("header button", has_text="Kirjaudu ulos").click()
    page.wait_for_url(re.compile(r"/login$"))

    page.goto("/settings")
    page.wait_for_url(re.compile(r"/login\?next=/settings$"))
    assert page.locator("h1").inner_text() == "Kirjaudu sisään"
