"""Standard Webhooks: the secret, the body and the three signed headers.

Receivers verify with any Standard Webhooks library (``Webhook(secret).verify(body,
headers)``); the same ``webhook-id`` on a repeated delivery lets them drop duplicates.
"""

from __future__ import annotations

import base64
import json
import secrets
from datetime import datetime
from typing import Any

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh signing secret: 24 random bytes, base64, with the spec's prefix."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def body_of(payload: dict[str, Any]) -> str:
    """The exact text sent and signed (compact, UTF-8, keys in a stable order)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def headers(secret: str, msg_id: str, sent_at: datetime, body: str) -> dict[str, str]:
    """The ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` headers."""
    signature = Webhook(secret).sign(msg_id, sent_at, body)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
    }
