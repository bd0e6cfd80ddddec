"""Use cases of accounts. Services flush, never commit: the caller owns the transaction.

Names follow one habit: ``do_*`` changes state, ``check_*`` validates, ``authenticate_*``
turns a credential into an :class:`Actor` or raises.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from kohtaamo.accounts import repository as repo
from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import (
    ApiKey,
    LoginAttempt,
    Membership,
    Organisation,
    User,
    WebSession,
)
from kohtaamo.accounts.passwords import MIN_LENGTH, hash_password, verify_password
from kohtaamo.accounts.permissions import Role, Scope
from kohtaamo.audit.service import record
from kohtaamo.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyRequests,
    Unauthenticated,
)
from kohtaamo.kit.clock import utcnow
from kohtaamo.kit.ids import token

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
API_KEY_RE = re.compile(r"^kh_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{20,})$")


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- organisations and users -------------------------------------------------------


def check_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            "The password must have at least %(min)s characters.", field="password", min=MIN_LENGTH
        )


def do_create_organisation(
    session: Session, *, name: str, slug: str, locale: str = "fi"
) -> Organisation:
    name = name.strip()
    if not name:
        raise InvalidInput("Give the organisation a name.", field="name")
    if not SLUG_RE.match(slug):
        raise InvalidInput(
            "The short name may contain only lowercase letters, digits and hyphens.", field="slug"
        )
    if repo.organisation_by_slug(session, slug) is not None:
        raise Conflict("An organisation with this short name already exists.", field="slug")
    org = Organisation(name=name, slug=slug, default_locale=locale)
    session.add(org)
    session.flush()
    return org


def do_create_user(
    session: Session, *, email: str, name: str, password: str | None, locale: str | None = None
) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInput("Give a valid e-mail address.", field="email")
    if repo.user_by_email(session, email) is not None:
        raise Conflict("A user with this e-mail address already exists.", field="email")
    if password is not None:
        check_password(password)
    user = User(
        email=email,
        name=name.strip() or email,
        password_hash=hash_password(password) if password else "!unusable",
        locale=locale,
    )
    session.add(user)
    session.flush()
    return user


def do_add_member(session: Session, *, user: User, role: Role) -> Membership:
    """Add ``user`` to the session's organisation."""
    existing = repo.membership_of(session, user.id)
    if existing is not None:
        if existing.is_active:
            raise Conflict("This person is already a member.", field="email")
        existing.is_active, existing.role = True, role
        return existing
    membership = Membership(user_id=user.id, role=role)
    session.add(membership)
    session.flush()
    return membership


def do_invite_member(
    session: Session, actor: Actor, *, email: str, name: str, role: Role
) -> Membership:
    actor.require("members.manage")
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner can make someone an owner.", field="role")
    user = repo.user_by_email(session, email) or do_create_user(
        session, email=email, name=name, password=None
    )
    membership = do_add_member(session, user=user, role=role)
    record(
        session,
        "member.invited",
        actor,
        object_type="user",
        object_id=user.id,
        detail={"role": str(role)},
    )
    return membership


def _member_for_change(session: Session, actor: Actor, membership_id: uuid.UUID) -> Membership:
    actor.require("members.manage")
    membership = repo.membership(session, membership_id)
    if membership is None:
        raise NotFound()
    if membership.role == Role.OWNER and actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner can change another owner.")
    return membership


def _keep_an_owner(session: Session, membership: Membership) -> None:
    if (
        membership.role == Role.OWNER
        and membership.is_active
        and repo.count_active_owners(session) <= 1
    ):
        raise Conflict("The organisation must keep at least one owner.", field="role")


def do_change_role(
    session: Session, actor: Actor, membership_id: uuid.UUID, role: Role
) -> Membership:
    membership = _member_for_change(session, actor, membership_id)
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner can make someone an owner.", field="role")
    if role != Role.OWNER:
        _keep_an_owner(session, membership)
    if membership.role != role:
        record(
            session,
            "member.role_changed",
            actor,
            object_type="user",
            object_id=membership.user_id,
            detail={"from": str(membership.role), "to": str(role)},
        )
    membership.role = role
    session.flush()
    return membership


def do_disable_member(session: Session, actor: Actor, membership_id: uuid.UUID) -> Membership:
    """Remove a person from this organisation and end their signed-in sessions at once."""
    membership = _member_for_change(session, actor, membership_id)
    if membership.user_id == actor.user_id:
        raise Conflict("You cannot disable yourself.")
    _keep_an_owner(session, membership)
    membership.is_active = False
    do_end_sessions(session, membership.user_id)
    record(session, "member.disabled", actor, object_type="user", object_id=membership.user_id)
    session.flush()
    return membership


def do_set_user_active(session: Session, user: User, active: bool) -> None:
    """Disable a user everywhere (CLI, operators): every session ends at once."""
    user.is_active = active
    if not active:
        do_end_sessions(session, user.id)
    session.flush()


def do_end_sessions(session: Session, user_id: uuid.UUID) -> None:
    session.query(WebSession).filter(WebSession.user_id == user_id).delete()


def list_members(session: Session, actor: Actor) -> list[Membership]:
    """The organisation's members, disabled ones included, by name."""
    actor.require("members.view")
    return repo.members(session)


def list_api_keys(session: Session, actor: Actor) -> list[ApiKey]:
    """The organisation's API keys, newest first, revoked ones included."""
    actor.require("apikeys.manage")
    return repo.api_keys(session)


# --- API keys ----------------------------------------------------------------------


def do_create_api_key(
    session: Session, actor: Actor, *, name: str, scopes: list[Scope]
) -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is never stored or shown again."""
    actor.require("apikeys.manage")
    if not name.strip():
        raise InvalidInput("Give the key a name.", field="name")
    if not scopes:
        raise InvalidInput("Choose at least one scope.", field="scopes")
    prefix = token(9).replace("-", "x").replace("_", "y")[:12]
    secret = token(32)
    key = ApiKey(
        name=name.strip(),
        prefix=prefix,
        secret_hash=sha256(secret),
        scopes=sorted({str(s) for s in scopes}),
        created_by_id=actor.user_id,
    )
    session.add(key)
    session.flush()
    record(
        session,
        "apikey.created",
        actor,
        object_type="api_key",
        object_id=key.id,
        detail={"name": key.name, "prefix": prefix, "scopes": key.scopes},
    )
    return key, f"kh_{prefix}_{secret}"


def do_revoke_api_key(session: Session, actor: Actor, key_id: uuid.UUID) -> ApiKey:
    actor.require("apikeys.manage")
    key = repo.api_key(session, key_id)
    if key is None:
        raise NotFound()
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record(
            session,
            "apikey.revoked",
            actor,
            object_type="api_key",
            object_id=key.id,
            detail={"name": key.name, "prefix": key.prefix},
        )
    session.flush()
    return key


def authenticate_api_key(session: Session, presented: str) -> Actor:
    """Turn a presented key into an Actor. ``session`` must be an all-tenants session."""
    match = API_KEY_RE.match(presented.strip())
    key = repo.api_key_by_prefix(session, match.group(1)) if match else None
    if match is None or key is None:
        raise Unauthenticated("The API key is not valid.")
    if not hmac.compare_digest(key.secret_hash, sha256(match.group(2))):
        raise Unauthenticated("The API key is not valid.")
    if key.revoked_at is not None:
        raise Unauthenticated("The API key has been revoked.")
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        key.last_used_at = now
    return Actor(
        organisation_id=key.organisation_id,
        api_key_id=key.id,
        scopes=frozenset(Scope(s) for s in key.scopes),
    )


# --- signing in --------------------------------------------------------------------


def check_login_throttle(
    session: Session, window_s: int, max_failures: int, *, email: str, client: str
) -> None:
    since = utcnow() - timedelta(seconds=window_s)
    by_email, by_client = repo.failures_since(session, email=email, client=client, since=since)
    # Per-client limit is looser: many people may share an office address.
    if by_email >= max_failures or by_client >= max_failures * 4:
        raise TooManyRequests(
            "Too many failed sign-ins. Wait %(minutes)s minutes and try again.",
            minutes=max(1, window_s // 60),
            headers={"Retry-After": str(window_s)},
        )


def do_login(
    session: Session,
    *,
    email: str,
    password: str,
    client: str,
    max_age_s: int,
    window_s: int,
    max_failures: int,
) -> tuple[str, User] | None:
    """Verify credentials and open a server-side session.

    Returns the cookie token, or None when the credentials are wrong: the failed attempt
    is recorded and must be committed (for throttling) before the caller reports it.
    """
    email = email.strip().lower()
    check_login_throttle(session, window_s, max_failures, email=email, client=client)
    user = repo.user_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    now = utcnow()
    succeeded = ok and user is not None and user.is_active
    session.add(
        LoginAttempt(email=email[:254], client=client[:64], succeeded=succeeded, attempted_at=now)
    )
    if not succeeded or user is None:
        session.flush()
        return None
    memberships = repo.memberships_of_user(session, user.id)
    first_org = memberships[0][1].id if memberships else None
    cookie = token(32)
    session.add(
        WebSession(
            token_hash=sha256(cookie),
            user_id=user.id,
            organisation_id=first_org,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(seconds=max_age_s),
        )
    )
    session.flush()
    return cookie, user


def do_logout(session: Session, cookie: str) -> None:
    ws = repo.web_session(session, sha256(cookie))
    if ws is not None:
        session.delete(ws)
        session.flush()


def authenticate_session(session: Session, cookie: str) -> tuple[WebSession, User]:
    ws = repo.web_session(session, sha256(cookie))
    now = utcnow()
    if ws is None or ws.expires_at <= now:
        raise Unauthenticated("Your session has ended. Sign in again.")
    user = session.get(User, ws.user_id)
    if user is None or not user.is_active:
        raise Unauthenticated("Your session has ended. Sign in again.")
    if now - ws.last_seen_at > timedelta(minutes=1):
        ws.last_seen_at = now
    return ws, user


def actor_for_session(session: Session, ws: WebSession, user: User) -> Actor | None:
    """The user's rights in the session's current organisation, or None if they have none."""
    if ws.organisation_id is None:
        return None
    for membership, org in repo.memberships_of_user(session, user.id):
        if org.id == ws.organisation_id:
            return Actor(organisation_id=org.id, user_id=user.id, role=Role(membership.role))
    return None


def do_switch_organisation(
    session: Session, ws: WebSession, user: User, organisation_id: uuid.UUID
) -> None:
    if not any(org.id == organisation_id for _, org in repo.memberships_of_user(session, user.id)):
        raise NotFound()
    ws.organisation_id = organisation_id
    session.flush()


def do_set_locale(session: Session, user: User, locale: str) -> None:
    if locale not in ("fi", "en"):
        raise InvalidInput("Unknown language.", field="locale")
    user.locale = locale
    session.flush()
