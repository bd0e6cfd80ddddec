"""Registry rows of the cases API: the inbox, one case, manual cases and complaints,
workflow moves, assignment, notes and case rules (see routes.py).

Makers open the tenant's cases and add its rules through the API with the tenant's own
key. A move uses "no contact possible" (it needs only a reason): the test is about who
may move whose case, not about the messages other steps send.
"""

from __future__ import annotations

import itertools

from tests.security.routes_base import Call, RouteCase
from tests.security.world import Tenant, World

_n = itertools.count(1)
CREATED = frozenset({201})
NO_CONTENT = frozenset({204})
_CASE = "/api/v1/cases/{case_id}"
_RULE = "/api/v1/case-rules/{rule_id}"


def _case(world: World, tenant: Tenant) -> str:
    body = {"title": f"Toimitus myöhässä {next(_n)}", "topic": "delivery"}
    return str(world.api(tenant, "POST", "/api/v1/cases", body)["id"])


def _rule_body(key: str) -> dict[str, object]:
    return {"key": key, "name": "Arvostelija", "kind": "detractor", "topic": "nps"}


def _rule(world: World, tenant: Tenant) -> str:
    created = world.api(tenant, "POST", "/api/v1/case-rules", _rule_body(f"r-{next(_n)}"))
    return str(created["id"])


def new_case(_w: World, _t: Tenant) -> Call:
    return Call(json={"title": "Laskussa virhe", "topic": f"billing-{next(_n)}"})


def new_complaint(_w: World, _t: Tenant) -> Call:
    return Call(json={"title": "Reklamaatio", "complaint_id": f"crm-{next(_n)}"})


def case(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"case_id": _case(world, tenant)})


def case_move(world: World, tenant: Tenant) -> Call:
    return Call(
        path_params={"case_id": _case(world, tenant)},
        json={"action": "no_contact", "reason": "Ei yhteystietoja."},
    )


def case_assign(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"case_id": _case(world, tenant)}, json={"priority": "urgent"})


def case_note(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"case_id": _case(world, tenant)}, json={"body": "Soitin."})


def new_rule(_w: World, _t: Tenant) -> Call:
    return Call(json=_rule_body(f"uusi-{next(_n)}"))


def rule(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"rule_id": _rule(world, tenant)}, json=_rule_body(f"m-{next(_n)}"))


CASES_API_ROUTES: list[RouteCase] = [
    RouteCase("GET", "/api/v1/cases", "cases.view"),
    RouteCase("POST", "/api/v1/cases", "cases.handle", call=new_case, ok=CREATED),
    RouteCase("POST", "/api/v1/complaints", "cases.handle", call=new_complaint, ok=CREATED),
    RouteCase("GET", _CASE, "cases.view", call=case, takes_id=True),
    RouteCase("POST", _CASE + "/transitions", "cases.handle", call=case_move, takes_id=True),
    RouteCase("POST", _CASE + "/assignment", "cases.handle", call=case_assign, takes_id=True),
    RouteCase("POST", _CASE + "/notes", "cases.handle", call=case_note, takes_id=True, ok=CREATED),
    RouteCase("GET", "/api/v1/case-rules", "cases.view"),
    RouteCase("POST", "/api/v1/case-rules", "cases.configure", call=new_rule, ok=CREATED),
    RouteCase("POST", "/api/v1/case-rule-defaults", "cases.configure"),
    RouteCase("GET", _RULE, "cases.view", call=rule, takes_id=True),
    RouteCase("PUT", _RULE, "cases.configure", call=rule, takes_id=True),
    RouteCase("DELETE", _RULE, "cases.configure", call=rule, takes_id=True, ok=NO_CONTENT),
]
