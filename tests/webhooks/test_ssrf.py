"""SSRF: a webhook reaches only public addresses, unless an administrator allows a
private range; the address checked is the address connected to."""

from __future__ import annotations

import socket
import uuid
from typing import Any

import pytest

from kohtaamo.accounts.models import Organisation
from kohtaamo.errors import InvalidInput
from kohtaamo.jobs.runner import Runner
from kohtaamo.storage.db import Database
from kohtaamo.webhooks import service, ssrf
from kohtaamo.webhooks.models import WebhookEndpoint
from kohtaamo.webhooks.schemas import EndpointIn
from tests.webhooks.conftest import Receiver, deliveries, emit, make_endpoint, run_until_settled


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8080/hook", "The address 127.0.0.1 is a loopback address"),
        ("https://10.20.30.40/hook", "The address 10.20.30.40 is private"),
        ("http://192.168.1.5/hook", "The address 192.168.1.5 is private"),
        ("http://169.254.169.254/latest/meta-data", "is the cloud metadata service"),
        ("http://169.254.10.1/hook", "The address 169.254.10.1 is link-local"),
        ("http://[::1]:8080/hook", "The address ::1 is a loopback address"),
        ("http://[::ffff:10.0.0.1]/hook", "The address 10.0.0.1 is private"),
        ("http://0.0.0.0/hook", "The address 0.0.0.0 is unspecified"),
        ("http://224.0.0.1/hook", "The address 224.0.0.1 is a multicast address"),
        ("http://localhost:8080/hook", "is a loopback address"),
        ("ftp://example.com/hook", "The URL must start with https:// or http://."),
        ("file:///etc/passwd", "The URL must start with https:// or http://."),
        ("https://user:pw@example.com/hook", "must not contain a user name or password"),
    ],
)
def test_a_private_or_odd_url_is_refused_when_saved(
    db: Database, org: Organisation, url: str, reason: str
) -> None:
    with db.transaction(org.id) as session, pytest.raises(InvalidInput) as refused:
        service.do_create_endpoint(session, EndpointIn(url=url))
    assert reason in str(refused.value)
    assert refused.value.problems[0].field == "url"
    with db.transaction(org.id, readonly=True) as session:
        assert session.query(WebhookEndpoint).count() == 0


def test_an_allowed_range_lets_its_addresses_through_only(db: Database, org: Organisation) -> None:
    with db.transaction(org.id) as session:
        made = service.do_create_endpoint(
            session, EndpointIn(url="http://10.1.2.3/hook", allowed_private_range="10.1.0.0/16")
        )
        assert made.allowed_private_range == "10.1.0.0/16"
        with pytest.raises(InvalidInput, match=r"10\.2\.0\.1 is private"):
            service.do_create_endpoint(
                session,
                EndpointIn(url="http://10.2.0.1/hook", allowed_private_range="10.1.0.0/16"),
            )
        with pytest.raises(InvalidInput, match="cloud metadata"):
            service.do_create_endpoint(
                session,
                EndpointIn(url="http://169.254.169.254/", allowed_private_range="169.254.0.0/16"),
            )


@pytest.mark.parametrize(
    ("value", "reason"),
    [("0.0.0.0/0", "too wide"), ("::/0", "too wide"), ("ten dot", "not an address range")],
)
def test_a_range_that_switches_the_check_off_is_refused(
    db: Database, org: Organisation, value: str, reason: str
) -> None:
    with db.transaction(org.id) as session, pytest.raises(InvalidInput, match=reason) as refused:
        service.do_create_endpoint(
            session, EndpointIn(url="http://10.0.0.1/", allowed_private_range=value)
        )
    assert refused.value.problems[0].field == "allowed_private_range"


def _resolves_to(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> list[str]:
    asked: list[str] = []
    real = socket.getaddrinfo

    def fake(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in answers:
            asked.append(host)
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port),
                )
                for a in answers[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(ssrf.socket, "getaddrinfo", fake)
    return asked


def test_a_name_with_any_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    _resolves_to(monkeypatch, {"mixed.example": ["93.184.215.14", "10.0.0.5"]})
    with pytest.raises(ssrf.Refused, match=r"10\.0\.0\.5 is private"):
        ssrf.check("https://mixed.example/hook", None)


def test_the_request_goes_to_the_checked_address_with_the_name_kept(
    db: Database,
    org: Organisation,
    receiver: Receiver,
    runner: Runner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DNS is asked once per attempt; the connection uses that answer (no rebinding)."""
    asked = _resolves_to(monkeypatch, {"hooks.customer.example": ["127.0.0.1"]})
    url = f"http://hooks.customer.example:{receiver.port}/hook"
    make_endpoint(db, org, url)
    asked.clear()
    emit(db, org)

    run_until_settled(db, runner)

    assert asked == ["hooks.customer.example"]  # httpx itself resolved nothing
    [got] = receiver.received
    assert got.headers["host"] == f"hooks.customer.example:{receiver.port}"
    assert deliveries(db, org)[0].status == "delivered"


def test_an_address_that_turned_private_is_refused_at_send_time(
    db: Database,
    org: Organisation,
    receiver: Receiver,
    runner: Runner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    endpoint_id, _ = make_endpoint(db, org, receiver.url)
    with db.transaction(org.id) as session:  # the administrator withdraws the range
        found = session.get(WebhookEndpoint, uuid.UUID(endpoint_id))
        assert found is not None
        found.allowed_private_range = None
    emit(db, org)

    runner.run_pending()

    assert receiver.received == []
    [row] = deliveries(db, org)
    assert row.status == "pending" and row.last_status_code is None
    assert row.last_error is not None
    assert row.last_error.startswith("refused: The address 127.0.0.1 is a loopback address")
