"""Benchmark: finished survey responses over HTTP while respondents open the survey page.

Starts the real server (`kohtaamo serve`, jobs embedded as in the demo) on 127.0.0.1 over
a fresh SQLite database in a temporary directory, seeded with one organisation, the demo's
web-shop checkout survey (an expectation–experience pair, effort, feelings, a comment;
published, allowing the shop's origin) and an API key with the write scope. Then, at
the same time, for ``--seconds`` (60):

1. ``--connections`` (16) keep-alive connections post finished responses, each with its
   own idempotency key, to the widget endpoint ``POST /api/v1/public/surveys/{slug}/
   responses`` (what a respondent's browser does; ``--endpoint kiosk`` posts to
   ``POST /api/v1/surveys/{id}/responses`` with the API key instead); target ≥ 500
   acknowledged responses/s;
2. one connection opens the public survey page ``GET /s/{slug}`` every
   ``--page-interval-ms`` (20) and times it; target p95 < 50 ms.

A response counts as acknowledged when it was answered 201. Afterwards the server is
killed with SIGKILL and the database opened directly: every acknowledged response must
be stored, finished, exactly once (by its idempotency key), with its measures, and
``PRAGMA integrity_check`` must say ok. The public endpoints' rate limits (30 a minute
per address, 600 per organisation) are switched off for the run, since all load comes
from one address. Client and server share the 2 cores: the client is one process of
threads over raw sockets (``bench/ingest.py``'s), bounded in time and in requests.

    .venv/bin/python bench/responses.py [--seconds 60] [--endpoint widget|kiosk]

The ratios printed are measured / target. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ingest import Client, cpu_seconds, free_port, machine, percentile, start_server, wait_ready

TARGET_RESPONSES_S = 500
TARGET_PAGE_P95_MS = 50
ORIGIN = "https://shop.bench.example"


# --- setup --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    api_key: str
    survey_id: str
    slug: str


def seed(url: str) -> Seeded:
    """An organisation with the demo's touchpoints and its checkout survey, published."""
    from kohtaamo.accounts import service as accounts
    from kohtaamo.accounts.actor import Actor
    from kohtaamo.accounts.permissions import Role, Scope
    from kohtaamo.demo import paths_sim as sim
    from kohtaamo.demo.journeys import build_catalogue
    from kohtaamo.demo.surveys_defs import CHECKOUT
    from kohtaamo.storage.db import Database
    from kohtaamo.storage.migrate import upgrade
    from kohtaamo.storage.tenancy import ALL_TENANTS
    from kohtaamo.surveys import service as surveys
    from kohtaamo.surveys.schemas import SurveyIn, SurveySettings

    db = Database(url)
    try:
        upgrade(db.engine)
        with db.transaction(ALL_TENANTS) as session:
            org = accounts.do_create_organisation(session, name="Bench", slug="bench")
        build_catalogue(
            db, org.id, teams=sim.TEAMS, touchpoints=sim.TOUCHPOINTS, journey_specs=sim.JOURNEYS
        )
        owner = Actor(organisation_id=org.id, role=Role.OWNER)
        with db.transaction(org.id) as session:
            survey = surveys.do_create_survey(
                session,
                owner,
                SurveyIn(
                    key=CHECKOUT.key,
                    name=CHECKOUT.name,
                    touchpoint=CHECKOUT.touchpoint,
                    definition=CHECKOUT.parsed(),
                    settings=SurveySettings(allowed_origins=[ORIGIN]),
                ),
            )
            surveys.do_publish(session, owner, survey.id)
            _, plaintext = accounts.do_create_api_key(
                session, owner, name="bench", scopes=[Scope.READ, Scope.WRITE]
            )
            return Seeded(plaintext, str(survey.id), survey.slug)
    finally:
        db.dispose()


# --- load ---------------------------------------------------------------------------------


@dataclass
class Tally:
    acked: list[str] = field(default_factory=list)
    requests: int = 0
    failed: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def answers(rng: random.Random) -> dict[str, Any]:
    expected = rng.randint(2, 5)
    experienced = max(1, min(5, expected + rng.choice((-2, -1, 0, 0, 1))))
    out: dict[str, Any] = {
        "purchase": {"expected": expected, "experienced": experienced},
        "purchase_effort": rng.randint(1, 7),
        "feelings": rng.sample(["joy", "trust", "relief", "anger", "sadness"], 2),
    }
    if rng.random() < 0.3:
        out["comment"] = rng.choice(
            ["Maksu epäonnistui kaksi kertaa.", "Liput ostettu hetkessä, kiitos!"]
        )
    return out


def body_for(endpoint: str, key: str, rng: random.Random) -> tuple[bytes, dict[str, str]]:
    started = (datetime.now(UTC) - timedelta(seconds=rng.randint(20, 120))).isoformat()
    data: dict[str, Any] = {"answers": answers(rng), "language": "fi", "started_at": started}
    if endpoint == "widget":
        data |= {"idempotency_key": key, "page": "/liput/kassa/valmis"}
        return json.dumps(data).encode(), {"Origin": ORIGIN}
    data |= {"channel": "kiosk", "customer": f"C{rng.randrange(1, 50_000):07d}"}
    return json.dumps(data).encode(), {"Idempotency-Key": key}


def submitter(
    port: int,
    seeded: Seeded,
    endpoint: str,
    name: str,
    deadline: float,
    max_requests: int,
    tally: Tally,
    lock: threading.Lock,
) -> None:
    """One connection posting finished responses until the deadline or ``max_requests``."""
    rng = random.Random(name)
    path = (
        f"/api/v1/public/surveys/{seeded.slug}/responses"
        if endpoint == "widget"
        else f"/api/v1/surveys/{seeded.survey_id}/responses"
    )
    headers = {"Content-Type": "application/json", "Accept-Language": "fi"}
    if endpoint == "kiosk":
        headers["Authorization"] = f"Bearer {seeded.api_key}"
    mine = Tally()
    client = Client(port)
    try:
        while time.monotonic() < deadline and mine.requests < max_requests:
            key = f"bench-{name}-{mine.requests:07d}"
            body, extra = body_for(endpoint, key, rng)
            started = time.perf_counter()
            status, payload = client.request("POST", path, body, headers | extra)
            mine.latencies.append(time.perf_counter() - started)
            mine.requests += 1
            if status == 201:
                mine.acked.append(key)
            else:
                mine.failed += 1
                if len(mine.errors) < 3:
                    mine.errors.append(f"{status}: {payload[:300]!r}")
    except Exception as exc:  # counted and shown; the figures then say what was acked
        mine.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        client.close()
    with lock:
        tally.acked += mine.acked
        tally.requests += mine.requests
        tally.failed += mine.failed
        tally.latencies += mine.latencies
        tally.errors += mine.errors


def page_reader(
    port: int, slug: str, deadline: float, interval_s: float, max_requests: int, tally: Tally
) -> None:
    """Open the survey page at a steady pace (a respondent arriving), timing each."""
    client = Client(port)
    headers = {"Accept-Language": "fi", "Accept": "text/html"}
    next_at = time.monotonic()
    try:
        while time.monotonic() < deadline and tally.requests < max_requests:
            started = time.perf_counter()
            status, payload = client.request("GET", f"/s/{slug}", b"", headers)
            tally.latencies.append(time.perf_counter() - started)
            tally.requests += 1
            if status != 200 or b"<form" not in payload:
                tally.failed += 1
                if len(tally.errors) < 3:
                    tally.errors.append(f"{status}: {payload[:200]!r}")
            next_at += interval_s
            time.sleep(max(0.0, next_at - time.monotonic()))
    except Exception as exc:
        tally.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        client.close()


# --- verification -------------------------------------------------------------------------


def verify(db_path: Path, acked: list[str], endpoint: str) -> dict[str, Any]:
    prefix = "widget:" if endpoint == "widget" else ""
    conn = sqlite3.connect(db_path)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rows = conn.execute(
            "SELECT idempotency_key, finished_at IS NOT NULL, flagged FROM survey_responses"
        ).fetchall()
        measured = conn.execute(
            "SELECT count(DISTINCT response_id) FROM survey_measures"
        ).fetchone()[0]
    finally:
        conn.close()
    stored = {key.removeprefix(prefix) for key, done, _ in rows if key and done}
    acked_set = set(acked)
    return {
        "integrity": integrity,
        "stored_finished": sum(1 for _, done, _ in rows if done),
        "stored_flagged": sum(1 for *_, flagged in rows if flagged),
        "responses_with_measures": measured,
        "acked_missing": len(acked_set - stored),
        "stored_unacked": len(stored - acked_set),
        "duplicate_acks": len(acked) - len(acked_set),
    }


# --- main ---------------------------------------------------------------------------------


def ms(values: list[float], share: float) -> float | None:
    return round(percentile(values, share) * 1000, 1) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--endpoint", choices=("widget", "kiosk"), default="widget")
    parser.add_argument("--connections", type=int, default=16, help="submitting connections")
    parser.add_argument("--page-interval-ms", type=float, default=20)
    parser.add_argument("--max-requests", type=int, default=200_000, help="per connection")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--server-arg", action="append", default=[], help="extra serve option")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 600:
        parser.error("--seconds must be 1..600")

    workdir = Path(tempfile.mkdtemp(prefix="kohtaamo-bench-responses-"))
    db_path = workdir / "bench.db"
    url = f"sqlite:///{db_path}"
    seeded = seed(url)
    port = free_port()
    # One address sends everything: the per-address and per-organisation limits are off.
    os.environ["KOHTAAMO_SURVEY_SUBMISSIONS_PER_CLIENT"] = "0"
    os.environ["KOHTAAMO_SURVEY_SUBMISSIONS_PER_ORGANISATION"] = "0"
    load_before = os.getloadavg()
    server = start_server(url, port, workdir, args.server_arg)
    submits, pages, lock = Tally(), Tally(), threading.Lock()
    try:
        wait_ready(server, port)
        print(f"server on 127.0.0.1:{port}, database {db_path}", flush=True)
        Client(port).request("GET", f"/s/{seeded.slug}", b"", {})  # warm the page's caches
        cpu_start = cpu_seconds(server.pid)
        deadline = time.monotonic() + args.seconds
        threads = [
            threading.Thread(
                target=submitter,
                args=(port, seeded, args.endpoint, f"c{c}", deadline, args.max_requests,
                      submits, lock),
            )
            for c in range(args.connections)
        ]  # fmt: skip
        threads.append(
            threading.Thread(
                target=page_reader,
                args=(port, seeded.slug, deadline, args.page_interval_ms / 1000,
                      args.max_requests, pages),
            )
        )  # fmt: skip
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(server.pid) - cpu_start
    finally:
        load_after = os.getloadavg()
        os.killpg(server.pid, signal.SIGKILL)  # nothing may be flushed after the acks
        server.wait()

    check = verify(db_path, submits.acked, args.endpoint)
    rate = len(submits.acked) / elapsed
    p95 = ms(pages.latencies, 0.95)
    durable = (
        check["integrity"] == "ok"
        and check["acked_missing"] == 0
        and check["duplicate_acks"] == 0
        and check["stored_finished"] == len(submits.acked)
        and check["responses_with_measures"] == len(submits.acked)
    )
    figures = {
        "benchmark": "survey_responses",
        "endpoint": args.endpoint,
        "connections": args.connections,
        "seconds": round(elapsed, 2),
        "requests": submits.requests,
        "failed": submits.failed,
        "acked": len(submits.acked),
        "responses_per_s": round(rate, 1),
        "responses_ratio_vs_target": round(rate / TARGET_RESPONSES_S, 3),
        "submit_p50_ms": ms(submits.latencies, 0.5),
        "submit_p99_ms": ms(submits.latencies, 0.99),
        "page_requests": pages.requests,
        "page_failed": pages.failed,
        "page_p50_ms": ms(pages.latencies, 0.5),
        "page_p95_ms": p95,
        "page_p99_ms": ms(pages.latencies, 0.99),
        "page_ratio_vs_target": round(TARGET_PAGE_P95_MS / p95, 3) if p95 else None,
        "server_cpu_ms_per_response": round(cpu * 1000 / max(1, submits.requests), 2),
        "durable": durable,
        **check,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
        "machine": machine(),
    }
    print(
        f"{args.endpoint}: {len(submits.acked):,} finished responses acknowledged in "
        f"{elapsed:.1f} s = {rate:,.1f}/s (target {TARGET_RESPONSES_S}: ratio "
        f"{figures['responses_ratio_vs_target']}); p50 {figures['submit_p50_ms']} ms, p99 "
        f"{figures['submit_p99_ms']} ms; {submits.failed} failed; server CPU "
        f"{figures['server_cpu_ms_per_response']} ms per response"
    )
    print(
        f"GET /s/{{slug}} under that load: {pages.requests:,} requests, p50 "
        f"{figures['page_p50_ms']} ms, p95 {p95} ms, p99 {figures['page_p99_ms']} ms "
        f"(target p95 < {TARGET_PAGE_P95_MS} ms: ratio {figures['page_ratio_vs_target']})"
    )
    print(
        f"after SIGKILL: {check['stored_finished']:,} finished stored, "
        f"{check['acked_missing']} acknowledged missing, {check['stored_unacked']} stored "
        f"unacknowledged, {check['responses_with_measures']:,} with measures, integrity "
        f"{check['integrity']} -> {'DURABLE' if durable else 'NOT DURABLE'}"
    )
    for err in (submits.errors + pages.errors)[:6]:
        print(f"  error: {err}")
    print(f"load average before {load_before}, after {load_after}; {machine()}")
    if args.keep:
        print(f"kept {workdir}")
    else:
        for leftover in sorted(workdir.iterdir()):
            leftover.unlink()
        workdir.rmdir()
    print(json.dumps(figures))
    if not durable:
        sys.exit(1)


if __name__ == "__main__":
    main()
