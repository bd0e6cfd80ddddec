"""The text pages in a real browser, in Finnish: the comment browser marks the decisive
words (green, red, with their reason as title text) and shows a comment's script tag as
text; the theme editor's "Test the rule" lists the matching comments before anything is
saved; the overview draws its charts under the strict CSP."""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from kohtaamo.accounts.models import Organisation
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from kohtaamo.text.models import TextTheme
from kohtaamo.text.service import CommentIn, analyse, submit_comments
from tests.e2e.conftest import OpenTab, Server
from tests.e2e.test_survey_respondent import _no_serious_violations
from tests.e2e.test_ui import sign_in

pytestmark = pytest.mark.e2e

MIXED = "Henkilökunta oli ihanaa, mutta jonossa meni tunti eikä kassa ollut hyvä."
SCRIPT = "<script>document.title='pwned'</script> Latausasema oli rikki."


def _seed(server: Server, marker: str) -> tuple[Database, uuid.UUID]:
    db = Database(server.database_url)
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        org_id = session.scalars(
            select(Organisation.id).where(Organisation.name == server.admin.organisation)
        ).one()
    texts = [f"{MIXED} {marker}", SCRIPT, f"Latausasemaa ei löytynyt {marker}."]
    with db.transaction(org_id) as session:
        comments = [
            CommentIn(text=t, source="import", ref=f"e2e-{marker}-{i}", answered_at=utcnow())
            for i, t in enumerate(texts)
        ]
        analyse(session, submit_comments(session, comments, analyse_later=False))
    return db, org_id


@pytest.mark.slow
def test_comment_browser_and_theme_editor_in_finnish(
    open_tab: OpenTab, server: Server, screenshot_dir: Path
) -> None:
    marker = "x" + secrets.token_hex(3)
    db, org_id = _seed(server, marker)
    tab = open_tab("fi-FI")
    page = tab.page
    sign_in(page, server.admin)

    page.goto("/text/comments")
    assert page.locator("html").get_attribute("lang") == "fi"
    page.locator("#f-q").fill("jono")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url("**/text/comments?q=jono*")
    mixed = page.locator(".comment", has_text=marker).first
    positive = mixed.locator("mark.word-positive", has_text="ihanaa")
    negative = mixed.locator("mark.word-negative", has_text="hyvä")
    assert positive.count() == 1 and negative.count() == 1
    assert "kielletty" in (negative.get_attribute("title") or "") or "negated" in (
        negative.get_attribute("title") or ""
    )
    assert positive.evaluate("e => getComputedStyle(e).backgroundColor") != negative.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    page.screenshot(path=str(screenshot_dir / "text-comments-fi.png"), full_page=True)

    page.goto("/text/comments?q=latausasema")
    shown = page.locator(".comment-text", has_text="<script>")
    assert shown.count() >= 1  # the tag is text on the page, not a script
    assert page.title() != "pwned"

    page.goto("/text/themes/new")
    key = f"lataus_{marker}"
    page.locator("#t-key").fill(key)
    page.locator("#t-label_fi").fill("Lataus")
    page.locator("#t-terms_fi").fill("latausasema")
    page.locator("#test-rule").click()
    page.locator("#trial").wait_for()
    matches = page.locator("#trial-matches .comment")
    assert matches.filter(has_text=marker).count() == 1
    assert matches.filter(has_text="<script>").count() >= 1
    with db.transaction(org_id, readonly=True) as session:
        assert session.scalar(select(TextTheme).where(TextTheme.key == key)) is None
    assert page.locator("#t-terms_fi").input_value() == "latausasema"  # the form is kept
    _no_serious_violations(page, "/text/themes/new (tested)")
    page.screenshot(path=str(screenshot_dir / "text-theme-test-fi.png"), full_page=True)

    page.locator("#save-rule").click()
    page.wait_for_url("**/text/themes?done=created*")
    assert page.locator("#themes-list", has_text=key).count() == 1
    with db.transaction(org_id, readonly=True) as session:
        assert session.scalar(select(TextTheme).where(TextTheme.key == key)) is not None

    page.goto("/text?period=30d")
    charts = page.locator("[data-chart]")
    for i in range(charts.count()):
        charts.nth(i).locator("svg").first.wait_for()
    assert charts.count() >= 3
    page.screenshot(path=str(screenshot_dir / "text-overview-fi.png"), full_page=True)
    assert not tab.errors, tab.errors
    db.dispose()
