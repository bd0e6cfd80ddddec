"""Single-use links by e-mail: invitations to set a first password, and password resets.

The link carries a random token; only its SHA-256 is stored. Mail leaves through the job
queue after commit, so a rolled-back invitation sends nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import Membership, Organisation, PasswordToken, User
from kohtaamo.accounts.passwords import UNUSABLE, hash_password
from kohtaamo.accounts.service import check_password, do_end_sessions, sha256
from kohtaamo.errors import NotFound
from kohtaamo.i18n import gettext
from kohtaamo.kit.clock import utcnow
from kohtaamo.kit.ids import token
from kohtaamo.mail.service import enqueue_mail

INVITE_TTL = timedelta(days=7)
RESET_TTL = timedelta(hours=1)
RESETS_PER_HOUR = 3


def _invalid_link() -> NotFound:
    return NotFound("This link is not valid or has expired. Ask for a new one.")


def _new_token(session: Session, user: User, purpose: str, ttl: timedelta) -> str:
    plaintext = token(32)
    now = utcnow()
    session.add(
        PasswordToken(
            token_hash=sha256(plaintext),
            user_id=user.id,
            purpose=purpose,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return plaintext


def do_send_invitation(
    session: Session, actor: Actor, membership: Membership, *, base_url: str, locale: str
) -> None:
    """Tell a new member they were added; with a set-password link if they have no password."""
    actor.require("members.manage")
    user = session.get(User, membership.user_id)
    org = session.get(Organisation, actor.organisation_id)
    if user is None or org is None:
        raise NotFound()
    locale = user.locale or locale
    lines = [gettext(locale, "You have been added to %(org)s in Kohtaamo.", org=org.name), ""]
    if user.password_hash == UNUSABLE:
        link = (
            f"{base_url.rstrip('/')}/password/set/{_new_token(session, user, 'invite', INVITE_TTL)}"
        )
        lines += [
            gettext(locale, "Choose your password here (the link works once, for 7 days):"),
            link,
        ]
    else:
        lines += [gettext(locale, "Sign in as usual:"), f"{base_url.rstrip('/')}/login"]
    enqueue_mail(
        session,
        to=user.email,
        subject=gettext(locale, "Welcome to %(org)s in Kohtaamo", org=org.name),
        text="\n".join(lines) + "\n",
        organisation_id=org.id,
    )


def do_request_password_reset(session: Session, email: str, *, base_url: str, locale: str) -> None:
    """Mail a reset link if the address belongs to an active user. Says nothing either way,
    so that the form does not reveal who has an account."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        return
    recent = session.scalar(
        select(func.count())
        .select_from(PasswordToken)
        .where(
            PasswordToken.user_id == user.id,
            PasswordToken.purpose == "reset",
            PasswordToken.created_at > utcnow() - timedelta(hours=1),
        )
    )
    if (recent or 0) >= RESETS_PER_HOUR:
        return  # quietly: a flood of reset mails is itself an attack on the user
    locale = user.locale or locale
    link = f"{base_url.rstrip('/')}/password/set/{_new_token(session, user, 'reset', RESET_TTL)}"
    text = "\n".join(
        [
            gettext(locale, "Someone asked to reset your Kohtaamo password."),
            gettext(locale, "Choose a new password here (the link works once, for an hour):"),
            link,
            "",
            gettext(locale, "If it was not you, ignore this message: nothing changes."),
        ]
    )
    enqueue_mail(
        session, to=user.email, subject=gettext(locale, "Reset your Kohtaamo password"), text=text
    )


def check_password_token(session: Session, plaintext: str) -> PasswordToken:
    found = session.get(PasswordToken, sha256(plaintext))
    if found is None or found.used_at is not None or found.expires_at <= utcnow():
        raise _invalid_link()
    return found


def do_set_password(session: Session, plaintext: str, password: str) -> User:
    """Use a link: set the password, spend the link, end the user's other sessions."""
    link = check_password_token(session, plaintext)
    check_password(password)
    user = session.get(User, link.user_id)
    if user is None or not user.is_active:
        raise _invalid_link()
    user.password_hash = hash_password(password)
    link.used_at = utcnow()
    do_end_sessions(session, user.id)
    session.flush()
    return user
