"""Every way around the tenancy filter is listed here, so a new one gets reviewed.

``ALL_TENANTS`` sessions and ``execution_options(all_tenants="why")`` see every
organisation's data. Each use must be one of the reviewed ones below; adding a use means
adding a line here with the reason, which a reviewer then reads.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import kohtaamo

SRC = Path(kohtaamo.__file__).resolve().parent

# file (relative to src/kohtaamo) -> (number of ALL_TENANTS uses, why it needs them)
ALL_TENANTS_USES: dict[str, tuple[int, str]] = {
    "web/deps.py": (1, "resolve the session cookie to a user before the tenant is known"),
    "web/routes/auth.py": (
        4,
        "sign-in, sign-out, language and organisation switch act on the user, not a tenant",
    ),
    "api/deps.py": (1, "look up an API key by its prefix before its tenant is known"),
    "cli/accounts.py": (3, "operator commands: create organisations, users, first keys"),
    "jobs/execution.py": (
        6,
        "claim and finish jobs of every organisation; a job without an organisation "
        "(system job) runs across tenants, a tenant job runs in its own tenant; a restarted "
        "runner takes back the jobs a dead process of its host held",
    ),
    "cli/common.py": (
        1,
        "operator commands (events, customers, surveys) find the organisation by its short name",
    ),
    "jobs/outbox.py": (1, "compares the enqueuing session's tenant (not a session opened)"),
    "jobs/scheduler.py": (1, "enqueue periodic system jobs"),
    "jobs/worker.py": (2, "poll the queue of every organisation"),
}

# all_tenants="<reason>" execution options, by file and reason
ALL_TENANTS_OPTIONS: set[tuple[str, str]] = {
    ("accounts/repository.py", "a user's own memberships"),
    ("surveys/repository.py", "a public survey link names its organisation"),
    # Core queries on a connection of its own: the store copies every organisation and
    # every query over it filters organisation_id (tests/analytics/test_sync.py).
    (
        "analytics/sync.py",
        "the analytics store holds every organisation; queries filter by org",
    ),
}

USE_RE = re.compile(r"\bALL_TENANTS\b")
OPTION_RE = re.compile(r"all_tenants\s*=\s*([\"'])(.*?)\1")
EXEMPT = {"storage/tenancy.py"}  # defines the bypass


def _sources() -> list[tuple[str, str]]:
    return [
        (path.relative_to(SRC).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted(SRC.rglob("*.py"))
        if path.relative_to(SRC).as_posix() not in EXEMPT
    ]


def test_all_tenants_sessions_are_reviewed() -> None:
    found: Counter[str] = Counter()
    for name, text in _sources():
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith(("from ", "import ", "#")):
                continue
            found[name] += len(USE_RE.findall(line))
    found = +found  # drop zero counts
    expected = {name: count for name, (count, _why) in ALL_TENANTS_USES.items()}
    assert dict(found) == expected, (
        "ALL_TENANTS uses changed. Review each new use (does it really need every "
        "organisation's data?) and update ALL_TENANTS_USES in "
        f"tests/storage/test_tenancy_bypasses.py.\nfound:    {dict(found)}\nexpected: {expected}"
    )


def test_all_tenants_options_are_reviewed() -> None:
    found = {
        (name, match.group(2)) for name, text in _sources() for match in OPTION_RE.finditer(text)
    }
    assert found == ALL_TENANTS_OPTIONS, (
        "execution_options(all_tenants=...) uses changed; review and update "
        f"ALL_TENANTS_OPTIONS.\nnew: {found - ALL_TENANTS_OPTIONS}\n"
        f"gone: {ALL_TENANTS_OPTIONS - found}"
    )


def test_bypass_option_needs_a_reason() -> None:
    for name, text in _sources():
        for match in re.finditer(r"all_tenants\s*=\s*(True|1)\b", text):
            raise AssertionError(f"{name}: all_tenants={match.group(1)} gives no reason")
