"""Registry rows of the recovery report, the SLA settings form and the recovery API
(see routes.py). None takes an id: each reads or changes only the caller's own
organisation's figures and settings."""

from __future__ import annotations

from tests.security.routes_base import Call, RouteCase
from tests.security.world import Tenant, World

REDIRECT = frozenset({303})


def sla_form(_world: World, _tenant: Tenant) -> Call:
    return Call(
        form={
            "work_start": "08:00",
            "work_end": "16:00",
            "work_days": "0",
            "holiday_country": "FI",
            "extra_holidays": "",
            "acknowledge_hours": "4",
            "resolve_days": "5",
            "warn_before_hours": "2",
            "escalation_email": "",
        }
    )


CASES_RECOVERY_ROUTES: list[RouteCase] = [
    RouteCase("GET", "/cases/recovery", "cases.view"),
    RouteCase("GET", "/cases/settings/sla", "cases.configure"),
    RouteCase("POST", "/cases/settings/sla", "cases.configure", call=sla_form, ok=REDIRECT),
    RouteCase("GET", "/api/v1/cases/recovery", "cases.view"),
    RouteCase("GET", "/api/v1/cases/root-causes", "cases.view"),
]
