"""Registry rows of the cases_public routes (see routes.py): the customer's case pages
by link and the message template editor.

The customer's pages are public: the link's token is the key, and it names the
organisation. The makers give the tenant a case whose link works (its token's hash
stored, as after the first message) and aim a GET, or a POST with a genuine form token,
at it. The template editor's addresses hold no ids (a template is found by key and
language within the caller's organisation).
"""

from __future__ import annotations

from sqlalchemy import func, select

from kohtaamo.cases import links, public
from kohtaamo.cases.models import Case
from kohtaamo.kit.clock import utcnow
from tests.conftest import TEST_SECRET
from tests.security.routes_base import Call, RouteCase
from tests.security.world import Tenant, World

PUBLIC = "<public>"  # tests.security.routes.PUBLIC (that module imports this one)
REDIRECT = frozenset({303})
_WHY = "the customer's own case link; the unguessable token is the key and names the tenant"


def _linked_case(world: World, tenant: Tenant) -> str:
    with world.db.transaction(tenant.id) as session:
        number = int(session.scalar(select(func.max(Case.number))) or 0) + 1
        case = Case(
            organisation_id=tenant.id,
            number=number,
            state="follow_up",
            topic="complaint",
            title=f"Tapaus {number}",
            source="manual",
            contact_email="asiakas@example.test",
            opened_at=utcnow(),
            followup_sent_at=utcnow(),
        )
        session.add(case)
        session.flush()
        token = links.reply_token(TEST_SECRET, tenant.id, case.id)
        case.reply_token_hash = links.token_hash(token)
        return token


def case_link(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"token": _linked_case(world, tenant)})


def reply(world: World, tenant: Tenant) -> Call:
    token = _linked_case(world, tenant)
    return Call(
        path_params={"token": token},
        form={"form_token": public.form_token(TEST_SECRET, token, "reply", "fi"), "body": "Hei"},
    )


def followup(world: World, tenant: Tenant) -> Call:
    token = _linked_case(world, tenant)
    return Call(
        path_params={"token": token},
        form={
            "form_token": public.form_token(TEST_SECRET, token, "followup", "fi"),
            "outcome": "put_right",
            "score": "9",
        },
    )


def template(_w: World, _t: Tenant) -> Call:
    return Call(path_params={"key": "acknowledge", "language": "fi"})


def template_save(_w: World, _t: Tenant) -> Call:
    return Call(
        path_params={"key": "acknowledge", "language": "fi"},
        form={"subject": "Kiitos #{case_number}", "body": "Hei {customer_name}: {reply_link}"},
    )


T = "/cases/settings/templates"

CASES_PUBLIC_ROUTES: list[RouteCase] = [
    RouteCase("GET", "/c/{token}", PUBLIC, call=case_link, why=_WHY),
    RouteCase(
        "POST",
        "/c/{token}",
        PUBLIC,
        call=reply,
        ok=REDIRECT,
        why=_WHY + "; a signed form token of the page stands in for a session",
    ),
    RouteCase("GET", "/c/{token}/followup", PUBLIC, call=case_link, why=_WHY),
    RouteCase(
        "POST",
        "/c/{token}/followup",
        PUBLIC,
        call=followup,
        why=_WHY + "; a signed form token of the page stands in for a session",
    ),
    RouteCase("GET", T, "cases.configure"),
    RouteCase("GET", T + "/{key}/{language}", "cases.configure", call=template),
    RouteCase("POST", T + "/{key}/{language}", "cases.configure", call=template_save, ok=REDIRECT),
]
