"""Surveys over the API: definitions and their versions, publishing, responses out, and
responses in from kiosks and other systems (an API key with the write scope)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Response
from sqlalchemy.orm import Session

from kohtaamo.api.deps import ApiContext, api_permission
from kohtaamo.api.params import IsoDateTime, NoBody
from kohtaamo.api.responses import PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMA
from kohtaamo.errors import NotFound
from kohtaamo.journeys.models import Customer
from kohtaamo.kit.pagination import MAX_PAGE_SIZE, PageRequest
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys import service
from kohtaamo.surveys.catalogue import ResponseChannel, SurveyStatus
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.models import SurveyResponse, SurveyVersion
from kohtaamo.surveys.repository import ResponseFilter
from kohtaamo.surveys.responses import Submission
from kohtaamo.surveys.schemas import (
    ResponseIn,
    ResponseOut,
    SurveyIn,
    SurveyOut,
    SurveyUpdate,
    VersionOut,
)
from kohtaamo.surveys.submit import store_submission

router = APIRouter(tags=["surveys"])

Viewer = Annotated[ApiContext, Depends(api_permission("feedback.view"))]
Editor = Annotated[ApiContext, Depends(api_permission("feedback.edit"))]
Submitter = Annotated[ApiContext, Depends(api_permission("feedback.submit"))]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=100,
        pattern=r"^[\x21-\x7e]+$",
        description="Yours, unique per response: a retry with the same key is stored once",
    ),
]


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}}}


SUBMIT_ERRORS: dict[int | str, dict[str, Any]] = {
    200: {"description": "A retry: the response stored earlier (`created` is false)"},
    404: _problem("No such survey, or it is a draft that takes no responses yet."),
    409: _problem("The idempotency key was used for another survey."),
    410: _problem("The survey is closed."),
    422: _problem("Wrong answers: `errors` names each, as `answers.<question key>`."),
}


def version_out(version: SurveyVersion) -> VersionOut:
    return VersionOut(
        number=version.number,
        published_at=version.published_at,
        created_at=version.created_at,
        definition=service.definition_of(version),
    )


def response_out(
    response: SurveyResponse, version: int, customer: str | None, *, created: bool = True
) -> ResponseOut:
    return ResponseOut(
        id=response.id,
        survey_id=response.survey_id,
        version=version,
        status="finished" if response.finished_at is not None else "partial",
        channel=response.channel,
        language=response.language,
        answers=dict(response.answers or {}),
        customer=customer,
        started_at=response.started_at,
        finished_at=response.finished_at,
        flagged=response.flagged,
        flag_reason=response.flag_reason,
        created=created,
    )


# --- surveys ----------------------------------------------------------------------------


@router.get("/surveys", response_model=list[SurveyOut], summary="Surveys, with response counts")
def list_surveys(ctx: Viewer, status: SurveyStatus | None = None) -> list[SurveyOut]:
    with ctx.transaction(readonly=True) as session:
        return service.list_surveys(
            session, ctx.actor, status=status.value if status is not None else None
        )


@router.post("/surveys", response_model=SurveyOut, status_code=201, summary="Create a survey")
def create_survey(ctx: Editor, body: SurveyIn) -> SurveyOut:
    """The survey starts as a draft with `definition` as version 1; publish it to open it."""
    with ctx.transaction() as session:
        return service.survey_out(session, service.do_create_survey(session, ctx.actor, body))


@router.get("/surveys/{survey_id}", response_model=SurveyOut, summary="A survey")
def get_survey(ctx: Viewer, survey_id: uuid.UUID) -> SurveyOut:
    with ctx.transaction(readonly=True) as session:
        return service.survey_out(session, service.get_survey(session, ctx.actor, survey_id))


@router.patch(
    "/surveys/{survey_id}", response_model=SurveyOut, summary="Rename or configure a survey"
)
def update_survey(ctx: Editor, survey_id: uuid.UUID, body: SurveyUpdate) -> SurveyOut:
    """Only the fields sent change; `settings` is replaced as a whole."""
    with ctx.transaction() as session:
        survey = service.do_update_survey(session, ctx.actor, survey_id, body)
        return service.survey_out(session, survey)


@router.delete(
    "/surveys/{survey_id}",
    status_code=204,
    summary="Delete a survey nobody has answered",
    responses={409: _problem("The survey has responses: close it instead.")},
)
def delete_survey(ctx: Editor, survey_id: uuid.UUID) -> Response:
    with ctx.transaction() as session:
        service.do_delete_survey(session, ctx.actor, survey_id)
    return Response(status_code=204)


# --- versions and publishing --------------------------------------------------------------


@router.get(
    "/surveys/{survey_id}/versions",
    response_model=list[VersionOut],
    summary="Every version of a survey, oldest first",
)
def list_versions(ctx: Viewer, survey_id: uuid.UUID) -> list[VersionOut]:
    with ctx.transaction(readonly=True) as session:
        survey = service.get_survey(session, ctx.actor, survey_id)
        return [version_out(v) for v in repo.versions(session, survey.id)]


@router.get(
    "/surveys/{survey_id}/versions/{number}", response_model=VersionOut, summary="One version"
)
def get_version(
    ctx: Viewer,
    survey_id: uuid.UUID,
    number: Annotated[str, Path(max_length=200, description="The version number: 1, 2, ...")],
) -> VersionOut:
    """Any number that names no version, written as digits or not, is simply not found."""
    with ctx.transaction(readonly=True) as session:
        survey = service.get_survey(session, ctx.actor, survey_id)
        if not number.isascii() or not number.isdigit() or len(number) > 7:
            raise NotFound("No such survey version.")
        return version_out(service.get_version(session, ctx.actor, survey.id, int(number)))


@router.put(
    "/surveys/{survey_id}/definition",
    response_model=VersionOut,
    summary="Save the draft definition (publishing is separate)",
)
def save_definition(ctx: Editor, survey_id: uuid.UUID, body: SurveyDefinition) -> VersionOut:
    """Saves into the draft version; if the latest version is published, a new draft
    version is made. Respondents keep getting the live version until you publish."""
    with ctx.transaction() as session:
        return version_out(service.do_save_definition(session, ctx.actor, survey_id, body))


@router.post(
    "/surveys/{survey_id}/publish",
    response_model=SurveyOut,
    summary="Publish the latest version and open the survey",
)
def publish(ctx: Editor, survey_id: uuid.UUID, body: NoBody = None) -> SurveyOut:
    with ctx.transaction() as session:
        service.do_publish(session, ctx.actor, survey_id)
        return service.survey_out(session, service.get_survey(session, ctx.actor, survey_id))


@router.post(
    "/surveys/{survey_id}/close", response_model=SurveyOut, summary="Stop taking responses"
)
def close(ctx: Editor, survey_id: uuid.UUID, body: NoBody = None) -> SurveyOut:
    with ctx.transaction() as session:
        return service.survey_out(session, service.do_close(session, ctx.actor, survey_id))


@router.post(
    "/surveys/{survey_id}/reopen", response_model=SurveyOut, summary="Take responses again"
)
def reopen(ctx: Editor, survey_id: uuid.UUID, body: NoBody = None) -> SurveyOut:
    with ctx.transaction() as session:
        return service.survey_out(session, service.do_reopen(session, ctx.actor, survey_id))


# --- responses ----------------------------------------------------------------------------


@router.get("/surveys/{survey_id}/responses", summary="A survey's responses, newest first")
def list_responses(
    ctx: Viewer,
    survey_id: uuid.UUID,
    status: Annotated[
        Literal["finished", "partial"] | None, Query(description="finished or partial")
    ] = None,
    flagged: Annotated[bool | None, Query(description="Only (un)flagged responses")] = None,
    channel: ResponseChannel | None = None,
    since: Annotated[
        IsoDateTime | None, Query(description="Finished (partial: last saved) at or after")
    ] = None,
    until: Annotated[IsoDateTime | None, Query(description="... and before")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    filters = ResponseFilter(
        finished=None if status is None else status == "finished",
        flagged=flagged,
        channel=channel.value if channel is not None else None,
        since=since,
        until=until,
    )
    with ctx.transaction(readonly=True) as session:
        survey = service.get_survey(session, ctx.actor, survey_id)
        page = repo.responses_page(session, survey.id, filters, PageRequest(limit, offset))
        return {
            "items": [
                response_out(r.response, r.version, r.customer).model_dump(mode="json")
                for r in page.items
            ],
            "total": page.total,
            "limit": page.limit,
            "offset": page.offset,
        }


@router.get(
    "/surveys/{survey_id}/responses/{response_id}",
    response_model=ResponseOut,
    summary="One response",
)
def get_response(ctx: Viewer, survey_id: uuid.UUID, response_id: uuid.UUID) -> ResponseOut:
    with ctx.transaction(readonly=True) as session:
        survey = service.get_survey(session, ctx.actor, survey_id)
        found = repo.response(session, response_id)
        if found is None or found.survey_id != survey.id:
            raise NotFound("No such response.")
        return _stored_out(session, found)


def _stored_out(session: Session, response: SurveyResponse, *, created: bool = True) -> ResponseOut:
    version = repo.version_by_id(session, response.version_id)
    customer = None
    if response.customer_id is not None:
        row = session.get(Customer, response.customer_id)
        customer = row.external_id if row is not None else None
    return response_out(response, version.number if version else 0, customer, created=created)


@router.post(
    "/surveys/{survey_id}/responses",
    response_model=ResponseOut,
    status_code=201,
    summary="Submit a response (kiosks, other systems)",
    responses=SUBMIT_ERRORS,
)
def submit_response(
    ctx: Submitter,
    survey_id: uuid.UUID,
    body: ResponseIn,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> ResponseOut:
    """Answers are keyed by question key; see the survey's live version for the shapes.
    Every wrong answer is named in the 422 problem's `errors`. Send `Idempotency-Key` to
    make retries safe: the first call answers 201, a retry 200 with `created: false`."""
    stored = store_submission(
        ctx.db,
        ctx.actor.organisation_id,
        survey_id,
        Submission(
            answers=dict(body.answers),
            language=body.language,
            finished=body.finished,
            channel=ResponseChannel(body.channel),
            customer_external_id=body.customer,
            context=dict(body.context),
            event_key=body.event_key,
            idempotency_key=idempotency_key,
            started_at=body.started_at,
        ),
    )
    response.status_code = 201 if stored.created else 200
    return ResponseOut(
        id=stored.response_id,
        survey_id=stored.survey_id,
        version=stored.version,
        status="finished" if stored.finished else "partial",
        channel=stored.channel,
        language=stored.language,
        answers=stored.answers,
        customer=stored.customer,
        started_at=stored.started_at,
        finished_at=stored.finished_at,
        flagged=stored.flagged,
        flag_reason=stored.flag_reason,
        created=stored.created,
    )
