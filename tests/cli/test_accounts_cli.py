"""``kohtaamo org|user|apikey create``: the happy paths and clear refusals."""

from __future__ import annotations

from typer.testing import CliRunner

from kohtaamo.accounts import repository as repo
from kohtaamo.accounts.service import authenticate_api_key
from kohtaamo.cli.main import app
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS

PASSWORD = "a long enough password"


def make_org(runner: CliRunner, slug: str = "acme") -> None:
    result = runner.invoke(app, ["org", "create", "Acme Oy", "--slug", slug])
    assert result.exit_code == 0, result.output


def test_org_create(runner: CliRunner, cli_env: Database) -> None:
    result = runner.invoke(app, ["org", "create", "Acme Oy", "--slug", "acme", "--locale", "en"])

    assert result.exit_code == 0, result.output
    assert "created organisation acme" in result.stdout
    with cli_env.transaction(ALL_TENANTS, readonly=True) as session:
        org = repo.organisation_by_slug(session, "acme")
        assert org is not None and (org.name, org.default_locale) == ("Acme Oy", "en")


def test_org_create_refuses_a_bad_slug(runner: CliRunner, cli_env: Database) -> None:
    result = runner.invoke(app, ["org", "create", "Acme Oy", "--slug", "Not A Slug"])

    assert result.exit_code == 1
    assert "lowercase letters, digits and hyphens" in result.stderr
    assert "Traceback" not in result.output


def test_org_create_refuses_a_taken_slug(runner: CliRunner, cli_env: Database) -> None:
    make_org(runner)
    result = runner.invoke(app, ["org", "create", "Other Oy", "--slug", "acme"])
    assert result.exit_code == 1
    assert "already exists" in result.stderr


def test_user_create(runner: CliRunner, cli_env: Database) -> None:
    make_org(runner)
    result = runner.invoke(
        app,
        ["user", "create", "Aino@Example.test", "--org", "acme", "--role", "analyst",
         "--name", "Aino Virtanen", "--password", PASSWORD],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "aino@example.test is now analyst in acme" in result.stdout
    with cli_env.transaction(ALL_TENANTS, readonly=True) as session:
        user = repo.user_by_email(session, "aino@example.test")
        assert user is not None and user.name == "Aino Virtanen"
        roles = [(m.role, o.slug) for m, o in repo.memberships_of_user(session, user.id)]
    assert roles == [("analyst", "acme")]


def test_user_create_prompts_for_the_password(runner: CliRunner, cli_env: Database) -> None:
    make_org(runner)
    result = runner.invoke(
        app, ["user", "create", "a@example.test", "--org", "acme"], input=f"{PASSWORD}\n" * 2
    )
    assert result.exit_code == 0, result.output
    assert "a@example.test is now viewer in acme" in result.stdout


def test_user_create_refuses_an_unknown_org(runner: CliRunner, cli_env: Database) -> None:
    result = runner.invoke(
        app, ["user", "create", "a@example.test", "--org", "nope", "--password", PASSWORD]
    )
    assert result.exit_code == 1
    assert "No organisation has this short name" in result.stderr


def test_user_create_refuses_a_short_password(runner: CliRunner, cli_env: Database) -> None:
    make_org(runner)
    result = runner.invoke(
        app, ["user", "create", "a@example.test", "--org", "acme", "--password", "short"]
    )
    assert result.exit_code == 1
    assert "at least 10 characters" in result.stderr


def test_user_create_refuses_an_unknown_role(runner: CliRunner, cli_env: Database) -> None:
    make_org(runner)
    result = runner.invoke(
        app,
        ["user", "create", "a@example.test", "--org", "acme", "--role", "emperor",
         "--password", PASSWORD],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "emperor" in result.output


def test_apikey_create(runner: CliRunner, cli_env: Database) -> None:
    make_org(runner)
    result = runner.invoke(
        app, ["apikey", "create", "--org", "acme", "--name", "CRM sync", "--scope", "write"]
    )

    assert result.exit_code == 0, result.output
    assert "(write)" in result.stdout and ": kh_" in result.stdout
    assert "not shown again" in result.stderr
    key = result.stdout.strip().rsplit(" ", 1)[-1]
    with cli_env.transaction(ALL_TENANTS) as session:
        actor = authenticate_api_key(session, key)
    assert actor.api_key_id is not None


def test_apikey_create_refuses_an_unknown_org(runner: CliRunner, cli_env: Database) -> None:
    result = runner.invoke(app, ["apikey", "create", "--org", "nope", "--name", "x"])
    assert result.exit_code == 1
    assert "No organisation has this short name" in result.stderr
