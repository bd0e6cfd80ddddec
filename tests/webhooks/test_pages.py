"""The webhook settings pages: add (secret once), refuse a private URL with the reason,
see the delivery log, test, disable and enable again — in Finnish and English."""

from __future__ import annotations

import re
import uuid

from kohtaamo.accounts.permissions import Role
from kohtaamo.jobs.runner import Runner
from kohtaamo.storage.db import Database
from kohtaamo.webhooks.models import WebhookEndpoint
from tests.factories import Factory, Member, page_csrf
from tests.web.conftest import Browser
from tests.webhooks.conftest import LOOPBACK, Receiver, run_until_settled

BASE = "/settings/webhooks"


def _endpoint_ids(db: Database, member: Member) -> list[uuid.UUID]:
    with db.transaction(member.organisation.id, readonly=True) as session:
        return [e.id for e in session.query(WebhookEndpoint)]


def test_an_owner_adds_an_endpoint_and_sees_the_secret_once(
    browser: Browser, factory: Factory, db: Database, receiver: Receiver, runner: Runner
) -> None:
    owner = factory.member(factory.organisation(), Role.OWNER)
    client = browser(owner, accept_language="en")
    token = page_csrf(client, BASE + "/new")

    created = client.post(
        BASE,
        data={
            "csrf_token": token,
            "url": receiver.url,
            "description": "CRM",
            "event_types": ["case.opened", "case.closed"],
            "allowed_private_range": LOOPBACK,
        },
    )

    assert created.status_code == 200
    [endpoint_id] = _endpoint_ids(db, owner)
    with db.transaction(owner.organisation.id, readonly=True) as session:
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        assert endpoint is not None
        assert endpoint.event_types == ["case.closed", "case.opened"]
        secret = endpoint.secret
    assert secret in created.text and "shown only this once" in created.text
    page = client.get(f"{BASE}/{endpoint_id}")
    assert secret not in page.text and secret not in client.get(BASE).text
    assert "Nothing has been sent to this endpoint yet." in page.text

    tested = client.post(f"{BASE}/{endpoint_id}/test", data={"csrf_token": token})
    assert "A test event was queued." in tested.text
    run_until_settled(db, runner)
    log = client.get(f"{BASE}/{endpoint_id}").text
    assert "webhook.test" in log and "Delivered" in log and "HTTP 200" in log
    assert receiver.received[0].headers["webhook-id"] in log


def test_a_private_url_is_refused_next_to_the_field_in_finnish(
    browser: Browser, factory: Factory, db: Database
) -> None:
    owner = factory.member(factory.organisation(), Role.ADMIN)
    client = browser(owner, accept_language="fi")
    token = page_csrf(client, BASE + "/new")

    refused = client.post(
        BASE, data={"csrf_token": token, "url": "http://169.254.169.254/latest", "description": ""}
    )

    assert refused.status_code == 422
    assert re.search(r'id="wh-url-error">[^<]*169\.254\.169\.254', refused.text)
    assert 'value="http://169.254.169.254/latest"' in refused.text  # the input is kept
    assert _endpoint_ids(db, owner) == []


def test_disable_and_enable_again(browser: Browser, factory: Factory, db: Database) -> None:
    owner = factory.member(factory.organisation(), Role.OWNER)
    client = browser(owner, accept_language="en")
    token = page_csrf(client, BASE + "/new")
    client.post(
        BASE,
        data={"csrf_token": token, "url": "http://127.0.0.1:9/", "allowed_private_range": LOOPBACK},
    )
    [endpoint_id] = _endpoint_ids(db, owner)

    off = client.post(f"{BASE}/{endpoint_id}/disable", data={"csrf_token": token})
    assert "Disabled by an administrator." in off.text and "Enable again" in off.text
    on = client.post(f"{BASE}/{endpoint_id}/enable", data={"csrf_token": token})
    assert "The endpoint was enabled." in on.text and "Send a test event" in on.text


def test_an_edit_keeps_the_checks(browser: Browser, factory: Factory, db: Database) -> None:
    owner = factory.member(factory.organisation(), Role.OWNER)
    client = browser(owner, accept_language="en")
    token = page_csrf(client, BASE + "/new")
    client.post(
        BASE,
        data={"csrf_token": token, "url": "http://127.0.0.1:9/", "allowed_private_range": LOOPBACK},
    )
    [endpoint_id] = _endpoint_ids(db, owner)
    assert "127.0.0.0/8" in client.get(f"{BASE}/{endpoint_id}/edit").text

    refused = client.post(
        f"{BASE}/{endpoint_id}",
        data={"csrf_token": token, "url": "http://127.0.0.1:9/", "allowed_private_range": ""},
    )

    assert refused.status_code == 422
    assert "is a loopback address" in refused.text
    with db.transaction(owner.organisation.id, readonly=True) as session:
        found = session.get(WebhookEndpoint, endpoint_id)
        assert found is not None and found.allowed_private_range == LOOPBACK


def test_an_analyst_may_not_manage_webhooks(browser: Browser, factory: Factory) -> None:
    analyst = factory.member(factory.organisation(), Role.ANALYST)
    client = browser(analyst)
    assert client.get(BASE).status_code == 403
    assert "/settings/webhooks" not in client.get("/settings").text
