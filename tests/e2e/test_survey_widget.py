"""The embeddable widget in a real browser, on someone else's site.

Kohtaamo runs under uvicorn on one port; two tiny "company sites" (http.server) on two
other ports embed the widget with a strict CSP of their own. The survey allows the first
site only. There the widget opens on a custom event, is answered through every kind of
question, and the response is stored with channel ``widget``; on the second site the
browser gets no CORS approval, so the widget stays silent and a direct post stores
nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from kohtaamo.accounts import service as accounts
from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.permissions import Role
from kohtaamo.storage.db import Database
from kohtaamo.storage.migrate import upgrade
from kohtaamo.storage.tenancy import ALL_TENANTS
from kohtaamo.surveys import service
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.models import SurveyResponse
from kohtaamo.surveys.schemas import SurveyIn, SurveySettings, WidgetSettings
from tests.conftest import TEST_SECRET
from tests.e2e.conftest import _free_port, _wait_until_up

pytestmark = pytest.mark.e2e


def _q(key: str, type_: str, fi: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "text": {"fi": fi}, **extra}


DEFINITION = {
    "title": {"fi": "Miten kassalla meni?"},
    "pages": [
        {
            "key": "arviot",
            "questions": [
                _q("nps", "nps", "Suosittelisitko meitä?", required=True),
                _q("csat", "csat", "Kuinka tyytyväinen olit?"),
                _q("ces", "ces", "Asiointi oli helppoa"),
                _q("rating", "rating", "Kassan nopeus", scale={"min": 1, "max": 4}),
                _q("pari", "expectation_experience", "Palvelu", pair_form="double"),
                _q("vertailu", "expectation_experience", "Hinta", pair_form="compared"),
            ],
        },
        {
            "key": "lisaksi",
            "questions": [
                _q(
                    "kanava",
                    "single_choice",
                    "Mistä kuulit meistä?",
                    choices=[
                        {"key": "some", "label": {"fi": "Somesta"}},
                        {"key": "kaveri", "label": {"fi": "Kaverilta"}},
                    ],
                ),
                _q(
                    "ostokset",
                    "multiple_choice",
                    "Mitä ostit?",
                    choices=[
                        {"key": "ruoka", "label": {"fi": "Ruokaa"}},
                        {"key": "juoma", "label": {"fi": "Juomaa"}},
                        {"key": "muu", "label": {"fi": "Muuta"}},
                    ],
                ),
                _q("palaisitko", "yes_no", "Tulisitko uudelleen?", required=True),
                _q("tunteet", "emotion", "Miltä tuntui?"),
                _q(
                    "miksi",
                    "text",
                    "Mikä jäi harmittamaan?",
                    show_if={
                        "question": "nps",
                        "op": "le",
                        "value": 6,
                    },
                ),
                _q("terveiset", "text", "Terveisiä meille?"),
                {"key": "myymala", "type": "hidden"},
            ],
        },
    ],
}


@dataclass(frozen=True)
class Sites:
    kohtaamo: str
    allowed: str  # a company site the survey allows
    other: str  # a site it does not
    slug: str
    database_url: str


def _host_page(kohtaamo: str, slug: str) -> bytes:
    csp = (
        f"default-src 'none'; script-src {kohtaamo}; connect-src {kohtaamo}; "
        "style-src 'self'; img-src 'self'"
    )
    return f"""<!doctype html>
<html lang="fi"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<title>Kauppa</title></head>
<body><h1>Verkkokauppa</h1><button id="osta">Osta</button>
<script src="{kohtaamo}/static/widget/kohtaamo-widget.js" data-survey="{slug}" data-lang="fi"
  data-hidden-myymala="tampere" async></script>
</body></html>""".encode()


def _serve(port: int, page: bytes) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _seed(url: str, allowed: str) -> str:
    db = Database(url)
    upgrade(db.engine)
    with db.transaction(ALL_TENANTS) as session:
        org = accounts.do_create_organisation(session, name="Kauppa Oy", slug="kauppa")
    actor = Actor(organisation_id=org.id, role=Role.OWNER)
    settings = SurveySettings(
        allowed_origins=[allowed],
        min_seconds=0,
        widget=WidgetSettings(trigger="custom_event", event_name="kohtaamo:ask"),
    )
    with db.transaction(org.id) as session:
        survey = service.do_create_survey(
            session,
            actor,
            SurveyIn(
                key="kassa",
                name="Kassa",
                definition=SurveyDefinition.model_validate(DEFINITION),
                settings=settings,
            ),
        )
        service.do_publish(session, actor, survey.id)
        slug = survey.slug
    db.dispose()
    return slug


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    folder = tmp_path_factory.mktemp("widget")
    url = f"sqlite:///{folder / 'widget.db'}"
    port, allowed_port, other_port = _free_port(), _free_port(), _free_port()
    kohtaamo = f"http://127.0.0.1:{port}"
    allowed, other = f"http://127.0.0.1:{allowed_port}", f"http://127.0.0.1:{other_port}"
    slug = _seed(url, allowed)
    env = os.environ | {
        "KOHTAAMO_MODE": "test",
        "KOHTAAMO_DATABASE_URL": url,
        "KOHTAAMO_SECRET_KEY": TEST_SECRET,
        "KOHTAAMO_BASE_URL": kohtaamo,
        "KOHTAAMO_JOBS_MODE": "off",
        "KOHTAAMO_MAIL_BACKEND": "memory",
    }
    log = (folder / "uvicorn.log").open("w")
    command = [sys.executable, "-m", "uvicorn", "--factory", "kohtaamo.app:create_app"]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    page = _host_page(kohtaamo, slug)
    hosts = [_serve(allowed_port, page), _serve(other_port, page)]
    try:
        _wait_until_up(kohtaamo, process, folder / "uvicorn.log")
        yield Sites(kohtaamo, allowed, other, slug, url)
    finally:
        for host in hosts:
            host.shutdown()
            host.server_close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _responses(sites: Sites) -> list[SurveyResponse]:
    db = Database(sites.database_url)
    try:
        with db.engine.connect() as conn:
            return list(conn.execute(select(SurveyResponse)).all())  # type: ignore[arg-type]
    finally:
        db.dispose()


def _count(sites: Sites) -> int:
    db = Database(sites.database_url)
    try:
        with db.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(SurveyResponse)).scalar_one())
    finally:
        db.dispose()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[tuple[Any, list[str]]]:
    context = chromium.new_context(locale="fi-FI", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page, errors
    context.close()


def _open_site(page: Any, site: str, sites: Sites) -> None:
    """Load the company's page and wait until the widget has read the survey."""
    with page.expect_response(lambda r: f"/api/v1/public/surveys/{sites.slug}" in r.url):
        page.goto(site + "/")


def _pick(dialog: Any, name: str, value: str) -> None:
    dialog.locator(f"label:has(input[name='{name}'][value='{value}'])").click()


def test_the_widget_is_answered_on_an_allowed_site(
    browser_page: tuple[Any, list[str]], sites: Sites, tmp_path: Path
) -> None:
    page, errors = browser_page
    _open_site(page, sites.allowed, sites)
    dialog = page.locator("[role=dialog]")
    assert dialog.count() == 0  # the trigger has not fired

    page.evaluate("window.dispatchEvent(new Event('kohtaamo:ask'))")

    dialog.wait_for()
    assert dialog.get_attribute("aria-labelledby") == "k-title"
    assert dialog.locator("#k-title").inner_text() == "Miten kassalla meni?"
    focused = page.evaluate(
        "document.querySelector('[data-kohtaamo-widget]').shadowRoot.activeElement.name"
    )
    assert focused == "nps"  # focus moved into the dialog, to the first answer
    dialog.locator("button[type=submit]", has_text="Seuraava").click()
    assert dialog.locator("[data-err='nps']").inner_text() == "Vastaa tähän kysymykseen."
    _pick(dialog, "nps", "9")
    _pick(dialog, "csat", "4")
    _pick(dialog, "ces", "6")
    _pick(dialog, "rating", "3")
    _pick(dialog, "pari.expected", "4")
    _pick(dialog, "pari.experienced", "5")
    _pick(dialog, "vertailu", "1")
    dialog.locator("button[type=submit]", has_text="Seuraava").click()
    assert dialog.locator("[data-q='miksi']").is_hidden()  # shown only to detractors
    _pick(dialog, "kanava", "kaveri")
    _pick(dialog, "ostokset", "ruoka")
    _pick(dialog, "ostokset", "juoma")
    _pick(dialog, "palaisitko", "true")
    _pick(dialog, "tunteet", "joy")
    dialog.locator("textarea[name='terveiset']").fill("Kiitos, hyvin meni!")
    page.screenshot(path=str(tmp_path / "widget.png"))
    dialog.locator("button[type=submit]", has_text="Lähetä").click()

    dialog.get_by_text("Kiitos vastauksestasi!").wait_for()
    [stored] = _responses(sites)
    assert stored.channel == "widget"
    assert stored.answers == {
        "nps": 9,
        "csat": 4,
        "ces": 6,
        "rating": 3,
        "pari": {"expected": 4, "experienced": 5},
        "vertailu": 1,
        "kanava": "kaveri",
        "ostokset": ["ruoka", "juoma"],
        "palaisitko": True,
        "tunteet": ["joy"],
        "terveiset": "Kiitos, hyvin meni!",
        "myymala": "tampere",
    }
    assert stored.context == {"page": sites.allowed + "/"}
    assert stored.finished_at is not None and not stored.flagged
    dialog.locator("button", has_text="Sulje").last.click()
    assert dialog.count() == 0
    page.evaluate("window.dispatchEvent(new Event('kohtaamo:ask'))")
    time.sleep(0.3)
    assert dialog.count() == 0  # answered: not asked again
    assert not errors, errors  # nothing the host's strict CSP refused


def test_escape_dismisses_and_the_widget_does_not_return(
    browser_page: tuple[Any, list[str]], sites: Sites
) -> None:
    page, errors = browser_page
    _open_site(page, sites.allowed, sites)
    page.locator("#osta").focus()
    before = _count(sites)

    page.evaluate("window.dispatchEvent(new Event('kohtaamo:ask'))")
    dialog = page.locator("[role=dialog]")
    dialog.wait_for()
    page.keyboard.press("Escape")

    assert dialog.count() == 0
    assert page.evaluate("document.activeElement.id") == "osta"  # focus given back
    page.evaluate("window.dispatchEvent(new Event('kohtaamo:ask'))")
    time.sleep(0.3)
    assert dialog.count() == 0
    stored = page.evaluate(f"localStorage.getItem('kohtaamo:{sites.slug}:done')")
    assert stored == "dismissed"
    assert _count(sites) == before
    assert not errors, errors


def test_a_site_not_allowed_gets_no_cors_approval(
    browser_page: tuple[Any, list[str]], sites: Sites
) -> None:
    page, _errors = browser_page  # the blocked requests are reported as console errors
    before = _count(sites)
    page.goto(sites.other + "/")
    page.wait_for_load_state("networkidle")

    page.evaluate("window.dispatchEvent(new Event('kohtaamo:ask'))")
    time.sleep(0.5)
    assert page.locator("[role=dialog]").count() == 0  # the definition could not be read

    api = f"{sites.kohtaamo}/api/v1/public/surveys/{sites.slug}/responses"
    body = (
        '{"answers": {"nps": 10, "palaisitko": true}, '
        '"idempotency_key": "browser-other-origin-0001"}'
    )
    outcome = page.evaluate(
        """async ([api, body]) => {
            let cors;
            try {
                const json = {"Content-Type": "application/json"};
                await fetch(api, {method: "POST", headers: json, body});
                cors = "sent";
            } catch (e) { cors = "blocked"; }
            // A "simple" request needs no preflight: the browser sends it, the server refuses.
            const simple = await fetch(api, {method: "POST", mode: "no-cors", body});
            return [cors, simple.type];
        }""",
        [api, body],
    )

    assert outcome == ["blocked", "opaque"]
    assert _count(sites) == before
