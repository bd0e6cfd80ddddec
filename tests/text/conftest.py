"""Fixtures of the text tests: the command-line ones are shared with tests/cli."""

from tests.cli.conftest import cli_env, runner  # noqa: F401  (fixtures)
