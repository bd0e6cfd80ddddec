"""The assumption register in a real browser, in Finnish: write an assumption by choosing
metric and groups, read its verdict sentence and chart, under the strict CSP."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import OpenTab, Server
from tests.e2e.test_ui import sign_in

pytestmark = pytest.mark.e2e

PREFIXES = ("Pitää paikkansa:", "Ei pidä paikkaansa:", "Ei voi sanoa:", "Liian vähän vastauksia:")
ENGLISH = ("Holds:", "Does not hold:", "Inconclusive:", "Too few answers:")


def test_write_an_assumption_in_finnish_and_read_its_verdict(
    open_tab: OpenTab, server: Server
) -> None:
    tab = open_tab("fi-FI")
    page = tab.page
    sign_in(page, server.manager)
    page.goto("/analytics/assumptions?dimension=segment")
    assert page.locator("html").get_attribute("lang") == "fi"
    form = page.locator("#new-groups form[method=post]")
    groups = [o for o in form.locator("#g-a option").all_inner_texts() if o.strip()]
    if not groups:
        pytest.skip("the seeded data has no customer segments")
    form.locator("#g-metric").select_option("nps")
    form.locator("#g-a").select_option(label=groups[0])
    form.locator("#g-statement").fill("Yritysasiakkaat suosittelevat meitä muita useammin")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/analytics/assumptions/[0-9a-f-]{36}$"))
    assert page.locator("h1").inner_text() == "Yritysasiakkaat suosittelevat meitä muita useammin"
    sentence = page.locator("#verdict-sentence").inner_text()
    # Finnish once the lead merges the translations; the English msgid until then.
    assert sentence.startswith(PREFIXES + ENGLISH), sentence
    assert page.locator(".page-head .verdict").count() == 1
    if page.locator("[data-chart]").count():
        page.wait_for_selector(".chart-ready svg")
    page.locator("form[action$='/check'] button").click()
    page.wait_for_url(re.compile(r"done=checked"))
    assert page.locator("ol.history li").count() == 2
    page.goto("/analytics/assumptions")
    assert page.get_by_text("Yritysasiakkaat suosittelevat meitä muita useammin").count() == 1
    assert tab.errors == []
