"""The survey builder in a real browser: a manager creates a survey, adds an
expectation–experience question, previews it in Swedish (the pane swaps in place) and
publishes it; no console errors or CSP violations on the way."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from tests.e2e.conftest import OpenTab, Server
from tests.e2e.test_ui import sign_in

pytestmark = pytest.mark.e2e


def test_manager_builds_previews_and_publishes_a_survey(
    open_tab: OpenTab, server: Server, screenshot_dir: Path
) -> None:
    page = open_tab("fi-FI").page
    sign_in(page, server.manager)
    key = f"e2e-{uuid.uuid4().hex[:8]}"

    page.goto("/feedback")
    page.locator("#survey-name").fill("Kassakokemus")
    page.locator("#survey-key").fill(key)
    page.locator("#new-survey button[type=submit]").click()
    page.wait_for_url(re.compile(r"/feedback/surveys/[0-9a-f-]+/edit\?done=created"))
    survey_id = page.url.split("/feedback/surveys/")[1].split("/")[0]

    page.locator("#add-type").select_option("expectation_experience")
    page.locator("#add-text").fill("Maksamisen helppous")
    page.locator("#add button[type=submit]").click()
    page.wait_for_url(re.compile(r"done=added&open=q2"))
    card = page.locator("#q-q2")
    assert card.locator("strong").inner_text() == "Maksamisen helppous"
    card.locator("#q-q2-text-sv").fill("Hur lätt det var att betala")
    card.locator("form.stack-wide button[type=submit]").click()
    page.wait_for_url(re.compile(r"done=question-saved"))

    page.locator("#preview-pane a[lang=sv]").click()
    page.locator("#preview-pane a[lang=sv][aria-current=true]").wait_for()
    view = page.locator("#preview-pane .respondent-view")
    assert view.get_attribute("lang") == "sv"
    assert "Hur lätt det var att betala" in view.inner_text()
    assert "Hur nöjd var du?" in view.inner_text()
    assert page.url.endswith("done=question-saved#q-q2")  # swapped in place, no navigation
    page.screenshot(path=str(screenshot_dir / "survey-builder.png"), full_page=True)

    page.goto(f"/feedback/surveys/{survey_id}")
    page.locator(f"form[action='/feedback/surveys/{survey_id}/publish'] button").click()
    page.wait_for_url(re.compile(r"done=published"))
    assert page.locator(".page-head .survey-status-open").count() == 1
    assert page.locator(f"form[action='/feedback/surveys/{survey_id}/close']").count() == 1
    page.screenshot(path=str(screenshot_dir / "survey-overview.png"), full_page=True)
