"""Registry rows of the staff survey pages: the list's create form, one survey's overview
and its actions, the builder and its preview, the responses and their downloads.

(``GET /feedback`` itself is a row of ``routes.py``.) Makers build the tenant's survey
with the services, as the survey tests do, and one finished response to it.
"""

from __future__ import annotations

import itertools
import uuid

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.permissions import Role
from kohtaamo.surveys import responses, service
from kohtaamo.surveys.catalogue import ResponseChannel
from kohtaamo.surveys.responses import Submission
from kohtaamo.surveys.schemas import SurveyIn
from tests.security.routes_base import Call, Maker, RouteCase
from tests.security.world import Tenant, World
from tests.surveys.helpers import definition

_n = itertools.count(1)
REDIRECT = frozenset({303})


def _survey(world: World, tenant: Tenant, *, answered: bool = False) -> tuple[str, str | None]:
    """A published survey of ``tenant`` (no touchpoints), and a response to it if asked."""
    actor = Actor(organisation_id=tenant.id, role=Role.OWNER)
    with world.db.transaction(tenant.id) as session:
        survey = service.do_create_survey(
            session,
            actor,
            SurveyIn(key=f"sivu-kysely-{next(_n)}", name="Kysely", definition=definition(None)),
        )
        service.do_publish(session, actor, survey.id)
        response_id = None
        if answered:
            response, _ = responses.do_submit(
                session,
                survey,
                Submission(
                    answers={"ease": {"expected": 4, "experienced": 2}, "nps": 9},
                    language="fi",
                    finished=True,
                    channel=ResponseChannel.LINK,
                ),
            )
            response_id = str(response.id)
        return str(survey.id), response_id


def survey(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"survey_id": _survey(world, tenant)[0]})


def with_form(form: dict[str, str]) -> Maker:
    def make(world: World, tenant: Tenant) -> Call:
        return Call(path_params=survey(world, tenant).path_params, form=form)

    return make


def question(key: str, form: dict[str, str]) -> Maker:
    def make(world: World, tenant: Tenant) -> Call:
        sid = _survey(world, tenant)[0]
        return Call(path_params={"survey_id": sid, "question_key": key}, form=form)

    return make


def page(key: str, form: dict[str, str]) -> Maker:
    def make(world: World, tenant: Tenant) -> Call:
        sid = _survey(world, tenant)[0]
        return Call(path_params={"survey_id": sid, "page_key": key}, form=form)

    return make


def answered(world: World, tenant: Tenant) -> Call:
    sid, rid = _survey(world, tenant, answered=True)
    return Call(path_params={"survey_id": sid, "response_id": str(rid or uuid.uuid4())})


def new_survey(_w: World, _t: Tenant) -> Call:
    return Call(form={"key": f"uusi-{next(_n)}", "name": "Uusi kysely", "start": "empty"})


S = "/feedback/surveys/{survey_id}"
Q = S + "/questions/{question_key}"
P = S + "/pages/{page_key}"
QUESTION_FORM = {"text.fi": "Suosittelisitko?", "show_if.op": "eq"}
TEXTS_FORM = {"title.fi": "Otsikko", "lang.fi": "on", "default_language": "fi"}
V, E = "feedback.view", "feedback.edit"

SURVEYS_PAGES_ROUTES: tuple[RouteCase, ...] = (
    RouteCase("POST", "/feedback", E, call=new_survey, ok=REDIRECT),
    RouteCase("GET", S, V, call=survey, takes_id=True),
    RouteCase("POST", S + "/publish", E, survey, True, ok=REDIRECT),
    RouteCase("POST", S + "/close", E, survey, True, ok=REDIRECT),
    RouteCase("POST", S + "/reopen", E, survey, True, ok=REDIRECT),
    RouteCase("POST", S + "/details", E, with_form({"name": "Uusi nimi"}), True, ok=REDIRECT),
    RouteCase(
        "POST",
        S + "/distribution",
        E,
        with_form({"allowed_origins": "https://www.example.fi", "min_seconds": "4"}),
        True,
        ok=REDIRECT,
    ),
    RouteCase("POST", S + "/delete", E, survey, True, ok=REDIRECT),
    # the builder
    RouteCase("GET", S + "/edit", E, call=survey, takes_id=True),
    RouteCase("POST", S + "/edit", E, with_form(TEXTS_FORM), True, ok=REDIRECT),
    RouteCase(
        "POST",
        S + "/questions",
        E,
        with_form({"type": "csat", "text": "Tyytyväinen?", "page": "p1"}),
        True,
        ok=REDIRECT,
    ),
    RouteCase("POST", Q, E, question("nps", QUESTION_FORM), True, ok=REDIRECT),
    RouteCase(
        "POST", Q + "/move", E, question("feelings", {"direction": "down"}), True, ok=REDIRECT
    ),
    RouteCase("POST", Q + "/delete", E, question("store", {}), True, ok=REDIRECT),
    RouteCase("POST", P, E, page("p2", {"title.fi": "Lopuksi"}), True, ok=REDIRECT),
    RouteCase("POST", P + "/move", E, page("p2", {"direction": ""}), True, ok=REDIRECT),
    RouteCase("POST", P + "/delete", E, page("p2", {}), True, ok=REDIRECT),
    RouteCase("GET", S + "/preview", V, call=survey, takes_id=True),
    # responses
    RouteCase("GET", S + "/responses", V, call=survey, takes_id=True),
    RouteCase("GET", S + "/responses/{response_id}", V, call=answered, takes_id=True),
    RouteCase("GET", S + "/responses.csv", V, call=answered, takes_id=True),
    RouteCase("GET", S + "/responses.xlsx", V, call=answered, takes_id=True),
)
