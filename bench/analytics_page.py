"""The analytics overview page in a real browser over the benchmark's store: the server
(uvicorn, as ``kohtaamo serve`` runs it) on a free loopback port with the store copied
from ``bench/analytics.py``'s DuckDB file (its big organisation renamed to the one
signed in), Debian's headless Chromium driven by Playwright, and each load timed from
navigation start until every chart on the page has drawn its SVG.

Used by ``bench/analytics.py --page``; also runnable alone:

    .venv/bin/python bench/analytics_page.py bench/out/analytics-10000000.duckdb [--loads 30]
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx

CHROMIUM = os.environ.get("KOHTAAMO_CHROMIUM", "/usr/bin/chromium")
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
EMAIL, PASSWORD = "bench@example.test", "bench-password-123"
PAGES = ("/analytics", "/analytics?period=365d")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed(db_url: str) -> str:
    """An organisation and its owner in a fresh operational database; the org's id."""
    from kohtaamo.accounts import service
    from kohtaamo.accounts.permissions import Role
    from kohtaamo.storage.db import Database
    from kohtaamo.storage.migrate import upgrade
    from kohtaamo.storage.tenancy import ALL_TENANTS

    db = Database(db_url)
    upgrade(db.engine)
    with db.transaction(ALL_TENANTS) as session:
        org = service.do_create_organisation(session, name="Bench Oy", slug="bench")
        user = service.do_create_user(
            session, email=EMAIL, name="Bench", password=PASSWORD, locale="fi"
        )
        org_id = str(org.id)
    with db.transaction(org.id) as session:
        service.do_add_member(session, user=user, role=Role.OWNER)
    db.dispose()
    return org_id


def _store_for(source: Path, target: Path, old_org: str, new_org: str) -> None:
    shutil.copyfile(source, target)
    with duckdb.connect(str(target)) as con:
        for table in ("measures", "touchpoints", "placements", "customers", "surveys"):
            con.execute(
                f'UPDATE "{table}" SET organisation_id = ? WHERE organisation_id = ?',
                [new_org, old_org],
            )
        con.execute("CHECKPOINT")


def _drawn(page: Any) -> int:
    charts = page.locator("[data-chart]")
    count = int(charts.count())
    for i in range(count):
        charts.nth(i).locator("svg").first.wait_for()
    return count


def measure_page(store: Path, org_id: str, loads: int = 30) -> dict[str, Any]:
    """p50/p95 of full page loads (navigation → every chart drawn) of each page."""
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="kohtaamo-bench-page-"))
    db_url = f"sqlite:///{folder / 'kohtaamo.db'}"
    signed_in_org = _seed(db_url)
    print("  copying the store for the server …", file=sys.stderr, flush=True)
    _store_for(store, folder / "analytics.duckdb", org_id, signed_in_org)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "KOHTAAMO_DATABASE_URL": db_url,
        "KOHTAAMO_SECRET_KEY": secrets.token_urlsafe(40),
        "KOHTAAMO_BASE_URL": base,
        "KOHTAAMO_JOBS_MODE": "off",
        "KOHTAAMO_MAIL_BACKEND": "memory",
        "KOHTAAMO_ANALYTICS_PATH": str(folder / "analytics.duckdb"),
        "KOHTAAMO_ANALYTICS_BACKGROUND_SYNC": "false",
    }
    log = (folder / "uvicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "kohtaamo.app:create_app", "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    out: dict[str, Any] = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError((folder / "uvicorn.log").read_text()[-2000:])
            time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(base_url=base, locale="fi-FI")
            context.set_default_timeout(60_000)
            page = context.new_page()
            page.goto("/login")
            page.locator("#email").fill(EMAIL)
            page.locator("#password").fill(PASSWORD)
            page.locator("form.stack button[type=submit]").click()
            page.wait_for_url(f"{base}/")
            for path in PAGES:
                times = []
                for i in range(loads + 1):  # the first load warms the server and is not counted
                    started = time.perf_counter()
                    response = page.goto(path, wait_until="load")
                    charts = _drawn(page)
                    elapsed = time.perf_counter() - started
                    if response is None or response.status != 200:
                        raise RuntimeError(f"{path}: {response and response.status}")
                    if i:
                        times.append(elapsed)
                times.sort()
                p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                key = "page" if path == PAGES[0] else "page_365d"
                out[f"{key}_p50_ms"] = round(statistics.median(times) * 1000, 1)
                out[f"{key}_p95_ms"] = round(p95 * 1000, 1)
                out[f"{key}_charts"] = charts
                print(
                    f"  {path}: p50 {out[f'{key}_p50_ms']} ms, p95 {out[f'{key}_p95_ms']} ms"
                    f" ({loads} loads, {charts} charts)",
                    file=sys.stderr,
                    flush=True,
                )
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)
    out["page_loads"] = loads
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from analytics_data import make_org

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--loads", type=int, default=30)
    args = parser.parse_args()
    print(measure_page(args.store, make_org(1, 30, 7).id, args.loads))
