"""The key-driver page in a real browser, in Finnish and English: the
importance–performance chart is drawn by Vega under the strict CSP, its quadrant names
are in the page's language, the table beside it ranks the drivers, and axe-core finds
no serious accessibility problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kohtaamo.i18n import gettext
from tests.e2e.conftest import OpenTab, Server
from tests.e2e.test_survey_respondent import _no_serious_violations
from tests.e2e.test_ui import choose_language, sign_in

pytestmark = pytest.mark.e2e


def _drivers(page: Any, screenshot_dir: Path, language: str) -> None:
    page.goto("/analytics/drivers?period=365d")
    assert page.locator("html").get_attribute("lang") == language
    chart = page.locator("[data-chart]")
    assert chart.count() == 1
    chart.first.locator("svg").first.wait_for()
    assert "chart-ready" in (chart.first.get_attribute("class") or "")
    # the quadrant names are text marks of the drawn chart, in the page's language
    assert gettext(language, "Fix first") in chart.first.locator("svg").inner_html()
    rows = page.locator("#drivers-table tbody tr")
    assert rows.count() >= 2
    assert rows.first.locator("td").first.inner_text().strip() == "1"
    _no_serious_violations(page, f"/analytics/drivers ({language})")
    page.screenshot(path=str(screenshot_dir / f"drivers-{language}.png"), full_page=True)


def test_driver_page_draws_the_matrix_in_finnish_and_english(
    open_tab: OpenTab, server: Server, screenshot_dir: Path
) -> None:
    page = open_tab("fi-FI").page
    sign_in(page, server.admin)
    _drivers(page, screenshot_dir, "fi")
    try:
        choose_language(page, "English")
        _drivers(page, screenshot_dir, "en")
    finally:
        choose_language(page, "Suomi")
