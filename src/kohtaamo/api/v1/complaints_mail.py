"""Complaints by e-mail: a raw message (as the mail server received it, or a customer's
mail a colleague forwarded) becomes a complaint case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from kohtaamo.api.deps import ApiContext, api_permission
from kohtaamo.cases import complaint_mail
from kohtaamo.cases.schemas import CaseOut
from kohtaamo.errors import PayloadTooLarge

router = APIRouter(tags=["cases"])

Handler = Annotated[ApiContext, Depends(api_permission("cases.handle"))]

_RAW_MESSAGE = {
    "requestBody": {
        "required": True,
        "description": "The raw e-mail (RFC 822 / RFC 5322), at most 1 MB.",
        "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post(
    "/complaints/email",
    response_model=CaseOut,
    status_code=201,
    openapi_extra=_RAW_MESSAGE,
    responses={
        200: {"description": "This message (its Message-ID) was received before: its case."},
        201: {"description": "A new complaint case."},
    },
    summary="Record a complaint that arrived by e-mail (a raw message, forwarded or not)",
)
async def complaint_email(ctx: Handler, request: Request, response: Response) -> CaseOut:
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > complaint_mail.MAX_BYTES:
            raise PayloadTooLarge("The message is too large: at most %(size)s MB.", size=1)
    # The database work is synchronous: off the event loop, as FastAPI runs sync routes.
    return await run_in_threadpool(_receive, ctx, bytes(raw), response)


def _receive(ctx: ApiContext, raw: bytes, response: Response) -> CaseOut:
    with ctx.transaction() as session:
        case, created = complaint_mail.receive(session, raw, actor=ctx.actor)
        response.status_code = 201 if created else 200
        return CaseOut.model_validate(case)
