"""The analytics overview and explorer in a real browser, in Finnish and English: the
charts are drawn by Vega under the strict CSP (an SVG in every chart box, no console
errors), axe-core finds no serious accessibility problem, and the explorer's state
survives in its address."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import OpenTab, Server
from tests.e2e.test_survey_respondent import _no_serious_violations
from tests.e2e.test_ui import choose_language, sign_in

pytestmark = pytest.mark.e2e

EXPLORE = "/analytics/explore?metric=responses&by=touchpoint&period=365d&compare=1"


def _charts_drawn(page: Any) -> int:
    charts = page.locator("[data-chart]")
    for i in range(charts.count()):
        charts.nth(i).locator("svg").first.wait_for()
        assert "chart-ready" in (charts.nth(i).get_attribute("class") or "")
    return int(charts.count())


@contextmanager
def _signed_in(open_tab: OpenTab, server: Server, language: str) -> Iterator[Any]:
    """A page signed in as the admin, speaking ``language`` (the choice is saved to the
    admin's profile, so it is set back to Finnish afterwards)."""
    page = open_tab("fi-FI").page
    sign_in(page, server.admin)
    if language == "fi":
        yield page
        return
    choose_language(page, "English")
    try:
        yield page
    finally:
        choose_language(page, "Suomi")


@pytest.mark.slow
@pytest.mark.parametrize("language", ["fi", "en"])
def test_overview_and_a_touchpoint(
    open_tab: OpenTab, server: Server, screenshot_dir: Path, language: str
) -> None:
    with _signed_in(open_tab, server, language) as page:
        page.goto("/analytics?period=365d")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator(".metric-card").count() == 4
        _charts_drawn(page)
        page.locator("#critical[aria-busy]").wait_for(state="detached")  # arrives after
        _no_serious_violations(page, f"/analytics ({language})")
        page.screenshot(path=str(screenshot_dir / f"analytics-{language}.png"), full_page=True)

        page.locator("#gaps-table a").first.click()
        page.wait_for_load_state()
        assert "/analytics/touchpoints/" in page.url
        assert page.locator(".metric-card").count() == 6
        _charts_drawn(page)
        _no_serious_violations(page, f"touchpoint page ({language})")


@pytest.mark.slow
@pytest.mark.parametrize("language", ["fi", "en"])
def test_explorer(open_tab: OpenTab, server: Server, screenshot_dir: Path, language: str) -> None:
    with _signed_in(open_tab, server, language) as page:
        page.goto(EXPLORE)
        assert page.locator("html").get_attribute("lang") == language
        assert _charts_drawn(page) == 1  # responses need one answer: drawn whenever any exist
        assert page.locator("#explore-table tbody tr").count() >= 1
        assert page.locator("#x-compare").is_checked()
        assert page.locator("#x-metric").input_value() == "responses"
        _no_serious_violations(page, f"/analytics/explore ({language})")
        page.screenshot(
            path=str(screenshot_dir / f"analytics-explore-{language}.png"), full_page=True
        )


@pytest.mark.slow
def test_explorer_changes_are_kept_in_the_address(open_tab: OpenTab, server: Server) -> None:
    page = open_tab("fi-FI").page
    sign_in(page, server.admin)
    page.goto("/analytics/explore")
    page.locator("#x-metric").select_option("responses")
    page.locator("#x-grain").select_option("month")
    page.locator("#x-period").select_option("365d")
    page.locator(".explorer-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "metric=responses" in page.url and "grain=month" in page.url
    if page.locator("#explore-table").count():
        _charts_drawn(page)
    csv_link = page.locator(".export-links a", has_text="CSV").get_attribute("href")
    assert csv_link is not None and "grain=month" in csv_link
