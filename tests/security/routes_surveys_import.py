"""Registry rows of the survey routes: surveys_import (see routes.py).

The import page, its confirm step (which creates a draft survey from a previewed
Kohtaamo document) and the JSON download of a survey. The download's maker creates the
survey through the survey service, in the tenant's own transaction.
"""

from __future__ import annotations

import itertools
import json

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.permissions import Role
from kohtaamo.surveys import service
from kohtaamo.surveys.schemas import SurveyIn
from tests.security.routes_base import Call, RouteCase
from tests.security.world import Tenant, World
from tests.surveys.helpers import definition, definition_data

_n = itertools.count(1)
REDIRECT = frozenset({303})


def no_file(_w: World, _t: Tenant) -> Call:
    return Call(form={"format": "auto"})


def confirm(_w: World, _t: Tenant) -> Call:
    document = {
        "format": "kohtaamo-survey",
        "version": 1,
        "key": "tuotu",
        "name": "Tuotu kysely",
        "kind": "touchpoint",
        "definition": definition_data(touchpoint=None),
    }
    return Call(
        form={
            "document": json.dumps(document),
            "key": f"tuotu-{next(_n)}",
            "name": "Tuotu kysely",
            "kind": "touchpoint",
        }
    )


def survey(world: World, tenant: Tenant) -> Call:
    with world.db.transaction(tenant.id) as session:
        made = service.do_create_survey(
            session,
            Actor(organisation_id=tenant.id, role=Role.OWNER),
            SurveyIn(key=f"vienti-{next(_n)}", name="Vienti", definition=definition(None)),
        )
        return Call(path_params={"survey_id": str(made.id)})


SURVEYS_IMPORT_ROUTES: tuple[RouteCase, ...] = (
    RouteCase("GET", "/feedback/import", "feedback.edit"),
    # The registry sends no files: an upload without one answers with the form and its
    # error (422), which is what a granted caller gets.
    RouteCase("POST", "/feedback/import", "feedback.edit", call=no_file, ok=frozenset({422})),
    RouteCase("POST", "/feedback/import/confirm", "feedback.edit", call=confirm, ok=REDIRECT),
    RouteCase(
        "GET",
        "/feedback/surveys/{survey_id}/export.json",
        "feedback.view",
        call=survey,
        takes_id=True,
    ),
)
