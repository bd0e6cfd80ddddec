"""Registry rows of the survey routes: surveys_public (see routes.py).

The respondent pages are public: the survey's random slug in the address is all they
need, and it names the organisation. The makers publish a survey in the tenant and aim
a GET, or a POST with a genuine form token, at it.
"""

from __future__ import annotations

import itertools
import secrets
import time

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.permissions import Role
from kohtaamo.surveys import service
from kohtaamo.surveys.abuse import FormToken, sign_form_token
from kohtaamo.surveys.schemas import SurveyIn, SurveySettings
from tests.conftest import TEST_SECRET
from tests.security.routes_base import Call, RouteCase
from tests.security.world import Tenant, World
from tests.surveys.helpers import definition

PUBLIC = "<public>"  # tests.security.routes.PUBLIC (that module imports this one)
_n = itertools.count(1)


def published_survey(world: World, tenant: Tenant) -> str:
    """A fresh open survey of ``tenant``; returns its slug."""
    operator = Actor(organisation_id=tenant.id, role=Role.OWNER)
    with world.db.transaction(tenant.id) as session:
        survey = service.do_create_survey(
            session,
            operator,
            SurveyIn(
                key=f"public-{next(_n)}",
                name="Julkinen kysely",
                definition=definition(None),
                settings=SurveySettings(min_seconds=0),
            ),
        )
        service.do_publish(session, operator, survey.id)
        return survey.slug


def survey_page(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"slug": published_survey(world, tenant)})


def first_page_answers(world: World, tenant: Tenant) -> Call:
    slug = published_survey(world, tenant)
    now = time.time()
    form = FormToken(slug, "p1", secrets.token_urlsafe(16), now, now, "fi", "resume-" + slug)
    return Call(
        path_params={"slug": slug},
        form={
            "form_token": sign_form_token(TEST_SECRET, form),
            "q:ease:expected": "4",
            "q:ease:experienced": "3",
            "q:nps": "9",
        },
    )


SURVEYS_PUBLIC_ROUTES: tuple[RouteCase, ...] = (
    RouteCase(
        "GET",
        "/s/{slug}",
        PUBLIC,
        call=survey_page,
        why="customers answer surveys without an account; the unguessable slug is the link",
    ),
    RouteCase(
        "POST",
        "/s/{slug}",
        PUBLIC,
        call=first_page_answers,
        why="a respondent's answers; a signed form token of the page stands in for a session",
    ),
)
