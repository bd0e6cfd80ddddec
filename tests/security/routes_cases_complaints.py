"""Registry rows of the complaint channels (see routes.py): the organisation's public
complaint form and complaints by e-mail through the API.

The form is public: the organisation's short name in the address names the tenant, and
a signed form token of the rendered page stands in for a session. The e-mail endpoint
takes a raw message; each call sends a message with a fresh Message-ID, so every
allowed caller opens a new case (201).
"""

from __future__ import annotations

import itertools
import secrets
import time

from kohtaamo.surveys.abuse import FormToken, sign_form_token
from tests.conftest import TEST_SECRET
from tests.security.routes_base import Call, RouteCase
from tests.security.world import Tenant, World

PUBLIC = "<public>"  # tests.security.routes.PUBLIC (that module imports this one)
CREATED = frozenset({201})
_n = itertools.count(1)
_WHY = "the organisation's public complaint form; its short name in the address names it"


def form(_w: World, tenant: Tenant) -> Call:
    return Call(path_params={"org_slug": tenant.org.slug})


def complaint(_w: World, tenant: Tenant) -> Call:
    now = time.time()
    token = FormToken(
        f"complaint:{tenant.org.slug}", "complaint", secrets.token_urlsafe(16), now, now, "fi"
    )
    return Call(
        path_params={"org_slug": tenant.org.slug},
        form={
            "form_token": sign_form_token(TEST_SECRET, token),
            "email": "asiakas@example.fi",
            "text": "Liput eivät tulleet.",
        },
    )


def email(_w: World, _t: Tenant) -> Call:
    raw = (
        "From: Asiakas <asiakas@example.fi>\r\n"
        "Subject: Reklamaatio\r\n"
        f"Message-ID: <registry-{next(_n)}-{secrets.token_hex(4)}@example.fi>\r\n"
        "\r\n"
        "Liput eivät tulleet.\r\n"
    )
    return Call(content=raw.encode())


CASES_COMPLAINTS_ROUTES: list[RouteCase] = [
    RouteCase("GET", "/o/{org_slug}/complaint", PUBLIC, call=form, why=_WHY),
    RouteCase(
        "POST",
        "/o/{org_slug}/complaint",
        PUBLIC,
        call=complaint,
        why=_WHY + "; a signed form token of the page stands in for a session",
    ),
    RouteCase("POST", "/api/v1/complaints/email", "cases.handle", call=email, ok=CREATED),
]
