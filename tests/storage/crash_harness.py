"""The crash harness: the real server is killed with SIGKILL in the middle of sustained
ingestion of events and survey responses, then restarted, and every promise is checked.

One run (a seed) does this:

1. start ``kohtaamo serve`` (jobs embedded) on the test database;
2. four client threads send event batches (each event with its own id) and survey
   responses (each with its own ``Idempotency-Key``) over the API; an item counts as
   acknowledged when its request got a 2xx;
3. after a number of acknowledgements drawn from the seed, the server's whole process
   group is killed with SIGKILL (nothing can be flushed afterwards);
4. the database is read directly: every acknowledged item must be there (SQLite also
   passes ``PRAGMA integrity_check``);
5. the server is started again and every item, acknowledged or not, is sent again with
   the same id or key: each must be answered 2xx, and then each is stored exactly once;
6. the outbox resumes: every stored response's ``response.finished`` webhook reaches the
   receiver on 127.0.0.1, one delivery row per response, and the receiver sees each
   webhook id (duplicates of one id are allowed: delivery is at least once).

``python -m tests.storage.crash_harness --seeds 20 [--database-url URL]`` runs many seeds
outside pytest (the figures in bench/RESULTS.md); the test runs a few in every CI pass.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text

from kohtaamo.journeys.models import InteractionEvent
from kohtaamo.surveys.models import SurveyResponse
from kohtaamo.webhooks.models import WebhookDelivery

HOST = "127.0.0.1"
GOOD_ANSWERS = {"ease": {"expected": 4, "experienced": 2}, "nps": 9}


@dataclass
class World:
    """What a run needs: the database, an API key, a published survey, a receiver."""

    url: str
    org_id: uuid.UUID
    api_key: str
    survey_id: uuid.UUID
    receiver: Receiver


class Receiver:
    """A webhook receiver on 127.0.0.1 that answers 200 and keeps each webhook id."""

    def __init__(self) -> None:
        ids: list[str] = []
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", "0")))
                with lock:
                    ids.append(self.headers["webhook-id"])
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.ids, self.lock = ids, lock
        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server.server_address[1]}/hook"

    def seen(self) -> set[str]:
        with self.lock:
            return set(self.ids)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Item:
    kind: str  # event | response
    key: str
    body: dict[str, Any]


@dataclass
class SeedResult:
    seed: int
    sent: int
    acked_before_kill: int
    lost: int
    events: int
    responses: int
    duplicates: int
    webhooks_missing: int
    delivery_rows: int
    seconds: float
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _items(seed: int, rng: random.Random) -> list[Item]:
    at = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    items: list[Item] = []
    for n in range(rng.randint(60, 90)):
        if rng.random() < 0.7:
            batch = [
                {
                    "id": f"s{seed}-e{n}-{i}",
                    "customer": f"c{rng.randrange(40)}",
                    "touchpoint": "checkout",
                    "occurred_at": at,
                }
                for i in range(rng.randint(1, 8))
            ]
            items.append(Item("event", f"s{seed}-e{n}", {"events": batch}))
        else:
            body = {"answers": GOOD_ANSWERS, "channel": "api", "customer": f"c{rng.randrange(40)}"}
            items.append(Item("response", f"s{seed}-r{n}", body))
    return items


def _event_keys(items: list[Item]) -> set[str]:
    return {e["id"] for i in items if i.kind == "event" for e in i.body["events"]}


def _send(client: httpx.Client, world: World, item: Item) -> bool:
    headers = {"authorization": f"Bearer {world.api_key}"}
    if item.kind == "event":
        reply = client.post("/api/v1/events", json=item.body, headers=headers)
        return reply.status_code < 300 and all(
            r["status"] in {"stored", "duplicate"} for r in reply.json()["results"]
        )
    headers["idempotency-key"] = item.key
    reply = client.post(
        f"/api/v1/surveys/{world.survey_id}/responses", json=item.body, headers=headers
    )
    return reply.status_code < 300


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _start(world: World, port: int, workdir: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "KOHTAAMO_DATABASE_URL": world.url,
        "KOHTAAMO_JOBS_MODE": "embedded",
        "KOHTAAMO_MAIL_BACKEND": "memory",
        "KOHTAAMO_ANALYTICS_PATH": str(workdir / "analytics.duckdb"),
        "KOHTAAMO_ANALYTICS_BACKGROUND_SYNC": "false",
    }
    kohtaamo = Path(sys.executable).with_name("kohtaamo")
    log = (workdir / "server.log").open("ab")
    server = subprocess.Popen(
        [str(kohtaamo), "serve", "--host", HOST, "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}; see {workdir}")
        try:
            if httpx.get(f"http://{HOST}:{port}/login", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    _kill(server)
    raise RuntimeError("the server did not become ready in time")


def _kill(server: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(30)


def _stored(world: World, seed: int) -> tuple[set[str], dict[str, int], list[str]]:
    """Event ids and response keys (with their row counts) of this seed, read directly."""
    engine = create_engine(world.url)
    try:
        with engine.connect() as conn:
            events = set(
                conn.scalars(
                    select(InteractionEvent.event_key).where(
                        InteractionEvent.organisation_id == world.org_id,
                        InteractionEvent.event_key.like(f"s{seed}-%"),
                    )
                )
            )
            rows = conn.execute(
                select(SurveyResponse.idempotency_key, func.count())
                .where(
                    SurveyResponse.organisation_id == world.org_id,
                    SurveyResponse.idempotency_key.like(f"s{seed}-%"),
                )
                .group_by(SurveyResponse.idempotency_key)
            )
            responses = {str(k): int(n) for k, n in rows}
            problems: list[str] = []
            if engine.dialect.name == "sqlite":
                check = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
                if check != "ok":
                    problems.append(f"integrity_check: {check}")
            return events, responses, problems
    finally:
        engine.dispose()


def _deliveries(world: World, seed: int) -> tuple[int, set[str]]:
    """How many delivery rows this seed's responses have, and which of their webhook
    events are not delivered yet."""
    wanted = _wanted(world, seed)
    engine = create_engine(world.url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(WebhookDelivery.event_id, WebhookDelivery.status).where(
                    WebhookDelivery.organisation_id == world.org_id,
                    WebhookDelivery.event_id.in_(wanted or {""}),
                )
            ).all()
    finally:
        engine.dispose()
    return len(rows), wanted - {r.event_id for r in rows if r.status == "delivered"}


def run_seed(world: World, seed: int, workdir: Path, *, threads: int = 4) -> SeedResult:
    started = time.monotonic()
    rng = random.Random(seed)
    items = _items(seed, rng)
    kill_after = rng.randint(8, max(9, len(items) // 2))
    queue: Iterator[Item] = iter(items)
    queue_lock = threading.Lock()
    acked: list[Item] = []
    port = _free_port()
    server = _start(world, port, workdir)

    def client_loop() -> None:
        with httpx.Client(base_url=f"http://{HOST}:{port}", timeout=30) as client:
            while True:
                with queue_lock:
                    item = next(queue, None)
                if item is None:
                    return
                try:
                    if _send(client, world, item):
                        acked.append(item)
                except (httpx.HTTPError, ValueError, KeyError):
                    return  # the server died under us: this item was never acknowledged

    workers = [threading.Thread(target=client_loop, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    while len(acked) < kill_after and any(w.is_alive() for w in workers):
        time.sleep(0.005)
    _kill(server)
    for worker in workers:
        worker.join(30)
    acked_now = list(acked)

    events, responses, problems = _stored(world, seed)
    lost = len(_event_keys([i for i in acked_now if i.kind == "event"]) - events)
    lost += sum(1 for i in acked_now if i.kind == "response" and i.key not in responses)
    if lost:
        problems.append(f"{lost} acknowledged items missing after SIGKILL")

    server = _start(world, port, workdir)
    try:
        with httpx.Client(base_url=f"http://{HOST}:{port}", timeout=30) as client:
            refused = [i.key for i in items if not _send(client, world, i)]
        if refused:
            problems.append(f"retries refused: {refused[:5]}")
        events, responses, more = _stored(world, seed)
        problems += more
        want_events = _event_keys(items)
        want_responses = {i.key for i in items if i.kind == "response"}
        if events != want_events:
            problems.append(f"events {len(events)} stored, {len(want_events)} sent")
        if set(responses) != want_responses:
            problems.append(f"responses {len(responses)} stored, {len(want_responses)} sent")
        duplicates = sum(n - 1 for n in responses.values())
        if duplicates:
            problems.append(f"{duplicates} duplicate responses")
        deadline = time.monotonic() + 90
        rows, missing = _deliveries(world, seed)
        while time.monotonic() < deadline:
            rows, missing = _deliveries(world, seed)
            if not missing and not _wanted(world, seed) - world.receiver.seen():
                break
            time.sleep(0.3)
        unseen = _wanted(world, seed) - world.receiver.seen()
        if missing or unseen:
            problems.append(f"webhooks: {len(missing)} not delivered, {len(unseen)} not received")
        if rows != len(want_responses):
            problems.append(f"{rows} delivery rows for {len(want_responses)} responses")
    finally:
        _kill(server)
    return SeedResult(
        seed=seed,
        sent=len(items),
        acked_before_kill=len(acked_now),
        lost=lost,
        events=len(events),
        responses=len(responses),
        duplicates=sum(n - 1 for n in responses.values()),
        webhooks_missing=len(missing),
        delivery_rows=rows,
        seconds=round(time.monotonic() - started, 1),
        problems=problems,
    )


def _wanted(world: World, seed: int) -> set[str]:
    engine = create_engine(world.url)
    try:
        with engine.connect() as conn:
            return {
                f"msg_response_{r.id.hex}"
                for r in conn.execute(
                    select(SurveyResponse.id).where(
                        SurveyResponse.organisation_id == world.org_id,
                        SurveyResponse.idempotency_key.like(f"s{seed}-%"),
                    )
                )
            }
    finally:
        engine.dispose()


def prepare(db: Any, factory: Any) -> World:
    """An organisation with a write key, a published survey on ``checkout`` and a
    ``response.finished`` webhook to a receiver on 127.0.0.1."""
    from kohtaamo.webhooks import service as webhooks
    from kohtaamo.webhooks.schemas import EndpointIn
    from tests.surveys.helpers import make_survey

    org = factory.organisation()
    survey = make_survey(db, org)
    key = factory.api_key(org)
    receiver = Receiver()
    with db.transaction(org.id) as session:
        webhooks.do_create_endpoint(
            session,
            EndpointIn(
                url=receiver.url,
                event_types=["response.finished"],
                allowed_private_range="127.0.0.0/8",
            ),
        )
    url = db.engine.url.render_as_string(hide_password=False)
    return World(url, org.id, key, survey.survey_id, receiver)


def main() -> None:  # pragma: no cover - the command line
    import argparse
    import tempfile

    from kohtaamo.storage.db import Database
    from kohtaamo.storage.migrate import upgrade
    from tests.factories import Factory

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first", type=int, default=1)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="kohtaamo-crash-"))
    url = args.database_url or f"sqlite:///{workdir / 'crash.db'}"
    db = Database(url)
    if db.dialect == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(db.engine)
    world = prepare(db, Factory(db))
    db.dispose()
    results = []
    for seed in range(args.first, args.first + args.seeds):
        result = run_seed(world, seed, workdir)
        results.append(result)
        print(
            f"seed {seed}: sent {result.sent}, acked before kill {result.acked_before_kill}, "
            f"lost {result.lost}, duplicates {result.duplicates}, "
            f"webhooks missing {result.webhooks_missing}, {result.seconds} s"
            + (f"  PROBLEMS: {result.problems}" if result.problems else ""),
            flush=True,
        )
    world.receiver.close()
    summary = {
        "database": db.dialect,
        "seeds": len(results),
        "failed_seeds": sum(1 for r in results if not r.ok),
        "items_sent": sum(r.sent for r in results),
        "acked_before_kill": sum(r.acked_before_kill for r in results),
        "acked_lost": sum(r.lost for r in results),
        "duplicates": sum(r.duplicates for r in results),
        "webhooks_missing": sum(r.webhooks_missing for r in results),
    }
    print(json.dumps(summary))
    sys.exit(1 if summary["failed_seeds"] else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
