"""Shared pieces of the commands: settings, database, clear errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import typer
from pydantic import ValidationError

from kohtaamo.accounts import repository as accounts_repo
from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.permissions import Role
from kohtaamo.config import Settings
from kohtaamo.errors import KohtaamoError, NotFound
from kohtaamo.i18n import gettext
from kohtaamo.storage.db import Database
from kohtaamo.storage.engine import StorageMisconfigured, check_durability
from kohtaamo.storage.migrate import upgrade
from kohtaamo.storage.tenancy import ALL_TENANTS

P = ParamSpec("P")
R = TypeVar("R")


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        for err in exc.errors():
            typer.secho(f"configuration: {err['msg']}", err=True, fg="red")
        raise typer.Exit(2) from exc


@contextmanager
def open_database(settings: Settings, *, migrate: bool = True) -> Iterator[Database]:
    db = Database(settings.database_url)
    try:
        check_durability(db.engine)
        if migrate:
            upgrade(db.engine)
        yield db
    finally:
        db.dispose()


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn business errors into one readable line and a non-zero exit code."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except KohtaamoError as exc:
            detail = gettext("en", exc.message, **_str_params(exc.params))
            fields = "; ".join(f"{p.field}: {gettext('en', p.message)}" for p in exc.problems)
            typer.secho(
                f"error: {detail}" + (f" ({fields})" if fields and fields not in detail else ""),
                err=True,
                fg="red",
            )
            raise typer.Exit(1) from exc
        except StorageMisconfigured as exc:
            typer.secho(f"error: {exc}", err=True, fg="red")
            raise typer.Exit(2) from exc

    return wrapper


def _str_params(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if isinstance(v, str | int | float)}


def operator(db: Database, slug: str) -> Actor:
    """The organisation's operator: someone with shell access to the server acts as owner."""
    with db.transaction(ALL_TENANTS) as session:
        organisation = accounts_repo.organisation_by_slug(session, slug)
        if organisation is None:
            raise NotFound("No organisation has this short name.", field="org")
    return Actor(organisation_id=organisation.id, role=Role.OWNER)
