"""``kohtaamo serve`` and ``kohtaamo demo``: run the web application."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from kohtaamo.cli.common import friendly_errors, load_settings, open_database


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
    with open_database(settings):
        pass
    uvicorn.run(
        "kohtaamo.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # query strings and paths may carry personal data
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=",".join(settings.trusted_proxies) or None,
    )
