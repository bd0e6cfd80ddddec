"""Anti-abuse of public survey submissions: signed form tokens and rate limits.

A public survey page carries a form token signed with the application's secret. It binds
a submission to the page that was rendered (which survey, which page, when, for which
resume token) and gives the render time of the first page, from which the response
service judges whether a response came in implausibly fast. Rate limits are token
buckets in memory, per client and survey and per organisation: enough for one process;
behind several processes each counts its own share.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

FORM_TOKEN_MAX_AGE_S = 24 * 3600  # a survey left open over night can still be sent
_MAX_TOKEN_LENGTH = 16_000


@dataclass(frozen=True)
class FormToken:
    """What the server knew when it rendered a survey page.

    ``issued_at``: this page's render (Unix seconds); ``started_at``: the first page's
    render, carried from page to page; ``submission``: unique per rendered form (its
    finishing post's idempotency key); ``resume``: the anonymous respondent's resume
    token; ``hidden``: values of hidden questions taken from the link; ``honeypot``: an
    earlier page's trap field was filled in.
    """

    slug: str
    page: str
    submission: str
    issued_at: float
    started_at: float
    language: str
    resume: str = ""
    hidden: dict[str, str] = field(default_factory=dict)
    honeypot: bool = False


def _signature(secret: str, payload: bytes) -> str:
    digest = hmac.new(secret.encode(), b"survey-form:" + payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign_form_token(secret: str, form: FormToken) -> str:
    payload = json.dumps(asdict(form), separators=(",", ":"), sort_keys=True).encode()
    encoded = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{encoded}.{_signature(secret, payload)}"


def read_form_token(
    secret: str, value: str, *, slug: str, now: float, max_age_s: float = FORM_TOKEN_MAX_AGE_S
) -> FormToken | None:
    """The token's contents if it is genuine, for ``slug`` and not expired; else None."""
    if not value or len(value) > _MAX_TOKEN_LENGTH or value.count(".") != 1:
        return None
    encoded, signature = value.split(".")
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except ValueError:
        return None
    if not hmac.compare_digest(signature, _signature(secret, payload)):
        return None
    try:
        data: dict[str, Any] = json.loads(payload)
        form = FormToken(**data)
    except (ValueError, TypeError):
        return None
    if form.slug != slug or not (now - max_age_s <= form.issued_at <= now + 60):
        return None
    return form


def client_hash(secret: str, address: str) -> str:
    """A stable pseudonym of a client address: enough to spot floods, not to find anyone."""
    return hmac.new(secret.encode(), b"client:" + address.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class RateLimits:
    """Submissions allowed per minute; 0 turns a limit off."""

    per_client: int = 30  # one client address, one survey
    per_organisation: int = 600  # all of an organisation's surveys together


class RateLimiter:
    """Token buckets by key: each holds up to ``limit`` and refills ``limit`` per window.

    Thread-safe. Keeps at most ``max_keys`` buckets; the least recently used go first
    (a forgotten bucket is a full one, which only errs towards letting people answer).
    """

    def __init__(
        self,
        window_s: float = 60.0,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window_s = window_s
        self.max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: OrderedDict[tuple[str, ...], tuple[float, float]] = OrderedDict()

    def take(self, key: tuple[str, ...], limit: int) -> float | None:
        """Use one token of ``key``'s bucket: None if allowed, else seconds until allowed."""
        if limit <= 0:
            return None
        rate = limit / self.window_s
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.pop(key, (float(limit), now))
            tokens = min(float(limit), tokens + (now - last) * rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                wait = None
            else:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / rate
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return wait

    def refund(self, key: tuple[str, ...], limit: int) -> None:
        """Give back a token taken for a request that another limit then refused."""
        if limit <= 0:
            return
        with self._lock:
            found = self._buckets.get(key)
            if found is not None:
                self._buckets[key] = (min(float(limit), found[0] + 1.0), found[1])


class SubmissionLimits:
    """The limits public survey submissions are held to, over one ``RateLimiter``."""

    def __init__(self, limits: RateLimits, limiter: RateLimiter | None = None) -> None:
        self.limits = limits
        self.limiter = limiter or RateLimiter()

    def check(self, organisation: str, survey: str, client: str) -> int | None:
        """Count one submission: None if allowed, else whole seconds to wait (Retry-After)."""
        client_key = ("client", survey, client)
        wait = self.limiter.take(client_key, self.limits.per_client)
        if wait is None:
            wait = self.limiter.take(("organisation", organisation), self.limits.per_organisation)
            if wait is not None:  # refused by the organisation: the client's try was not used
                self.limiter.refund(client_key, self.limits.per_client)
        return None if wait is None else max(1, math.ceil(wait))
