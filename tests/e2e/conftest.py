"""Browser tests: the real app under uvicorn, driven by Debian's headless Chromium.

One server for the whole session, on a free loopback port, against a temporary SQLite
database seeded with the demo organisation (``kohtaamo.demo.seed_demo``), or with a small
stand-in of it built from the test factories when the demo package is not installed.
Chromium is never downloaded: set ``KOHTAAMO_CHROMIUM`` to use another binary.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from kohtaamo.accounts import service
from kohtaamo.accounts.permissions import Role
from kohtaamo.storage.db import Database
from kohtaamo.storage.migrate import upgrade
from kohtaamo.storage.tenancy import ALL_TENANTS
from tests.conftest import TEST_SECRET

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class Login:
    email: str
    password: str
    organisation: str  # the name shown first after signing in
    other_organisation: str  # another organisation the same person belongs to


@dataclass(frozen=True)
class Server:
    url: str
    manager: Login  # owner of the main organisation, admin of the other; prefers Finnish
    admin: Login  # another Finnish-speaking login, for tests that change preferences
    database_url: str = ""  # the server's database, for tests that seed their own data


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed_with_demo(db: Database) -> tuple[Login, Login]:
    demo: Any = importlib.import_module("kohtaamo.demo")
    demo.seed_demo(db, size=200, seed=7)
    main, other = demo.ORGANISATIONS[0].name, demo.ORGANISATIONS[1].name
    admin = next(d for d in demo.DEMO_LOGINS if d.email.startswith("admin@"))
    return (
        Login(demo.MANAGER_EMAIL, demo.DEMO_PASSWORD, main, other),
        Login(admin.email, demo.DEMO_PASSWORD, main, other),
    )


def _seed_with_factories(db: Database) -> tuple[Login, Login]:
    """The parts of the demo these tests rely on: two organisations and two logins."""
    password = "kohtaamo-demo"
    names = ("Tapahtumatalo Elämys Oy", "Västkust Nordic Events AB")
    with db.transaction(ALL_TENANTS) as session:
        main = service.do_create_organisation(session, name=names[0], slug="elamys")
        other = service.do_create_organisation(session, name=names[1], slug="nordic", locale="en")
        people = {
            email: service.do_create_user(
                session, email=email, name=name, password=password, locale="fi"
            )
            for email, name in (
                ("manager@elamys.example", "Maija Lehtonen"),
                ("admin@elamys.example", "Juha Nieminen"),
                ("analyst@elamys.example", "Aino Virtanen"),
            )
        }
    with db.transaction(main.id) as session:
        service.do_add_member(session, user=people["manager@elamys.example"], role=Role.OWNER)
        service.do_add_member(session, user=people["admin@elamys.example"], role=Role.ADMIN)
        service.do_add_member(session, user=people["analyst@elamys.example"], role=Role.ANALYST)
    with db.transaction(other.id) as session:
        service.do_add_member(session, user=people["manager@elamys.example"], role=Role.ADMIN)
    return (
        Login("manager@elamys.example", password, names[0], names[1]),
        Login("admin@elamys.example", password, names[0], names[1]),
    )


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{folder / 'kohtaamo-e2e.db'}"
    db = Database(url)
    upgrade(db.engine)
    if importlib.util.find_spec("kohtaamo.demo.generator") is not None:
        manager, admin = _seed_with_demo(db)
    else:
        manager, admin = _seed_with_factories(db)
    db.dispose()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "KOHTAAMO_MODE": "test",
        "KOHTAAMO_DATABASE_URL": url,
        "KOHTAAMO_SECRET_KEY": TEST_SECRET,
        "KOHTAAMO_BASE_URL": base,
        "KOHTAAMO_JOBS_MODE": "off",
        "KOHTAAMO_MAIL_BACKEND": "memory",
    }
    log = (folder / "uvicorn.log").open("w")
    command = [sys.executable, "-m", "uvicorn", "--factory", "kohtaamo.app:create_app"]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
        cwd=folder,  # keeps any stray .env of the checkout out of the server's settings
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(base, process, folder / "uvicorn.log")
        yield Server(base, manager, admin, url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


# Starting imports numpy, scipy, ibis and DuckDB: seconds on a quiet machine, far more on a
# busy one. A server that is merely slow to start is not a failure of the page under test.
START_TIMEOUT_S = 120


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the server did not start in {START_TIMEOUT_S} s: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    executable = os.environ.get("KOHTAAMO_CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        message = f"Chromium not found at {executable} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Tab:
    """A browser page and the console errors it met (CSP violations show up there)."""

    page: Any
    errors: list[str]


OpenTab = Callable[..., Tab]


@pytest.fixture
def open_tab(chromium: Any, server: Server) -> Iterator[OpenTab]:
    """A fresh browser profile (no cookies) per call, speaking ``locale``."""
    contexts: list[Any] = []
    tabs: list[Tab] = []

    def open_new(locale: str = "fi-FI") -> Tab:
        context = chromium.new_context(
            base_url=server.url, locale=locale, viewport={"width": 1280, "height": 860}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        tab = Tab(page, [])
        page.on("console", lambda msg: tab.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: tab.errors.append(str(exc)))
        page.on(
            "response",
            lambda r: (
                tab.errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and r.request.resource_type != "document"
                else None
            ),
        )
        tabs.append(tab)
        return tab

    yield open_new
    for context in contexts:
        context.close()
    errors = [e for tab in tabs for e in tab.errors]
    assert not errors, f"the browser reported errors: {errors}"


@pytest.fixture
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("KOHTAAMO_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return Path(folder)
    return tmp_path_factory.mktemp("screenshots")
