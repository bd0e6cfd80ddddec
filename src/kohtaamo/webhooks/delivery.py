"""One HTTP attempt: check the address, sign, POST to the approved address, judge.

No database here: the job (``tasks.py``) decides what an outcome means for the delivery
log, and keeps network time out of its write transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from kohtaamo.kit.clock import utcnow
from kohtaamo.webhooks import signing, ssrf

# Connect within 5 s, and no single read or write may stall for more than 10 s. The
# body of the answer is never read: only its status matters.
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 10.0
USER_AGENT = "Kohtaamo-Webhooks/1"


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: delivered (a 2xx), or why not."""

    delivered: bool
    status_code: int | None = None
    error: str | None = None


def timeouts() -> httpx.Timeout:
    return httpx.Timeout(
        READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S, read=READ_TIMEOUT_S, write=READ_TIMEOUT_S
    )


def attempt(url: str, allowed_range: str | None, secret: str, msg_id: str, body: str) -> Outcome:
    """POST ``body`` to ``url`` once, signed; never follows a redirect, never raises."""
    try:
        target = ssrf.check(url, allowed_range)
    except ssrf.Refused as refused:
        return Outcome(False, error=f"refused: {refused}")
    headers = {
        **signing.headers(secret, msg_id, utcnow(), body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        # The request goes to the approved address; the receiver still sees its own name.
        "host": target.host_header,
    }
    extensions = {}
    if target.url.scheme == "https":
        # TLS is verified against the name in the URL, not the address connected to.
        extensions["sni_hostname"] = target.url.host
    try:
        with httpx.Client(timeout=timeouts(), follow_redirects=False, trust_env=False) as client:
            request = client.build_request(
                "POST",
                target.pinned_url,
                content=body.encode(),
                headers=headers,
                extensions=extensions,
            )
            response = client.send(request, stream=True)
            response.close()
    except httpx.TimeoutException as exc:
        return Outcome(False, error=f"timed out ({type(exc).__name__})")
    except httpx.HTTPError as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {str(exc)[:200]}")
    code = response.status_code
    if 200 <= code < 300:
        return Outcome(True, status_code=code)
    if 300 <= code < 400:
        location = response.headers.get("location", "")[:200]
        return Outcome(False, code, f"HTTP {code}: redirect to {location!r} not followed")
    return Outcome(False, code, f"HTTP {code}")
