"""The assumption register: beliefs written as checkable specs, and their verdicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from kohtaamo.analytics import assumption_service as service
from kohtaamo.analytics.assumption_words import sentence
from kohtaamo.analytics.models import Assumption, AssumptionCheck
from kohtaamo.analytics.source import Source
from kohtaamo.analytics.tasks import current_source
from kohtaamo.api.deps import ApiContext, api_permission
from kohtaamo.api.params import NoBody
from kohtaamo.http.context import database, settings_of

router = APIRouter(prefix="/assumptions", tags=["analytics"])

Viewer = Depends(api_permission("analytics.view"))
Editor = Depends(api_permission("analytics.edit"))


class CheckOut(BaseModel):
    id: uuid.UUID
    verdict: str
    checked_at: datetime
    #: the verdict in one sentence, in the caller's language
    sentence: str
    #: the numbers behind it (test, groups with n / value / interval, difference, p…)
    result: dict[str, Any]


class AssumptionOut(BaseModel):
    id: uuid.UUID
    statement: str
    kind: str
    spec: dict[str, Any]
    verdict: str | None
    checked_at: datetime | None
    created_at: datetime
    latest: CheckOut | None = None


def source_for(request: Request) -> Source:
    """The analytics store of this process, up to date (see ``analytics.tasks``)."""
    return current_source(settings_of(request), database(request))


def _check_out(row: AssumptionCheck, locale: str) -> CheckOut:
    return CheckOut(
        id=row.id,
        verdict=row.verdict,
        checked_at=row.checked_at,
        sentence=sentence(locale, row.result),
        result=row.result,
    )


def _out(row: Assumption, latest: AssumptionCheck | None, locale: str) -> AssumptionOut:
    return AssumptionOut(
        id=row.id,
        statement=row.statement,
        kind=row.kind,
        spec=row.spec,
        verdict=row.verdict,
        checked_at=row.checked_at,
        created_at=row.created_at,
        latest=_check_out(latest, locale) if latest is not None else None,
    )


@router.get("", response_model=list[AssumptionOut], summary="The assumption register")
def list_assumptions(ctx: ApiContext = Viewer) -> list[AssumptionOut]:
    with ctx.transaction(readonly=True) as session:
        return [_out(a, None, ctx.locale) for a in service.list_assumptions(session, ctx.actor)]


@router.post(
    "",
    response_model=AssumptionOut,
    status_code=201,
    summary="Write an assumption down and check it at once",
)
def create_assumption(
    request: Request, body: service.AssumptionIn, ctx: ApiContext = Editor
) -> AssumptionOut:
    source = source_for(request)
    with ctx.transaction() as session:
        row = service.do_create_assumption(session, ctx.actor, source, body, locale=ctx.locale)
        latest = service.do_check_assumption(session, ctx.actor, source, row.id)
        return _out(row, latest, ctx.locale)


@router.get(
    "/{assumption_id}", response_model=AssumptionOut, summary="An assumption and its last check"
)
def get_assumption(assumption_id: uuid.UUID, ctx: ApiContext = Viewer) -> AssumptionOut:
    with ctx.transaction(readonly=True) as session:
        row = service.get_assumption(session, ctx.actor, assumption_id)
        checks = service.list_checks(session, ctx.actor, assumption_id)
        return _out(row, checks[0] if checks else None, ctx.locale)


@router.get(
    "/{assumption_id}/checks",
    response_model=list[CheckOut],
    summary="Every check of an assumption, newest first",
)
def list_checks(assumption_id: uuid.UUID, ctx: ApiContext = Viewer) -> list[CheckOut]:
    with ctx.transaction(readonly=True) as session:
        return [
            _check_out(c, ctx.locale)
            for c in service.list_checks(session, ctx.actor, assumption_id)
        ]


@router.post(
    "/{assumption_id}/check",
    response_model=CheckOut,
    status_code=201,
    summary="Check the assumption again on the answers as they are now",
)
def check_assumption(
    request: Request, assumption_id: uuid.UUID, ctx: ApiContext = Editor, body: NoBody = None
) -> CheckOut:
    source = source_for(request)
    with ctx.transaction() as session:
        row = service.do_check_assumption(session, ctx.actor, source, assumption_id)
        return _check_out(row, ctx.locale)


@router.delete("/{assumption_id}", status_code=204, summary="Delete an assumption and its checks")
def delete_assumption(assumption_id: uuid.UUID, ctx: ApiContext = Editor) -> Response:
    with ctx.transaction() as session:
        service.do_delete_assumption(session, ctx.actor, assumption_id)
    return Response(status_code=204)
