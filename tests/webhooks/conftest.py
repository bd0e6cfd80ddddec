"""A real HTTP receiver on 127.0.0.1, endpoints pointing at it, and a job runner."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import update

from kohtaamo.accounts.models import Organisation
from kohtaamo.config import Settings
from kohtaamo.jobs import Job, JobStatus
from kohtaamo.jobs.runner import Runner
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from kohtaamo.webhooks import service
from kohtaamo.webhooks.models import WebhookDelivery, WebhookEndpoint
from kohtaamo.webhooks.schemas import EndpointIn
from tests.factories import Factory
from tests.web.conftest import browser  # noqa: F401 - the signed-in browsers, for the page tests

LOOPBACK = "127.0.0.0/8"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str


@dataclass
class Receiver:
    """Answers each POST with the next scripted reply: a status code, or "hang"."""

    server: ThreadingHTTPServer
    script: list[int | str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    hang_seconds: float = 3.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.received]


def _handler(receiver_ref: list[Receiver]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            receiver = receiver_ref[0]
            body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
            with receiver.lock:
                receiver.received.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                reply = receiver.script.pop(0) if receiver.script else 200
            if reply == "hang":
                time.sleep(receiver.hang_seconds)
                reply = 200
            assert isinstance(reply, int)
            self.send_response(reply)
            if 300 <= reply < 400:
                self.send_header("location", f"http://127.0.0.1:{receiver.port}/elsewhere")
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    ref: list[Receiver] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
    server.daemon_threads = True
    server.block_on_close = False
    ref.append(Receiver(server))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield ref[0]
    server.shutdown()
    server.server_close()


@pytest.fixture
def org(factory: Factory) -> Organisation:
    return factory.organisation("Webhook Oy")


def make_endpoint(
    db: Database, org: Organisation, url: str, *, event_types: list[str] | None = None
) -> tuple[str, str]:
    """An endpoint allowed to reach 127.0.0.0/8; returns (id, secret)."""
    with db.transaction(org.id) as session:
        endpoint = service.do_create_endpoint(
            session,
            EndpointIn(url=url, event_types=event_types or [], allowed_private_range=LOOPBACK),
        )
        return str(endpoint.id), endpoint.secret


def emit(db: Database, org: Organisation, event_type: str = "case.opened", **kw: Any) -> int:
    with db.transaction(org.id) as session:
        return service.emit(session, event_type, {"case_id": "c-1", "number": 7}, **kw)


@pytest.fixture
def runner(db: Database, settings: Settings) -> Iterator[Runner]:
    made = Runner(db, settings, lease=timedelta(seconds=1), poll_interval=0.1, schedule=False)
    yield made
    made.stop(timeout=5)


def make_due(db: Database) -> None:
    """Skip the backoff: every pending job is due now."""
    with db.transaction(ALL_TENANTS) as session:
        session.execute(
            update(Job).where(Job.status == JobStatus.PENDING).values(run_after=utcnow())
        )


def run_until_settled(db: Database, runner: Runner, rounds: int = 20) -> None:
    """Run the delivery jobs, retries included, until none is pending."""
    for _ in range(rounds):
        make_due(db)
        if runner.run_pending() == 0:
            return
    raise AssertionError("jobs still pending")


def deliveries(db: Database, org: Organisation) -> list[WebhookDelivery]:
    with db.transaction(org.id, readonly=True) as session:
        return list(session.query(WebhookDelivery).order_by(WebhookDelivery.created_at))


def endpoint_row(db: Database, org: Organisation, endpoint_id: str) -> WebhookEndpoint:
    with db.transaction(org.id, readonly=True) as session:
        found = session.get(WebhookEndpoint, uuid.UUID(endpoint_id))
        assert found is not None
        return found


def jobs(db: Database) -> list[Job]:
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        return list(session.query(Job).where(Job.task == "webhooks.deliver"))
