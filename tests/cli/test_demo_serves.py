"""``kohtaamo demo`` really serves: a separate process, a real port, a real request."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_kohtaamo_demo_serves_the_sign_in_page(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOHTAAMO_")}
    env.update(
        KOHTAAMO_DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}",
        PYTHONUNBUFFERED="1",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "kohtaamo.cli.main", "demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    status = None
    try:
        deadline = time.monotonic() + 60  # generous: CI machines are busy
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code
            except httpx.TransportError:
                time.sleep(0.2)
                continue
            if status == 200:
                break
    finally:
        process.terminate()
        try:
            out, err = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()

    assert status == 200, f"no sign-in page on port {port}\nstdout:\n{out}\nstderr:\n{err}"
    assert f"Open http://127.0.0.1:{port}/ and sign in as the demo manager" in out
    assert "manager@elamys.example" in out and "kohtaamo-demo" in out
    assert "Stop with Ctrl+C." in out
