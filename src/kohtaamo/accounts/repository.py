"""Queries of accounts data. Tenant-scoped rows are filtered by ``storage.tenancy``."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kohtaamo.accounts.models import (
    ApiKey,
    LoginAttempt,
    Membership,
    Organisation,
    User,
    WebSession,
)


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def organisation_by_slug(session: Session, slug: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.slug == slug))


def memberships_of_user(
    session: Session, user_id: uuid.UUID
) -> list[tuple[Membership, Organisation]]:
    """All organisations a user belongs to: the one query that looks across tenants."""
    stmt = (
        select(Membership, Organisation)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.user_id == user_id, Membership.is_active.is_(True))
        .order_by(Organisation.name)
        .execution_options(all_tenants="a user's own memberships")
    )
    return [(m, o) for m, o in session.execute(stmt).all()]


def membership_of(session: Session, user_id: uuid.UUID) -> Membership | None:
    return session.scalar(select(Membership).where(Membership.user_id == user_id))


def membership(session: Session, membership_id: uuid.UUID) -> Membership | None:
    return session.scalar(select(Membership).where(Membership.id == membership_id))


def members(session: Session) -> list[Membership]:
    stmt = select(Membership).join(Membership.user).order_by(User.name)
    return list(session.scalars(stmt))


def count_active_owners(session: Session) -> int:
    stmt = (
        select(func.count())
        .select_from(Membership)
        .where(Membership.role == "owner", Membership.is_active.is_(True))
    )
    return session.scalar(stmt) or 0


def api_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc())))


def api_key(session: Session, key_id: uuid.UUID) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.id == key_id))


def api_key_by_prefix(session: Session, prefix: str) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))


def web_session(session: Session, token_hash: str) -> WebSession | None:
    return session.get(WebSession, token_hash)


def failures_since(
    session: Session, *, email: str, client: str, since: datetime
) -> tuple[int, int]:
    def count(*conds: object) -> int:
        stmt = (
            select(func.count())
            .select_from(LoginAttempt)
            .where(
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.attempted_at >= since,
                *conds,  # type: ignore[arg-type]
            )
        )
        return session.scalar(stmt) or 0

    return count(LoginAttempt.email == email), count(LoginAttempt.client == client)
