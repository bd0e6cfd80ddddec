"""Registry rows of the case pages: the inbox, a manual case, the case page and its
forms (moves, assignment, notes), the rule editor and team members.

Makers write the tenant's case or rule straight into its tables (a case in state
``new``) and aim the page form at it; the test client adds the session and token.
"""

from __future__ import annotations

import itertools
import uuid

from sqlalchemy import func, select

from kohtaamo.cases.models import Case, CaseRule, TeamMember
from kohtaamo.kit.clock import utcnow
from tests.security.routes_base import Call, RouteCase
from tests.security.routes_journeys import _team
from tests.security.world import Tenant, World

_n = itertools.count(1)
REDIRECT = frozenset({303})


def _case(world: World, tenant: Tenant) -> str:
    with world.db.transaction(tenant.id) as session:
        number = int(session.scalar(select(func.max(Case.number))) or 0) + 1
        case = Case(
            organisation_id=tenant.id,
            number=number,
            state="new",
            topic="complaint",
            title=f"Tapaus {number}",
            source="manual",
            contact_email="asiakas@example.test",
            opened_at=utcnow(),
        )
        session.add(case)
        session.flush()
        return str(case.id)


def _rule(world: World, tenant: Tenant) -> str:
    with world.db.transaction(tenant.id) as session:
        rule = CaseRule(
            organisation_id=tenant.id,
            key=f"rule-{next(_n)}",
            name="Arvostelijat",
            kind="detractor",
            params={"threshold": 6},
            topic="detractor",
        )
        session.add(rule)
        session.flush()
        return str(rule.id)


def case(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"case_id": _case(world, tenant)})


def case_move(world: World, tenant: Tenant) -> Call:
    return Call(
        path_params={"case_id": _case(world, tenant), "action": "no_contact"},
        form={"reason": "Ei yhteystietoja"},
    )


def case_assign(world: World, tenant: Tenant) -> Call:
    return Call(path_params=case(world, tenant).path_params, form={"priority": "urgent"})


def case_note(world: World, tenant: Tenant) -> Call:
    return Call(path_params=case(world, tenant).path_params, form={"body": "Muistiinpano"})


def new_case(_w: World, _t: Tenant) -> Call:
    return Call(form={"title": "Puhelinvalitus", "topic": "complaint", "language": "fi"})


def _rule_form() -> dict[str, str]:
    return {
        "name": "Arvostelijat",
        "key": f"sivu-saanto-{next(_n)}",
        "kind": "detractor",
        "topic": "detractor",
        "priority": "normal",
        "threshold": "6",
        "active": "true",
    }


def new_rule(_w: World, _t: Tenant) -> Call:
    return Call(form=_rule_form())


def rule(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"rule_id": _rule(world, tenant)})


def rule_edit(world: World, tenant: Tenant) -> Call:
    return Call(path_params=rule(world, tenant).path_params, form=_rule_form())


def rule_switch(world: World, tenant: Tenant) -> Call:
    return Call(path_params=rule(world, tenant).path_params, form={"active": "false"})


def team_add(world: World, tenant: Tenant) -> Call:
    return Call(
        path_params={"team_id": _team(world, tenant)}, form={"user_id": str(tenant.owner.id)}
    )


def team_remove(world: World, tenant: Tenant) -> Call:
    team_id = _team(world, tenant)
    with world.db.transaction(tenant.id) as session:
        session.add(
            TeamMember(
                organisation_id=tenant.id, team_id=uuid.UUID(team_id), user_id=tenant.owner.id
            )
        )
    return Call(path_params={"team_id": team_id, "user_id": str(tenant.owner.id)}, form={})


C = "/cases/{case_id}"
R = "/cases/settings/rules/{rule_id}"

# GET /cases (the inbox) keeps its row among the product's areas in routes.py.
CASES_PAGES_ROUTES: list[RouteCase] = [
    RouteCase("GET", "/cases/new", "cases.handle"),
    RouteCase("POST", "/cases/new", "cases.handle", call=new_case, ok=REDIRECT),
    RouteCase("GET", C, "cases.view", call=case, takes_id=True),
    RouteCase("POST", C + "/move/{action}", "cases.handle", case_move, True, ok=REDIRECT),
    RouteCase("POST", C + "/assign", "cases.handle", case_assign, True, ok=REDIRECT),
    RouteCase("POST", C + "/note", "cases.handle", case_note, True, ok=REDIRECT),
    RouteCase("GET", "/cases/settings/rules", "cases.configure"),
    RouteCase("POST", "/cases/settings/rules", "cases.configure", call=new_rule, ok=REDIRECT),
    RouteCase("GET", R + "/edit", "cases.configure", call=rule, takes_id=True),
    RouteCase("POST", R + "/edit", "cases.configure", rule_edit, True, ok=REDIRECT),
    RouteCase("POST", R + "/active", "cases.configure", rule_switch, True, ok=REDIRECT),
    RouteCase("POST", R + "/delete", "cases.configure", rule, True, ok=REDIRECT),
    RouteCase("GET", "/cases/settings/teams", "cases.configure"),
    RouteCase(
        "POST",
        "/cases/settings/teams/{team_id}/members",
        "cases.configure",
        team_add,
        True,
        ok=REDIRECT,
    ),
    RouteCase(
        "POST",
        "/cases/settings/teams/{team_id}/members/{user_id}/remove",
        "cases.configure",
        team_remove,
        True,
        ok=REDIRECT,
    ),
]
