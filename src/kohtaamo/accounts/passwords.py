"""Password hashing with argon2id (argon2-cffi's tuned defaults)."""

from __future__ import annotations

import contextlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# A valid hash of a random secret, verified when the e-mail is unknown so that timing does
# not reveal which addresses have accounts.
_DUMMY_HASH = _hasher.hash("not-a-real-password-7f3c")
UNUSABLE = "!unusable"

MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash or password_hash == UNUSABLE:
        _burn(password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _burn(password: str) -> None:
    with contextlib.suppress(VerificationError):
        _hasher.verify(_DUMMY_HASH, password)
