"""Benchmark: interaction events over HTTP into SQLite, every acknowledged event checked.

Starts the real server (`kohtaamo serve`, jobs embedded as in the demo) on 127.0.0.1 over
a fresh SQLite database in a temporary directory, seeded with one organisation, 25
touchpoints and an API key. Then:

1. batches of 1,000 events posted for ``--seconds`` (60) over ``--connections`` (4)
   keep-alive connections; target ≥ 20,000 acknowledged events/s;
2. single-event requests for ``--single-seconds`` (20) over ``--single-connections``
   (32) connections; target ≥ 1,000 acknowledged requests/s.

An event counts as acknowledged when its request got a 2xx and its item said
``stored``. Afterwards the server is killed with SIGKILL (no chance to flush anything)
and the database is opened directly: every acknowledged id must be there exactly once,
and ``PRAGMA integrity_check`` must say ok. The load generator is a small raw-socket
HTTP/1.1 client in threads, bounded in time (the phases' seconds) and in count
(``--max-requests`` per connection); it talks to 127.0.0.1 only.

    .venv/bin/python bench/ingest.py [--seconds 60] [--single-seconds 20]

The ratios printed are measured / target. The last line is one JSON object with the
figures. No dependency beyond the project's own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TARGET_BATCH_EVENTS_S = 20_000
TARGET_SINGLE_REQ_S = 1_000
HOST = "127.0.0.1"
TOUCHPOINTS = [f"tp-{i:02d}" for i in range(25)]
CUSTOMERS = 200_000  # the pool events are spread over: most customers recur, some are new
ROOT = Path(__file__).resolve().parent.parent


# --- setup --------------------------------------------------------------------------------


def seed(url: str) -> str:
    """Migrate the database and add an organisation with touchpoints; return an API key."""
    from kohtaamo.accounts import service as accounts
    from kohtaamo.accounts.actor import Actor
    from kohtaamo.accounts.permissions import Role, Scope
    from kohtaamo.journeys import service as journeys
    from kohtaamo.journeys.catalogue import Channel, FactorGroup
    from kohtaamo.journeys.schemas import TeamIn, TouchpointIn
    from kohtaamo.storage.db import Database
    from kohtaamo.storage.migrate import upgrade
    from kohtaamo.storage.tenancy import ALL_TENANTS

    db = Database(url)
    try:
        upgrade(db.engine)
        with db.transaction(ALL_TENANTS) as session:
            org = accounts.do_create_organisation(session, name="Bench", slug="bench")
        owner = Actor(organisation_id=org.id, role=Role.OWNER)
        channels, groups = list(Channel), list(FactorGroup)
        with db.transaction(org.id) as session:
            team = journeys.do_create_team(session, owner, TeamIn(name="Asiakaspalvelu"))
            for i, key in enumerate(TOUCHPOINTS):
                data = {
                    "key": key,
                    "name_fi": f"Kohta {i}",
                    "name_en": f"Touchpoint {i}",
                    "channel": channels[i % len(channels)],
                    "factor_group": groups[i % len(groups)],
                    "owner_team_id": team.id,
                }
                journeys.do_create_touchpoint(session, owner, TouchpointIn.model_validate(data))
            _, plaintext = accounts.do_create_api_key(
                session, owner, name="bench", scopes=[Scope.READ, Scope.WRITE]
            )
        return plaintext
    finally:
        db.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start_server(url: str, port: int, workdir: Path, extra: list[str]) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "KOHTAAMO_DATABASE_URL": url,
        "KOHTAAMO_JOBS_MODE": "embedded",
        "KOHTAAMO_MAIL_BACKEND": "memory",
    }
    kohtaamo = Path(sys.executable).with_name("kohtaamo")
    command = [str(kohtaamo), "serve", "--host", HOST, "--port", str(port), *extra]
    log = (workdir / "server.log").open("wb")
    # cwd outside the checkout: a developer's .env must not change what is measured.
    return subprocess.Popen(
        command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_ready(server: subprocess.Popen[bytes], port: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}; see server.log")
        try:
            conn = Client(port)
            status, _ = conn.request("GET", "/api/v1/customers", b"", {})
            conn.close()
            if status == 401:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not become ready in time")


# --- a minimal keep-alive HTTP/1.1 client (cheap enough to share 2 cores with the server) --


class Client:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection((HOST, port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.port = port

    def request(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        head += f"Content-Length: {len(body)}\r\n\r\n"
        self.sock.sendall(head.encode() + body)
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        raw_head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = raw_head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = None
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise RuntimeError("response without Content-Length")
        while len(self.buf) < length:
            self._fill()
        payload, self.buf = self.buf[:length], self.buf[length:]
        return status, payload

    def _fill(self) -> None:
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buf += chunk

    def close(self) -> None:
        self.sock.close()


# --- load ---------------------------------------------------------------------------------


@dataclass
class Tally:
    acked: list[str] = field(default_factory=list)
    requests: int = 0
    failed: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def event_json(event_id: str, rng: random.Random, now: datetime, spread_s: int) -> str:
    at = (now - timedelta(microseconds=rng.randrange(spread_s * 1_000_000))).isoformat()
    tp = TOUCHPOINTS[rng.randrange(len(TOUCHPOINTS))]
    extra = f',"order_value":{rng.randrange(1, 500)}.5' if rng.random() < 0.2 else ""
    return (
        f'{{"id":"{event_id}","customer":"c{rng.randrange(CUSTOMERS)}",'
        f'"touchpoint":"{tp}","occurred_at":"{at}"{extra}}}'
    )


def load(
    port: int,
    key: str,
    name: str,
    per_request: int,
    seconds: float,
    max_requests: int,
    spread_s: int,
    tally: Tally,
    lock: threading.Lock,
) -> None:
    """One connection posting requests until the deadline or ``max_requests``."""
    rng = random.Random(name)
    headers = {
        "Authorization": f"Bearer {key}",
        "Content-Type": "application/json",
        "Accept-Language": "en",
    }
    client = Client(port)
    acked: list[str] = []
    latencies: list[float] = []
    requests = failed = 0
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline and requests < max_requests:
            ids = [f"{name}-{requests}-{i}" for i in range(per_request)]
            now = datetime.now(UTC)
            events = [event_json(i, rng, now, spread_s) for i in ids]
            body = events[0] if per_request == 1 else '{"events":[' + ",".join(events) + "]}"
            started = time.perf_counter()
            status, payload = client.request("POST", "/api/v1/events", body.encode(), headers)
            latencies.append(time.perf_counter() - started)
            requests += 1
            if not 200 <= status < 300:
                failed += 1
                if len(errors) < 3:
                    errors.append(f"{status}: {payload[:300]!r}")
                continue
            result = json.loads(payload)
            if result["accepted"] == per_request:
                acked += ids
            else:
                acked += [r["id"] for r in result["results"] if r["status"] == "stored"]
                if len(errors) < 3:
                    errors.append(f"not all stored: {payload[:300]!r}")
    except Exception as exc:  # counted and shown; the figures then say what was acked
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        client.close()
    with lock:
        tally.acked += acked
        tally.requests += requests
        tally.failed += failed
        tally.latencies += latencies
        tally.errors += errors


def run_phase(
    port: int,
    key: str,
    label: str,
    per_request: int,
    connections: int,
    seconds: float,
    max_requests: int,
    spread_s: int,
) -> tuple[Tally, float]:
    tally, lock = Tally(), threading.Lock()
    threads = [
        threading.Thread(
            target=load,
            args=(
                port,
                key,
                f"{label}{c}",
                per_request,
                seconds,
                max_requests,
                spread_s,
                tally,
                lock,
            ),
        )
        for c in range(connections)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally, time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux), to see cost apart from contention."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# --- verification -------------------------------------------------------------------------


def verify(db_path: Path, acked: set[str]) -> dict[str, Any]:
    conn = sqlite3.connect(db_path)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        total = conn.execute("SELECT count(*) FROM interaction_events").fetchone()[0]
        keys = [k for (k,) in conn.execute("SELECT event_key FROM interaction_events")]
    finally:
        conn.close()
    stored = set(keys)
    return {
        "integrity": integrity,
        "rows": total,
        "distinct_ids": len(stored),
        "acked_missing": len(acked - stored),
        "stored_unacked": len(stored - acked),
    }


# --- main ---------------------------------------------------------------------------------


def machine() -> str:
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {os.cpu_count()} cores, {mem_gb:.0f} GB RAM"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="batch phase length")
    parser.add_argument("--single-seconds", type=float, default=20, help="single-event phase")
    parser.add_argument("--connections", type=int, default=4, help="batch connections")
    parser.add_argument("--single-connections", type=int, default=32)
    parser.add_argument("--batch", type=int, default=1000, help="events per batch request")
    parser.add_argument("--max-requests", type=int, default=100_000, help="per connection")
    parser.add_argument(
        "--spread-minutes",
        type=float,
        default=10,
        help="events happened up to this long before they are sent (live traffic; a "
        "backfill of old events in random time order touches more index pages)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--server-arg", action="append", default=[], help="extra serve option")
    args = parser.parse_args()
    if not 1 <= args.batch <= 1000:
        parser.error("--batch must be 1..1000")

    spread = max(1, int(args.spread_minutes * 60))
    workdir = Path(tempfile.mkdtemp(prefix="kohtaamo-bench-ingest-"))
    db_path = workdir / "bench.db"
    url = f"sqlite:///{db_path}"
    key = seed(url)
    port = free_port()
    load_before = os.getloadavg()
    server = start_server(url, port, workdir, args.server_arg)
    try:
        wait_ready(server, port)
        print(f"server on {HOST}:{port}, database {db_path}", flush=True)
        cpu_start = cpu_seconds(server.pid)
        batches, batch_s = run_phase(
            port, key, "b", args.batch, args.connections, args.seconds, args.max_requests, spread
        )
        cpu_batches = cpu_seconds(server.pid) - cpu_start
        singles, single_s = run_phase(
            port,
            key,
            "s",
            1,
            args.single_connections,
            args.single_seconds,
            args.max_requests,
            spread,
        )
        cpu_singles = cpu_seconds(server.pid) - cpu_start - cpu_batches
    finally:
        load_after = os.getloadavg()
        # SIGKILL: nothing may be flushed after the acknowledgements were sent.
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()

    acked = set(batches.acked) | set(singles.acked)
    duplicate_acks = len(batches.acked) + len(singles.acked) - len(acked)
    check = verify(db_path, acked)
    batch_rate = len(batches.acked) / batch_s
    single_rate = len(singles.acked) / single_s
    durable = (
        check["integrity"] == "ok"
        and check["acked_missing"] == 0
        and check["rows"] == check["distinct_ids"]
        and duplicate_acks == 0
    )
    figures = {
        "benchmark": "ingest",
        "batch_size": args.batch,
        "batch_connections": args.connections,
        "batch_seconds": round(batch_s, 2),
        "batch_requests": batches.requests,
        "batch_failed": batches.failed,
        "batch_events_acked": len(batches.acked),
        "batch_events_per_s": round(batch_rate),
        "batch_ratio_vs_target": round(batch_rate / TARGET_BATCH_EVENTS_S, 3),
        "batch_latency_p50_ms": round(statistics.median(batches.latencies) * 1000, 1)
        if batches.latencies
        else None,
        "batch_latency_p99_ms": round(percentile(batches.latencies, 0.99) * 1000, 1),
        "server_cpu_ms_per_1000_events": round(cpu_batches * 1e6 / max(1, len(batches.acked)), 1),
        "single_connections": args.single_connections,
        "single_seconds": round(single_s, 2),
        "single_requests": singles.requests,
        "single_failed": singles.failed,
        "single_acked_per_s": round(single_rate),
        "single_ratio_vs_target": round(single_rate / TARGET_SINGLE_REQ_S, 3),
        "single_latency_p50_ms": round(statistics.median(singles.latencies) * 1000, 1)
        if singles.latencies
        else None,
        "single_latency_p99_ms": round(percentile(singles.latencies, 0.99) * 1000, 1),
        "server_cpu_us_per_single_request": round(cpu_singles * 1e6 / max(1, singles.requests)),
        "durable": durable,
        **check,
        "duplicate_acks": duplicate_acks,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
        "machine": machine(),
    }
    print(
        f"batches of {args.batch}: {len(batches.acked):,} events acknowledged in "
        f"{batch_s:.1f} s = {batch_rate:,.0f} events/s "
        f"(target {TARGET_BATCH_EVENTS_S:,}: ratio {figures['batch_ratio_vs_target']}); "
        f"p50 {figures['batch_latency_p50_ms']} ms, p99 {figures['batch_latency_p99_ms']} ms; "
        f"server CPU {figures['server_cpu_ms_per_1000_events']} ms per 1,000 events"
    )
    print(
        f"single events: {len(singles.acked):,} acknowledged in {single_s:.1f} s = "
        f"{single_rate:,.0f} requests/s (target {TARGET_SINGLE_REQ_S:,}: ratio "
        f"{figures['single_ratio_vs_target']}); p50 {figures['single_latency_p50_ms']} ms, "
        f"p99 {figures['single_latency_p99_ms']} ms; server CPU "
        f"{figures['server_cpu_us_per_single_request']} µs per request"
    )
    print(
        f"after SIGKILL: {check['rows']:,} rows, {check['acked_missing']} acknowledged "
        f"missing, {check['stored_unacked']} stored but unacknowledged, integrity "
        f"{check['integrity']} -> {'DURABLE' if durable else 'NOT DURABLE'}"
    )
    for err in (batches.errors + singles.errors)[:6]:
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
