"""Registry rows of the survey API (``/api/v1/surveys…``), the widget's public API
(``/api/v1/public/surveys/{slug}…``) and the QR code downloads (see routes.py).

Makers build the tenant's surveys through the API with the tenant's own key. The public
rows take no id in the registry's sense: the slug is the credential, answering for any
caller, so "another tenant's slug" is not a foreign id but a valid link.
"""

from __future__ import annotations

import itertools
from typing import Any

from tests.security.routes_base import Call, RouteCase
from tests.security.world import Tenant, World

PUBLIC = "<public>"  # as routes.PUBLIC (routes.py imports this module)
_n = itertools.count(1)
CREATED = frozenset({201})
NO_CONTENT = frozenset({204})
REFUSED = frozenset({403})


def _definition(title: str = "Miten meni?") -> dict[str, Any]:
    return {
        "title": {"fi": title, "en": "How did it go?"},
        "pages": [
            {
                "key": "p1",
                "questions": [
                    {
                        "key": "nps",
                        "type": "nps",
                        "required": True,
                        "text": {"fi": "Suosittelisitko?"},
                    },
                    {"key": "store", "type": "hidden"},
                ],
            }
        ],
    }


def _survey_body(**settings: Any) -> dict[str, Any]:
    return {
        "key": f"kysely-{next(_n)}",
        "name": "Kassakysely",
        "definition": _definition(),
        "settings": settings,
    }


def _survey(world: World, tenant: Tenant, *, publish: bool = True, **settings: Any) -> Any:
    found = world.api(tenant, "POST", "/api/v1/surveys", _survey_body(**settings))
    if publish:
        found = world.api(tenant, "POST", f"/api/v1/surveys/{found['id']}/publish")
    return found


def _answered(world: World, tenant: Tenant) -> tuple[str, str]:
    survey = _survey(world, tenant)
    body = {"answers": {"nps": 9}, "channel": "kiosk"}
    answer = world.api(tenant, "POST", f"/api/v1/surveys/{survey['id']}/responses", body)
    return str(survey["id"]), str(answer["id"])


def new_survey(_w: World, _t: Tenant) -> Call:
    return Call(json=_survey_body())


def survey(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"survey_id": str(_survey(world, tenant)["id"])}, json={"name": "Uusi"})


def published(world: World, tenant: Tenant) -> Call:
    return Call(path_params={"survey_id": str(_survey(world, tenant)["id"])})


def draft(world: World, tenant: Tenant) -> Call:
    found = _survey(world, tenant, publish=False)
    return Call(path_params={"survey_id": str(found["id"])})


def version(world: World, tenant: Tenant) -> Call:
    found = _survey(world, tenant)
    return Call(path_params={"survey_id": str(found["id"]), "number": "1"})


def definition(world: World, tenant: Tenant) -> Call:
    found = _survey(world, tenant)
    return Call(path_params={"survey_id": str(found["id"])}, json=_definition("Uusi otsikko"))


def closed(world: World, tenant: Tenant) -> Call:
    found = _survey(world, tenant)
    world.api(tenant, "POST", f"/api/v1/surveys/{found['id']}/close")
    return Call(path_params={"survey_id": str(found["id"])})


def answered(world: World, tenant: Tenant) -> Call:
    survey_id, response_id = _answered(world, tenant)
    return Call(path_params={"survey_id": survey_id, "response_id": response_id})


def new_response(world: World, tenant: Tenant) -> Call:
    found = _survey(world, tenant)
    return Call(
        path_params={"survey_id": str(found["id"])},
        json={"answers": {"nps": 7, "store": "tampere"}, "channel": "kiosk"},
    )


def qr(world: World, tenant: Tenant) -> Call:
    found = _survey(world, tenant)
    return Call(path_params={"survey_id": str(found["id"])}, query={"hidden.store": "tampere"})


def public(world: World, tenant: Tenant) -> Call:
    found = _survey(world, tenant, allowed_origins=["https://kauppa.example"])
    return Call(path_params={"slug": str(found["slug"])}, query={"lang": "fi"})


def public_answer(world: World, tenant: Tenant) -> Call:
    found = _survey(world, tenant, allowed_origins=["https://kauppa.example"])
    return Call(
        path_params={"slug": str(found["slug"])},
        json={"answers": {"nps": 10}, "idempotency_key": f"registry-key-{next(_n):08d}"},
    )


_SURVEY = "/api/v1/surveys/{survey_id}"
_WHY_PUBLIC = "the survey widget on the organisation's site; the random slug names the survey"

SURVEYS_API_ROUTES: tuple[RouteCase, ...] = (
    RouteCase("GET", "/api/v1/surveys", "feedback.view"),
    RouteCase("POST", "/api/v1/surveys", "feedback.edit", call=new_survey, ok=CREATED),
    RouteCase("GET", _SURVEY, "feedback.view", call=published, takes_id=True),
    RouteCase("PATCH", _SURVEY, "feedback.edit", call=survey, takes_id=True),
    RouteCase("DELETE", _SURVEY, "feedback.edit", call=draft, takes_id=True, ok=NO_CONTENT),
    RouteCase("GET", _SURVEY + "/versions", "feedback.view", call=published, takes_id=True),
    RouteCase("GET", _SURVEY + "/versions/{number}", "feedback.view", call=version, takes_id=True),
    RouteCase("PUT", _SURVEY + "/definition", "feedback.edit", call=definition, takes_id=True),
    RouteCase("POST", _SURVEY + "/publish", "feedback.edit", call=draft, takes_id=True),
    RouteCase("POST", _SURVEY + "/close", "feedback.edit", call=published, takes_id=True),
    RouteCase("POST", _SURVEY + "/reopen", "feedback.edit", call=closed, takes_id=True),
    RouteCase("GET", _SURVEY + "/responses", "feedback.view", call=published, takes_id=True),
    RouteCase(
        "GET",
        _SURVEY + "/responses/{response_id}",
        "feedback.view",
        call=answered,
        takes_id=True,
    ),
    RouteCase(
        "POST",
        _SURVEY + "/responses",
        "feedback.submit",
        call=new_response,
        takes_id=True,
        ok=CREATED,
    ),
    # The widget's public API: no credential, CORS-checked (see api/v1/survey_public.py).
    RouteCase("GET", "/api/v1/public/surveys/{slug}", PUBLIC, call=public, why=_WHY_PUBLIC),
    RouteCase(
        "OPTIONS",
        "/api/v1/public/surveys/{slug}/responses",
        PUBLIC,
        call=public,
        ok=REFUSED,  # no Origin header: no approval
        why="CORS preflight of the widget's submissions: browsers send it without credentials",
    ),
    RouteCase(
        "POST",
        "/api/v1/public/surveys/{slug}/responses",
        PUBLIC,
        call=public_answer,
        ok=REFUSED,  # no Origin header: refused, nothing stored
        why=_WHY_PUBLIC + "; only the survey's allowed origins may send",
    ),
    # QR code downloads (pages)
    RouteCase(
        "GET", "/feedback/surveys/{survey_id}/qr.svg", "feedback.view", call=qr, takes_id=True
    ),
    RouteCase(
        "GET", "/feedback/surveys/{survey_id}/qr.png", "feedback.view", call=qr, takes_id=True
    ),
)
