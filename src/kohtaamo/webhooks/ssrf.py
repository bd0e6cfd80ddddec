"""Where a webhook may go: public addresses only, unless an administrator allows a range.

A receiver URL is an instruction to make a request from inside our network, so it is
checked twice: when it is saved (early, readable feedback) and before every attempt
(DNS may have changed since). The check resolves the host once and returns the address
it approved; the sender connects to exactly that address, so a DNS answer that changes
between the check and the connection (rebinding) cannot redirect the request.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Any

import httpx

from kohtaamo.errors import InvalidInput
from kohtaamo.i18n import N_

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud instance metadata: credentials live there. Refused even inside an allowed range.
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
# An allowed range wider than this is not "a private range" but a way to switch the check
# off (0.0.0.0/0), so it is refused.
MIN_PREFIX = {4: 8, 6: 16}


class Refused(Exception):
    """The URL or its address may not receive webhooks; ``msgid`` says why, in English."""

    def __init__(self, msgid: str, **params: Any) -> None:
        super().__init__(msgid % params if params else msgid)
        self.msgid = msgid
        self.params = params

    def as_invalid_input(self, field: str = "url") -> InvalidInput:
        return InvalidInput(self.msgid, field=field, **self.params)


@dataclass(frozen=True)
class Target:
    """An approved destination: the URL as written and the address to connect to."""

    url: httpx.URL
    address: IPAddress

    @property
    def pinned_url(self) -> httpx.URL:
        """The URL with its host replaced by the approved address."""
        return self.url.copy_with(host=str(self.address))

    @property
    def host_header(self) -> str:
        port = self.url.port
        return self.url.host if port is None else f"{self.url.host}:{port}"


def parse_range(value: str | None) -> IPNetwork | None:
    """An administrator's allowed private range (CIDR), or None; refuses nonsense."""
    if value is None or not value.strip():
        return None
    try:
        network = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise Refused(
            N_("%(value)s is not an address range like 10.0.0.0/8."), value=value
        ) from None
    if network.prefixlen < MIN_PREFIX[network.version]:
        raise Refused(
            N_("The range %(value)s is too wide: allow at most a /%(prefix)s."),
            value=str(network),
            prefix=MIN_PREFIX[network.version],
        )
    return network


def parse_url(value: str) -> httpx.URL:
    """The URL if its form is acceptable: http(s), a host, no user name or password."""
    try:
        url = httpx.URL(value.strip())
    except (httpx.InvalidURL, ValueError):
        raise Refused(N_("This is not a valid URL.")) from None
    if url.scheme not in ("http", "https"):
        raise Refused(N_("The URL must start with https:// or http://."))
    if not url.host:
        raise Refused(N_("The URL has no host name."))
    if url.userinfo:
        # A password in the URL would be shown in the list and logs; use the signature.
        raise Refused(N_("The URL must not contain a user name or password."))
    return url


def refusal(address: IPAddress, allowed: IPNetwork | None) -> Refused | None:
    """Why ``address`` may not receive, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return Refused(
            N_(
                "The address %(address)s is the cloud metadata service and never receives webhooks."
            ),
            address=str(address),
        )
    if address.is_global and not (address.is_multicast or address.is_reserved):
        return None
    if allowed is not None and address.version == allowed.version and address in allowed:
        return None
    return Refused(REFUSAL_MESSAGES[_kind(address)], address=str(address))


# One whole sentence per kind, so that each is translated whole.
REFUSAL_MESSAGES = {
    "unspecified": (
        "The address %(address)s is unspecified; webhooks go only to public addresses "
        "unless an administrator allows its range."
    ),
    "loopback": (
        "The address %(address)s is a loopback address; webhooks go only to public addresses "
        "unless an administrator allows its range."
    ),
    "link-local": (
        "The address %(address)s is link-local; webhooks go only to public addresses "
        "unless an administrator allows its range."
    ),
    "multicast": (
        "The address %(address)s is a multicast address; webhooks go only to public addresses "
        "unless an administrator allows its range."
    ),
    "private": (
        "The address %(address)s is private; webhooks go only to public addresses "
        "unless an administrator allows its range."
    ),
    "reserved": (
        "The address %(address)s is reserved; webhooks go only to public addresses "
        "unless an administrator allows its range."
    ),
    "other": (
        "The address %(address)s is not public; webhooks go only to public addresses "
        "unless an administrator allows its range."
    ),
}


def _kind(address: IPAddress) -> str:
    for kind in ("unspecified", "loopback", "link-local", "multicast", "private", "reserved"):
        if getattr(address, "is_" + kind.replace("-", "_")):
            return kind
    return "other"


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an address literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refused(N_("The host name %(host)s could not be resolved."), host=host) from None
    found: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in found:
            found.append(address)
    if not found:
        raise Refused(N_("The host name %(host)s could not be resolved."), host=host)
    return found


def check(url: str, allowed_range: str | None) -> Target:
    """Resolve and approve ``url``; raises :class:`Refused` with the reason.

    Every address the name resolves to must pass, not just one: otherwise a name with a
    public and a private address would let the private one through on some attempts.
    """
    parsed = parse_url(url)
    allowed = parse_range(allowed_range)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = resolve(parsed.host, port)
    for address in addresses:
        refused = refusal(address, allowed)
        if refused is not None:
            raise refused
    return Target(parsed, addresses[0])
