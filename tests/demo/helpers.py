"""What the demo tests compare: the content of a database, ids and secrets aside."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Uuid, func, select, text

from kohtaamo.accounts.models import Membership, Organisation, User
from kohtaamo.models import Base
from kohtaamo.storage.db import Database

# Columns that differ between two runs of the same seed by design: random salts and keys.
SECRET_COLUMNS = {"password_hash", "secret_hash", "token_hash", "prefix"}


# Ids inside text (a case's "customer:topic" key, a timeline line naming a user) differ
# between runs as the id columns do.
_UUID_TEXT = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):  # PostgreSQL's JSONB keeps keys in its own order
        value = json.dumps(value, sort_keys=True)
    if isinstance(value, str):
        return _UUID_TEXT.sub("<id>", value)
    return value.isoformat() if isinstance(value, datetime) else value


def _surrogate_id(column: Any) -> bool:
    """UUIDs and integer row ids (PostgreSQL's sequences go on counting after emptying)."""
    return isinstance(column.type, Uuid) or (
        column.primary_key and isinstance(column.type, Integer)
    )


def content(db: Database) -> dict[str, list[str]]:
    """Every table's rows without ids, foreign keys and secrets, sorted.

    Covers whatever later contributors add, without knowing their tables. Core queries
    (no ORM session) are not tenant-filtered, so every organisation's rows are included.
    """
    found: dict[str, list[str]] = {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            columns = [
                c for c in table.columns if not _surrogate_id(c) and c.name not in SECRET_COLUMNS
            ]
            if not columns:  # only ids (a link table such as team_members): count the rows
                count = conn.execute(select(func.count()).select_from(table)).scalar_one()
                found[table.name] = [str(count)]
                continue
            rows = conn.execute(select(*columns)).all()
            found[table.name] = sorted(repr(tuple(_plain(v) for v in row)) for row in rows)
    return found


def memberships(db: Database) -> list[tuple[str, str, str]]:
    """Who is what where, by natural keys: the relations the id-free content leaves out."""
    stmt = (
        select(Organisation.slug, User.email, Membership.role)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .join(User, User.id == Membership.user_id)
    )
    with db.engine.connect() as conn:
        return sorted((slug, email, str(role)) for slug, email, role in conn.execute(stmt))


def empty(db: Database) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f'DELETE FROM "{name}"'))
