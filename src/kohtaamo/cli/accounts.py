"""``kohtaamo org|user|apikey``: organisations, people and machine keys."""

from __future__ import annotations

from typing import Annotated

import typer

from kohtaamo.accounts import repository as repo
from kohtaamo.accounts import service
from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.permissions import Role, Scope
from kohtaamo.cli.common import friendly_errors, load_settings, open_database
from kohtaamo.errors import NotFound
from kohtaamo.storage.tenancy import ALL_TENANTS

org_app = typer.Typer(help="Organisations (tenants).", no_args_is_help=True)
user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys of an organisation.", no_args_is_help=True)


@org_app.command("create")
@friendly_errors
def org_create(
    name: Annotated[str, typer.Argument(help="Display name, e.g. 'Tapahtumatalo Oy'.")],
    slug: Annotated[str, typer.Option(help="Short name: lowercase letters, digits, hyphens.")],
    locale: Annotated[str, typer.Option(help="Default language: fi or en.")] = "fi",
) -> None:
    """Create an organisation."""
    with open_database(load_settings()) as db, db.transaction(ALL_TENANTS) as session:
        org = service.do_create_organisation(session, name=name, slug=slug, locale=locale)
        typer.echo(f"created organisation {org.slug} ({org.id})")


@user_app.command("create")
@friendly_errors
def user_create(
    email: Annotated[str, typer.Argument(help="The user's e-mail address (their sign-in name).")],
    org: Annotated[str, typer.Option(help="Short name of the organisation to join.")],
    role: Annotated[Role, typer.Option(help="Role in that organisation.")] = Role.VIEWER,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Password.")
    ] = "",
) -> None:
    """Create a user (or add an existing one) with a role in an organisation."""
    with open_database(load_settings()) as db:
        with db.transaction(ALL_TENANTS) as session:
            organisation = repo.organisation_by_slug(session, org)
            if organisation is None:
                raise NotFound("No organisation has this short name.", field="org")
            user = repo.user_by_email(session, email) or service.do_create_user(
                session, email=email, name=name or email, password=password
            )
        with db.transaction(organisation.id) as session:
            service.do_add_member(session, user=user, role=role)
        typer.echo(f"{user.email} is now {role.value} in {organisation.slug}")


@apikey_app.command("create")
@friendly_errors
def apikey_create(
    org: Annotated[str, typer.Option(help="Short name of the organisation.")],
    name: Annotated[str, typer.Option(help="What the key is for, e.g. 'CRM sync'.")],
    scope: Annotated[list[Scope], typer.Option(help="read and/or write (repeat the option).")] = [  # noqa: B006
        Scope.READ
    ],
) -> None:
    """Create an API key. The key is printed once; only its hash is stored."""
    with open_database(load_settings()) as db:
        with db.transaction(ALL_TENANTS) as session:
            organisation = repo.organisation_by_slug(session, org)
            if organisation is None:
                raise NotFound("No organisation has this short name.", field="org")
        operator = Actor(organisation_id=organisation.id, role=Role.OWNER)
        with db.transaction(organisation.id) as session:
            key, plaintext = service.do_create_api_key(session, operator, name=name, scopes=scope)
        typer.echo(f"API key {key.prefix} ({', '.join(key.scopes)}): {plaintext}")
        typer.echo("Store it now: it is not shown again.", err=True)
