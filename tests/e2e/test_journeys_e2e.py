"""The journey pages in a real browser: the map draws its charts under the strict CSP (no
console errors, no CSP violations), and a touchpoint dragged to another stage in the
editor stays there after a reload. Screenshots at desktop and phone widths."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import OpenTab, Server
from tests.e2e.test_ui import sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def _first_journey(page: Any) -> str:
    """The id of a journey with at least two stages and a touchpoint; made if none."""
    page.goto("/journeys")
    links = page.locator("table a[href^='/journeys/']:not([href$='/edit'])")
    if links.count():
        return str(links.first.get_attribute("href")).rsplit("/", 1)[1]
    return _make_journey(page)


def _make_journey(page: Any) -> str:
    page.goto("/journeys/touchpoints")
    if page.locator("#team-list li, .team-list li").count() == 0:
        page.locator("#new-team").fill("Asiakaspalvelu")
        page.locator("#teams button", has_text="Lisää tiimi").click()
        page.wait_for_load_state()
    for key, name in (("e2e-web", "Verkkosivu"), ("e2e-kassa", "Kassa")):
        page.goto("/journeys/touchpoints")
        page.locator("#tp-key").fill(key)
        page.locator("#tp-name-fi").fill(name)
        page.locator("#tp-name-en").fill(name)
        page.locator("#tp-channel").select_option("website")
        page.locator("#tp-factor").select_option("functional")
        page.locator("#tp-team").select_option(index=1)
        page.locator("#new-touchpoint button[type=submit]").click()
        page.wait_for_load_state()
    page.goto("/journeys")
    page.locator("#journey-name").fill("Selainpolku")
    page.locator("#journey-key").fill("e2e-polku")
    page.locator("form[action='/journeys'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/edit"))
    journey_id = page.url.split("/journeys/")[1].split("/")[0]
    for fi, en in (("Haku", "Search"), ("Osto", "Purchase")):
        page.locator("#new-stage-fi").fill(fi)
        page.locator("#new-stage-en").fill(en)
        page.locator(".stage-new button[type=submit]").click()
        page.wait_for_load_state()
    for _ in range(2):
        page.locator("#place-tp").select_option(index=1)
        page.locator("#place button[type=submit]").click()
        page.wait_for_load_state()
    return journey_id


def test_journey_map_draws_its_charts(
    open_tab: OpenTab, server: Server, screenshot_dir: Path
) -> None:
    page = open_tab("fi-FI").page
    sign_in(page, server.manager)
    journey_id = _first_journey(page)

    page.goto(f"/journeys/{journey_id}")

    assert page.locator("h2", has_text="Asiakaspolkukartta").count() == 1
    assert page.locator(".map-stage").count() >= 1
    charts = page.locator("[data-chart]")
    assert charts.count() >= 1
    for i in range(charts.count()):
        charts.nth(i).locator("svg").first.wait_for()
        assert "chart-ready" in (charts.nth(i).get_attribute("class") or "")
    if page.locator("svg.dfg").count():
        assert page.locator("svg.dfg .dfg-node").count() >= 1
    page.screenshot(path=str(screenshot_dir / "journey-map-fi.png"), full_page=True)

    page.set_viewport_size(PHONE)
    page.reload()
    page.locator("[data-chart] svg").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / "journey-map-fi-phone.png"), full_page=True)


def test_paths_page_in_english(open_tab: OpenTab, server: Server, screenshot_dir: Path) -> None:
    page = open_tab("en-GB").page
    sign_in(page, server.manager)
    page.locator(".lang-switch button", has_text="English").click()
    page.wait_for_load_state()
    try:
        page.goto("/journeys/paths")
        assert page.locator("h1").inner_text() == "All paths"
        page.locator("#chart-paths svg, .chart-box svg").first.wait_for()
        page.screenshot(path=str(screenshot_dir / "journey-paths-en.png"), full_page=True)
        page.goto("/journeys/touchpoints")
        page.screenshot(path=str(screenshot_dir / "touchpoints-en.png"), full_page=True)
    finally:
        page.locator(".lang-switch button", has_text="Suomi").click()
        page.wait_for_load_state()


def test_drag_a_touchpoint_to_another_stage(
    open_tab: OpenTab, server: Server, screenshot_dir: Path
) -> None:
    page = open_tab("fi-FI").page
    sign_in(page, server.manager)
    journey_id = _first_journey(page)
    page.goto(f"/journeys/{journey_id}/edit")
    page.locator("#editor-board.drag-ready").wait_for()
    stages = page.locator(".stage-col[data-stage-id]")
    assert stages.count() >= 2
    source = next(i for i in range(stages.count()) if stages.nth(i).locator(".tp-card").count())
    target = source + 1 if source + 1 < stages.count() else source - 1  # a neighbour: on screen
    card = stages.nth(source).locator(".tp-card").first
    touchpoint_id = card.get_attribute("data-touchpoint-id")
    target_stage = stages.nth(target).get_attribute("data-stage-id")
    page.screenshot(path=str(screenshot_dir / "journey-editor-fi.png"), full_page=True)

    # Start on the card's title: its buttons and select are not drag handles.
    with page.expect_response(re.compile(r"/placements/.+/move")):
        card.drag_to(stages.nth(target).locator(".tp-list"), source_position={"x": 24, "y": 12})

    moved = f".stage-col[data-stage-id='{target_stage}'] [data-touchpoint-id='{touchpoint_id}']"
    page.locator(moved).wait_for()
    page.reload()
    assert page.locator(moved).count() == 1
    page.screenshot(path=str(screenshot_dir / "journey-editor-fi-after.png"), full_page=True)

    # Back where it was, with the no-JavaScript fallback: the stage select and its button.
    source_stage = stages.nth(source).get_attribute("data-stage-id")
    form = page.locator(f"#tp-{touchpoint_id} form.move-to")
    form.locator("select").select_option(source_stage)
    form.locator("button").click()
    page.wait_for_load_state()
    back = f".stage-col[data-stage-id='{source_stage}'] [data-touchpoint-id='{touchpoint_id}']"
    page.locator(back).wait_for()

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / "journey-editor-fi-phone.png"), full_page=True)
