from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from kohtaamo.accounts import passwords


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each seed hashes the demo logins' passwords; production-strength argon2 would make
    these tests spend most of their time hashing. Verification reads the cost from the
    hash, so signing in still checks the password for real."""
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
