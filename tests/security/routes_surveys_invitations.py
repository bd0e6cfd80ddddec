"""Registry rows of the survey routes: surveys_invitations (see routes.py).

E-mail invitations and triggers of a survey (pages and API), the bounce webhook and the
public opt-out page. Makers build a published survey straight in the tenant's database
(the surveys API is another file's) and, for triggers, a touchpoint through the API.
"""

from __future__ import annotations

import itertools
import uuid

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.permissions import Role
from kohtaamo.surveys import service, triggers
from kohtaamo.surveys.schemas import SurveyIn
from tests.security.routes_base import Call, RouteCase
from tests.security.routes_journeys import _touchpoint
from tests.security.world import Tenant, World
from tests.surveys.helpers import definition

_n = itertools.count(1)
REDIRECT = frozenset({303})
NOT_FOUND = frozenset({404})


def _survey(world: World, tenant: Tenant) -> str:
    actor = Actor(organisation_id=tenant.id, role=Role.OWNER)
    with world.db.transaction(tenant.id) as session:
        survey = service.do_create_survey(
            session,
            actor,
            SurveyIn(key=f"kutsu-{next(_n)}", name="Kysely", definition=definition(None)),
        )
        service.do_publish(session, actor, survey.id)
        return str(survey.id)


def _trigger_form(world: World, tenant: Tenant) -> dict[str, str]:
    return {"name": f"Laukaisin {next(_n)}", "touchpoint_id": _touchpoint(world, tenant)}


def survey(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"survey_id": _survey(world, tenant)})


def campaign_form(world: World, tenant: Tenant) -> Call:
    form = {"campaign": "Syksy", "target": "ids", "customer_ids": "nobody", "quiet_days": "30"}
    return Call(path_params=survey(world, tenant).path_params, form=form)


def campaign_json(world: World, tenant: Tenant) -> Call:
    return Call(
        path_params=survey(world, tenant).path_params,
        json={"campaign": "Syksy", "customers": ["nobody"]},
    )


def new_trigger(world: World, tenant: Tenant) -> Call:
    return Call(path_params=survey(world, tenant).path_params, form=_trigger_form(world, tenant))


def trigger(world: World, tenant: Tenant) -> Call:
    survey_id = _survey(world, tenant)
    form = _trigger_form(world, tenant)
    actor = Actor(organisation_id=tenant.id, role=Role.OWNER)
    with world.db.transaction(tenant.id) as session:
        made = triggers.do_create_trigger(
            session, actor, uuid.UUID(survey_id), triggers.TriggerIn.model_validate(form)
        )
        trigger_id = str(made.id)
    return Call(
        path_params={"survey_id": survey_id, "trigger_id": trigger_id},
        form=_trigger_form(world, tenant) | {"active": "true"},
    )


def bounce(_w: World, _t: Tenant) -> Call:
    return Call(json={"emails": ["kukaan@example.test"]})


def made_up_optout(_w: World, _t: Tenant) -> Call:
    return Call(path_params={"token": "madeupslug.made-up-token"})


S = "/feedback/surveys/{survey_id}"
T = S + "/triggers/{trigger_id}"
OPTOUT_WHY = "the link in an invitation e-mail; its token is the credential (made up: 404)"

SURVEYS_INVITATIONS_ROUTES: tuple[RouteCase, ...] = (
    RouteCase("GET", S + "/invitations", "feedback.view", call=survey, takes_id=True),
    RouteCase("POST", S + "/invitations", "feedback.edit", call=campaign_form, takes_id=True),
    RouteCase("GET", S + "/triggers", "feedback.view", call=survey, takes_id=True),
    RouteCase("POST", S + "/triggers", "feedback.edit", new_trigger, True, ok=REDIRECT),
    RouteCase("GET", T + "/edit", "feedback.edit", call=trigger, takes_id=True),
    RouteCase("POST", T + "/edit", "feedback.edit", call=trigger, takes_id=True, ok=REDIRECT),
    RouteCase("POST", T + "/deactivate", "feedback.edit", trigger, True, ok=REDIRECT),
    RouteCase("GET", "/s/optout/{token}", "<public>", made_up_optout, ok=NOT_FOUND, why=OPTOUT_WHY),
    RouteCase(
        "POST", "/s/optout/{token}", "<public>", made_up_optout, ok=NOT_FOUND, why=OPTOUT_WHY
    ),
    RouteCase(
        "POST",
        "/api/v1/surveys/{survey_id}/invitations",
        "feedback.edit",
        call=campaign_json,
        takes_id=True,
    ),
    RouteCase(
        "GET",
        "/api/v1/surveys/{survey_id}/invitations/counts",
        "feedback.view",
        call=survey,
        takes_id=True,
    ),
    RouteCase("POST", "/api/v1/survey-invitations/bounces", "feedback.edit", call=bounce),
)
