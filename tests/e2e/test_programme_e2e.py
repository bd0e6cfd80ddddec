"""The programme in a real browser: a manager adds an experience element and a measure
with a target through the forms and sees its live standing on the pyramid page, downloads
the CX description as a PDF that holds it, and turns a colleague's observation into an
action; the colleague's own list then says what became of it."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import OpenTab, Server
from tests.e2e.test_ui import sign_in

pytestmark = pytest.mark.e2e


def _choose(page: Any, select: str, label: str) -> None:
    page.locator(select).select_option(label=label)


def test_build_measure_describe_and_close_the_loop_with_staff(
    open_tab: OpenTab, server: Server
) -> None:
    name = f"Reilu {uuid.uuid4().hex[:6]}"
    manager = open_tab("fi-FI")
    page = manager.page
    sign_in(page, server.manager)
    page.goto("/programme")
    assert page.locator("svg.pyramid").is_visible()

    page.get_by_role("link", name="Lisää elementti").click()
    page.locator("#f-name_fi").fill(name)
    page.locator("#f-name_en").fill(f"Fair {name[6:]}")
    page.get_by_role("button", name="Tallenna").click()
    page.wait_for_url(re.compile(r"/programme\?done=elements"))

    page.get_by_role("link", name="Lisää mittari").click()
    _choose(page, "#f-element_id", name)
    page.locator("#f-name_fi").fill("Suositteluhalu")
    page.locator("#f-name_en").fill("Recommendation")
    page.locator("#f-metric").select_option(value="nps")
    page.locator("#f-target").fill("10")
    page.get_by_role("button", name="Tallenna").click()
    page.wait_for_url(re.compile(r"/programme\?done=measures"))
    card = page.locator("article.element", has_text=name)
    row = card.locator("tr", has_text="Suositteluhalu")
    assert row.get_attribute("data-status") in {"on_track", "at_risk", "off_track", "unknown"}
    assert row.locator(".standing").inner_text().strip() != ""

    page.goto("/programme/description")
    with page.expect_download() as caught:
        page.get_by_role("link", name="Lataa PDF (suomeksi)").click()
    pdf = caught.value
    text = " ".join(p.extract_text() for p in PdfReader(str(pdf.path())).pages)
    assert name in text and "Suositteluhalu" in text

    colleague = open_tab("fi-FI")
    sign_in(colleague.page, server.admin)
    colleague.page.goto("/programme/observations/new")
    colleague.page.get_by_label("Mitä asiakkaat haluavat").check()
    colleague.page.locator("#o-body").fill(f"Asiakkaat toivovat {name}-lippuja perheille.")
    colleague.page.get_by_role("button", name="Lähetä").click()
    colleague.page.wait_for_url(re.compile(r"/programme/observations/[0-9a-f-]+\?done=sent"))
    observation = colleague.page.url.split("?")[0]

    page.goto(observation)
    page.get_by_label("Siitä tuli toimenpide").check()
    page.locator("#d-title").fill(f"Perhelippu {name}")
    page.locator("#d-note").fill("Kokeillaan kevään tapahtumissa.")
    page.get_by_role("button", name="Tallenna päätös").click()
    page.wait_for_url(re.compile(r"\?done=decided"))
    assert page.locator("[data-action]").inner_text().startswith("Toimenpide #")

    colleague.page.goto("/programme/observations/mine")
    mine = colleague.page.locator("li.observation", has_text=name)
    assert mine.get_attribute("data-status") == "action"
    assert "Kokeillaan kevään tapahtumissa." in mine.inner_text()
