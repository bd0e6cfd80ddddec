"""A test-only API route with a strict body, added to a separate app instance.

The Foundation's API has no body-taking endpoint yet; this probe exercises the shared
plumbing every later endpoint goes through (body cap, JSON parsing, validation, problem
details, localisation) exactly as a real route would.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI
from pydantic import AwareDatetime, Field

from kohtaamo.accounts.schemas import StrictModel
from kohtaamo.api.deps import ApiContext, api_permission

PROBE_PATH = "/api/v1/test-probe"
PEOPLE_ONLY_PATH = "/api/v1/test-probe/people-only"


class ProbeIn(StrictModel):
    name: str = Field(min_length=1, max_length=20)
    count: int = Field(ge=0, le=10)
    when: AwareDatetime | None = None
    tags: list[str] = Field(default_factory=list, max_length=5)


class ProbeOut(StrictModel):
    name: str
    count: int
    when: datetime | None


def add_probe(app: FastAPI) -> FastAPI:
    router = APIRouter()

    @router.post(PROBE_PATH, response_model=ProbeOut)
    def probe(
        body: ProbeIn, _ctx: Annotated[ApiContext, Depends(api_permission("events.ingest"))]
    ) -> ProbeOut:
        return ProbeOut(name=body.name, count=body.count, when=body.when)

    @router.get(PEOPLE_ONLY_PATH)
    def people_only(
        _ctx: Annotated[ApiContext, Depends(api_permission("apikeys.manage"))],
    ) -> dict[str, bool]:
        return {"ok": True}

    app.include_router(router)
    return app
