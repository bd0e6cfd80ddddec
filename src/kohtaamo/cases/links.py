"""The customer's links to a case: ``/c/<token>`` (read and reply) and
``/c/<token>/followup`` ("was it put right?").

The token is ``<organisation id>.<HMAC of the case id>``, derived with the server's
secret as survey invitation links are (``surveys.invitations.link_token``): every
message of a case carries the same link, the case page can show it before anything is
sent, and the token itself is never stored. The case keeps only its SHA-256
(``Case.reply_token_hash``, set by the first message), which is what the public pages
look up, so a copy of the database opens no case. The organisation id in front tells
the public page which tenant to open before it looks for the case (the survey pages
learn it from the slug the same way); no lookup across organisations is needed.

Links are absolute, built from the settings' ``base_url`` like survey invitations.
The settings come from the running job, else from the application that configured
this module (:func:`configure`, called by ``create_app``), else from the environment.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

from kohtaamo.config import Settings, get_settings

MAX_TOKEN_LENGTH = 100
_configured: Settings | None = None


def configure(settings: Settings) -> None:
    """Use the application's settings for links built outside a job (pages, API)."""
    global _configured
    _configured = settings


def current_settings() -> Settings:
    """The settings links are built with: the job's, the application's, the default."""
    from kohtaamo.jobs import current_job  # a job carries its own settings

    try:
        return current_job().settings
    except RuntimeError:  # not in a job
        pass
    return _configured if _configured is not None else get_settings()


def reply_token(secret: str, organisation_id: uuid.UUID, case_id: uuid.UUID) -> str:
    mac = hmac.new(
        secret.encode("utf-8"), b"kohtaamo/case-reply/" + case_id.bytes, "sha256"
    ).digest()
    return f"{organisation_id.hex}.{base64.urlsafe_b64encode(mac[:24]).decode('ascii')}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def organisation_of_token(token: str) -> uuid.UUID | None:
    """The organisation a token names, or None for anything that is not a token."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    head, dot, rest = token.partition(".")
    if not dot or not rest:
        return None
    try:
        return uuid.UUID(hex=head)
    except ValueError:
        return None


def reply_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/c/{token}"


def followup_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/c/{token}/followup"


def links_for(
    organisation_id: uuid.UUID, case_id: uuid.UUID, settings: Settings | None = None
) -> tuple[str, str, str]:
    """(token, reply link, follow-up link) of a case."""
    settings = settings or current_settings()
    token = reply_token(settings.secret_key, organisation_id, case_id)
    return token, reply_link(settings.base_url, token), followup_link(settings.base_url, token)
