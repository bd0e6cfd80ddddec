"""``kohtaamo serve``: run the web application (``kohtaamo demo`` reuses :func:`run_server`)."""

from __future__ import annotations

import errno
import socket
from typing import Annotated

import typer
import uvicorn

from kohtaamo.app import create_app
from kohtaamo.cli.common import friendly_errors, load_settings, open_database
from kohtaamo.config import Settings


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


@friendly_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
) -> None:
    """Serve Kohtaamo (migrates the database first)."""
    settings = load_settings()
    ensure_port_free(host, port)
    with open_database(settings):
        pass
    run_server(settings, host, port, workers)


def ensure_port_free(host: str, port: int) -> None:
    """Fail with a clear message now, not after start-up work, when the port is taken."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        typer.secho(f"error: cannot listen on {host!r}: {exc.strerror}", err=True, fg="red")
        raise typer.Exit(1) from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # As uvicorn does: a port left in TIME_WAIT by a stopped server is free to reuse.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            reason = (
                "is already in use (another Kohtaamo?); stop it or choose another --port"
                if exc.errno == errno.EADDRINUSE
                else f"cannot be used: {exc.strerror}"
            )
            typer.secho(f"error: port {port} on {host} {reason}", err=True, fg="red")
            raise typer.Exit(1) from exc


def run_server(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    """Serve until interrupted. One worker serves ``settings`` as given; several workers
    each build the app from the environment (uvicorn needs an import string for them)."""
    uvicorn.run(
        create_app(settings) if workers == 1 else "kohtaamo.app:create_app",
        factory=workers > 1,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # query strings and paths may carry personal data
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=",".join(settings.trusted_proxies) or None,
    )
