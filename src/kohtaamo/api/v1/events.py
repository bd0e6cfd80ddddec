"""Interaction events in (single or batch) and out (XES/CSV event logs), and customers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from kohtaamo.analytics.service import record_erasure
from kohtaamo.api.deps import ApiContext, api_permission
from kohtaamo.api.params import IsoDateTime
from kohtaamo.api.responses import PROBLEM_MEDIA_TYPE, PROBLEM_SCHEMA
from kohtaamo.audit.service import record
from kohtaamo.errors import FieldProblem, InvalidInput
from kohtaamo.http.problems import PROBLEM_TYPE
from kohtaamo.i18n import gettext
from kohtaamo.journeys import customers as customer_service
from kohtaamo.journeys import imports
from kohtaamo.journeys import ingest as ingestion
from kohtaamo.journeys.ingest import MAX_BATCH
from kohtaamo.journeys.schemas import BatchResult, CustomerIn, CustomerOut, EventIn
from kohtaamo.kit.pagination import PageRequest

router = APIRouter(tags=["events"])

Ingester = Annotated[ApiContext, Depends(api_permission("events.ingest"))]
Viewer = Annotated[ApiContext, Depends(api_permission("journeys.view"))]


def _batch_schema(item: dict[str, Any], key: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [key],
        "additionalProperties": False,
        "properties": {key: {"type": "array", "items": item, "minItems": 1, "maxItems": MAX_BATCH}},
    }


_EVENT_SCHEMA = EventIn.model_json_schema()
_EVENT_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"oneOf": [_EVENT_SCHEMA, _batch_schema(_EVENT_SCHEMA, "events")]}
        }
    },
}
_BATCH_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Every item's outcome, in input order."},
    422: {
        "description": "Every item was rejected (or the body is not an event or a batch); "
        "the outcomes are listed as in 200.",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
    },
}


def _translate(locale: str, problem: FieldProblem) -> dict[str, str]:
    try:
        message = gettext(locale, problem.message, **problem.params)
    except (KeyError, ValueError):
        message = gettext(locale, problem.message)
    return {"field": problem.field, "message": message}


def _items_of(body: dict[str, Any], key: str) -> tuple[Sequence[Any], bool]:
    """The items of a batch body ``{key: [...]}`` or the body as one item."""
    if key not in body:
        return [body], False
    items = body[key]
    if not isinstance(items, list):
        raise InvalidInput("Give a list.", field=key)
    if not 1 <= len(items) <= MAX_BATCH:
        raise InvalidInput(
            "Send between 1 and %(max)s items in one batch.", field=key, max=MAX_BATCH
        )
    return items, True


class _Batch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[EventIn] = Field(min_length=1, max_length=MAX_BATCH)


_batch_of_events = TypeAdapter(_Batch)
_one_event = TypeAdapter(EventIn)


def _parse_fast(raw: bytes) -> list[EventIn] | None:
    """The usual case in one pass from bytes (JSON parsing and validation in Rust).

    None when anything is wrong: then the body is read item by item, so that every item
    gets its own outcome and valid neighbours of an invalid item are still stored.
    """
    try:
        if raw.lstrip()[:10].startswith(b'{"events"'):
            return _batch_of_events.validate_json(raw).events
        return [_one_event.validate_json(raw)]
    except ValidationError:
        return None


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(
            "The body is not valid JSON: %(detail)s", field="body", detail=str(exc)
        ) from exc
    if not isinstance(body, dict):
        raise InvalidInput("Give an object.", field="body")
    return body


class _BatchJSON(JSONResponse):
    """orjson: a 1,000-item result encodes in a tenth of the time of the json module."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def _batch_response(ctx: ApiContext, result: dict[str, Any], rejected_all: bool) -> JSONResponse:
    if not rejected_all:
        return _BatchJSON(result)
    problem = {
        "type": PROBLEM_TYPE + "invalid_input",
        "title": gettext(ctx.locale, "Invalid input"),
        "status": 422,
        "detail": gettext(ctx.locale, "No item was valid; see the results."),
    }
    return _BatchJSON(problem | result, status_code=422, media_type=PROBLEM_MEDIA_TYPE)


@router.post(
    "/events",
    response_model=BatchResult,
    summary="Send interaction events: one, or a batch of up to 1,000",
    openapi_extra={"requestBody": _EVENT_BODY},
    responses=_BATCH_RESPONSES,
)
async def ingest_events(ctx: Ingester, request: Request) -> JSONResponse:
    """Each event: `id` (yours, ≤ 120 characters; a retry with the same id is stored once),
    `customer` (your customer id; an unknown customer gets a bare profile, completed later
    through `PUT /customers/{external_id}`), `touchpoint` (a touchpoint key), `occurred_at`
    (ISO 8601 with a time zone, at most 5 minutes ahead), and optionally `journey` (key),
    `journey_instance`, `channel_detail`, `order_value` (≥ 0), `attributes` (≤ 50 scalars).

    Valid items are stored even when others are rejected: the answer lists each item's
    status (`stored`, `duplicate` or `rejected`) and, for a rejection, what is wrong.
    The status is 200 unless every item was rejected (422)."""
    raw = await request.body()
    parsed = _parse_fast(raw)
    items: Sequence[Any] = ()
    if parsed is None:
        items, _ = _items_of(_json_object(raw), "events")
    # Returns once the events are committed (possibly together with other requests').
    result = await run_in_threadpool(
        ingestion.ingest_events, ctx.db, ctx.actor, items, parsed=parsed
    )
    out = {
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "rejected": result.rejected,
        "results": [
            {
                "index": o.index,
                "id": o.id,
                "status": o.status,
                "errors": [_translate(ctx.locale, p) for p in o.problems],
            }
            for o in result.outcomes
        ],
    }
    return _batch_response(ctx, out, result.all_rejected)


@router.get(
    "/events/export",
    summary="The events as a standard event log (XES or CSV), streamed",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/xml": {}, "text/csv": {}}}},
)
def export_events(
    ctx: Viewer,
    format: Annotated[Literal["xes", "csv"], Query(description="xes or csv")] = "xes",
    journey: Annotated[
        uuid.UUID | None, Query(description="Only touchpoints on this journey")
    ] = None,
    start: Annotated[IsoDateTime | None, Query(alias="from")] = None,
    end: Annotated[IsoDateTime | None, Query(alias="to")] = None,
) -> StreamingResponse:
    """Case id = your customer id; activity = touchpoint key; `time:timestamp` in UTC.
    Customers' events come in time order, ties in the order they arrived."""
    with ctx.transaction() as session:
        imports.check_export(session, ctx.actor, journey)  # 404 before streaming starts
        record(
            session,
            "personal.exported",
            ctx.actor,
            object_type="events",
            object_id=journey or "",
            detail={"what": "events", "format": format},
        )

    def chunks() -> Iterator[str]:
        with ctx.transaction(readonly=True) as session:
            yield from imports.export_event_log(
                session, ctx.actor, format, journey_id=journey, start=start, end=end
            )

    media = "application/xml" if format == "xes" else "text/csv; charset=utf-8"
    stamp = datetime.now().strftime("%Y%m%d")
    return StreamingResponse(
        chunks(),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="kohtaamo-events-{stamp}.{format}"'},
    )


# --- customers --------------------------------------------------------------------------


@router.get("/customers", summary="Customer profiles, by external id")
def list_customers(
    ctx: Viewer,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    with ctx.transaction(readonly=True) as session:
        page = customer_service.list_customers(session, ctx.actor, PageRequest(limit, offset))
        return {
            "items": [CustomerOut.model_validate(c).model_dump(mode="json") for c in page.items],
            "total": page.total,
            "limit": page.limit,
            "offset": page.offset,
        }


@router.post(
    "/customers:batch",
    response_model=BatchResult,
    summary="Create or update up to 1,000 customers",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": _batch_schema(
                        {"type": "object", "required": ["external_id"]}, "customers"
                    )
                }
            },
        }
    },
    responses=_BATCH_RESPONSES,
)
def upsert_customers(ctx: Ingester, body: Annotated[dict[str, Any], Body()]) -> JSONResponse:
    """Each item: `external_id` and the fields of `PUT /customers/{external_id}`; only the
    fields sent change. Status per item: `created`, `updated` or `rejected`."""
    if "customers" not in body:
        raise InvalidInput("This field is required.", field="customers")
    items, _ = _items_of(body, "customers")
    with ctx.transaction() as session:
        outcomes = customer_service.do_upsert_customer_batch(session, ctx.actor, items)
    rejected = sum(1 for o in outcomes if o.status == "rejected")
    out = {
        "accepted": len(outcomes) - rejected,
        "duplicates": 0,
        "rejected": rejected,
        "results": [
            {
                "index": o.index,
                "id": o.id,
                "status": o.status,
                "errors": [_translate(ctx.locale, p) for p in o.problems],
            }
            for o in outcomes
        ],
    }
    return _batch_response(ctx, out, bool(outcomes) and rejected == len(outcomes))


@router.get("/customers/{external_id}", response_model=CustomerOut, summary="A customer")
def get_customer(ctx: Viewer, external_id: str) -> CustomerOut:
    with ctx.transaction(readonly=True) as session:
        return CustomerOut.model_validate(
            customer_service.get_customer(session, ctx.actor, external_id)
        )


@router.put(
    "/customers/{external_id}",
    response_model=CustomerOut,
    summary="Create or update a customer (only the fields sent change)",
    responses={201: {"description": "Created", "model": CustomerOut}},
)
def put_customer(
    ctx: Ingester, external_id: str, body: CustomerIn, response: Response
) -> CustomerOut:
    with ctx.transaction() as session:
        customer, created = customer_service.do_upsert_customer(
            session, ctx.actor, external_id, body
        )
        response.status_code = 201 if created else 200
        return CustomerOut.model_validate(customer)


@router.delete(
    "/customers/{external_id}",
    status_code=204,
    summary="Erase a customer and their interaction events",
)
def delete_customer(ctx: Ingester, external_id: str) -> Response:
    with ctx.transaction() as session:
        erased = customer_service.get_customer(session, ctx.actor, external_id).id
        customer_service.do_delete_customer(session, ctx.actor, external_id)
        record_erasure(session, customer_id=erased)  # the analytics store forgets them too
    return Response(status_code=204)
