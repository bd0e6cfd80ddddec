"""Small text checks shared by input models."""

from __future__ import annotations

from typing import Any


def contains_nul(value: Any, depth: int = 0) -> bool:
    """Whether a JSON-like value holds a NUL character in any string, key or value.

    PostgreSQL refuses NUL in text and JSONB (SQLite would store it), so input models
    refuse it up front: the same input gets the same answer on both databases.
    """
    if isinstance(value, str):
        return "\x00" in value
    if depth > 64:
        return False
    if isinstance(value, dict):
        return any(
            contains_nul(k, depth + 1) or contains_nul(v, depth + 1) for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        return any(contains_nul(v, depth + 1) for v in value)
    return False
