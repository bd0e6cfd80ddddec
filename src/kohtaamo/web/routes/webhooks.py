"""Settings: the organisation's webhook endpoints and their delivery logs.

A new endpoint's signing secret (and a rotated one) is shown once, on the page that
answers the form. Only owners and administrators hold ``webhooks.manage``, so whoever
sees these pages may also allow a private address range.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from kohtaamo.errors import InvalidInput, KohtaamoError
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.routes.settings import flash_of
from kohtaamo.webhooks import repository, service
from kohtaamo.webhooks.models import WebhookEndpoint
from kohtaamo.webhooks.schemas import EVENT_TYPE_TITLES, EndpointIn, EndpointPatch

router = APIRouter(prefix="/settings/webhooks")

Manager = Annotated[WebContext, Depends(page_permission("webhooks.manage"))]
BASE = "/settings/webhooks"

DONE_MESSAGES = {
    "saved": N_("The endpoint was saved."),
    "enabled": N_("The endpoint was enabled. New events are delivered to it again."),
    "disabled": N_("The endpoint was disabled. No events are delivered to it."),
    "tested": N_("A test event was queued. Its delivery appears in the log below."),
    "deleted": N_("The endpoint and its delivery log were deleted."),
}
STATUS_TITLES = {
    "pending": N_("Pending"),
    "delivered": N_("Delivered"),
    "failed": N_("Failed"),
}


def _form_values(
    url: str, description: str, event_types: list[str], allowed_private_range: str
) -> dict[str, Any]:
    return {
        "url": url,
        "description": description,
        "event_types": event_types,
        "allowed_private_range": allowed_private_range.strip() or None,
    }


def _validated(model: type[EndpointIn] | type[EndpointPatch], values: dict[str, Any]) -> Any:
    """The form as the API's schema, its refusals as field errors like the service's."""
    try:
        return model(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        context = first.get("ctx") or {}
        msgid = context.get("msgid") or N_("Check this field.")
        params = {k: v for k, v in context.items() if k != "msgid"}
        raise InvalidInput(msgid, field=field, **params) from None


def _form_page(
    request: Request,
    *,
    endpoint: WebhookEndpoint | None,
    form: dict[str, Any],
    errors: dict[str, str],
    status_code: int,
) -> Response:
    return render(
        request,
        "webhooks/form.html",
        status_code=status_code,
        active="settings",
        endpoint=endpoint,
        form=form,
        errors=errors,
        event_titles=EVENT_TYPE_TITLES,
    )


@router.get("", response_class=HTMLResponse)
def endpoints(request: Request, ctx: Manager, done: str | None = None) -> Response:
    with ctx.transaction(readonly=True) as session:
        rows = list(repository.endpoints(session))
        counts = repository.delivery_counts(session)
    return render(
        request,
        "webhooks/list.html",
        active="settings",
        endpoints=rows,
        counts=counts,
        event_titles=EVENT_TYPE_TITLES,
        flash=flash_of(request, done, DONE_MESSAGES),
    )


@router.get("/new", response_class=HTMLResponse)
def new_endpoint(request: Request, ctx: Manager) -> Response:
    return _form_page(request, endpoint=None, form={}, errors={}, status_code=200)


@router.post("", dependencies=[Depends(verify_csrf)])
def create_endpoint(
    request: Request,
    ctx: Manager,
    url: Annotated[str, Form(max_length=2000)] = "",
    description: Annotated[str, Form(max_length=300)] = "",
    event_types: Annotated[list[str], Form(max_length=20)] = [],  # noqa: B006 - copied
    allowed_private_range: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    values = _form_values(url, description, event_types, allowed_private_range)
    try:
        data = _validated(EndpointIn, values)
        with ctx.transaction() as session:
            endpoint = service.do_create_endpoint(session, data, ctx.actor)
    except KohtaamoError as exc:
        return _form_page(
            request,
            endpoint=None,
            form=values,
            errors=field_errors(locale_of(request), exc),
            status_code=exc.status,
        )
    return render(request, "webhooks/secret.html", active="settings", endpoint=endpoint)


@router.get("/{endpoint_id}", response_class=HTMLResponse)
def endpoint_page(
    request: Request, ctx: Manager, endpoint_id: uuid.UUID, done: str | None = None
) -> Response:
    with ctx.transaction(readonly=True) as session:
        endpoint = service.get_endpoint(session, endpoint_id)
        log = service.deliveries_of(session, endpoint_id, limit=100)
    return render(
        request,
        "webhooks/endpoint.html",
        active="settings",
        endpoint=endpoint,
        deliveries=log,
        status_titles=STATUS_TITLES,
        event_titles=EVENT_TYPE_TITLES,
        flash=flash_of(request, done, DONE_MESSAGES),
    )


@router.get("/{endpoint_id}/edit", response_class=HTMLResponse)
def edit_endpoint(request: Request, ctx: Manager, endpoint_id: uuid.UUID) -> Response:
    with ctx.transaction(readonly=True) as session:
        endpoint = service.get_endpoint(session, endpoint_id)
    form = {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
        "allowed_private_range": endpoint.allowed_private_range or "",
    }
    return _form_page(request, endpoint=endpoint, form=form, errors={}, status_code=200)


@router.post("/{endpoint_id}", dependencies=[Depends(verify_csrf)])
def update_endpoint(
    request: Request,
    ctx: Manager,
    endpoint_id: uuid.UUID,
    url: Annotated[str, Form(max_length=2000)] = "",
    description: Annotated[str, Form(max_length=300)] = "",
    event_types: Annotated[list[str], Form(max_length=20)] = [],  # noqa: B006 - copied
    allowed_private_range: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    values = _form_values(url, description, event_types, allowed_private_range)
    try:
        with ctx.transaction() as session:
            endpoint = service.get_endpoint(session, endpoint_id)  # 404 before 422
            service.do_update_endpoint(
                session, endpoint.id, _validated(EndpointPatch, values), ctx.actor
            )
    except InvalidInput as exc:
        with ctx.transaction(readonly=True) as session:
            endpoint = service.get_endpoint(session, endpoint_id)
        return _form_page(
            request,
            endpoint=endpoint,
            form=values,
            errors=field_errors(locale_of(request), exc),
            status_code=exc.status,
        )
    return RedirectResponse(f"{BASE}/{endpoint_id}?done=saved", status_code=303)


@router.post("/{endpoint_id}/rotate", dependencies=[Depends(verify_csrf)])
def rotate_secret(request: Request, ctx: Manager, endpoint_id: uuid.UUID) -> Response:
    with ctx.transaction() as session:
        endpoint = service.do_rotate_secret(session, endpoint_id, ctx.actor)
    return render(
        request, "webhooks/secret.html", active="settings", endpoint=endpoint, rotated=True
    )


def _action(ctx: WebContext, endpoint_id: uuid.UUID, done: str) -> Response:
    actions = {
        "enabled": service.do_enable,
        "disabled": service.do_disable,
        "tested": service.do_send_test,
    }
    with ctx.transaction() as session:
        actions[done](session, endpoint_id, ctx.actor)
    return RedirectResponse(f"{BASE}/{endpoint_id}?done={done}", status_code=303)


@router.post("/{endpoint_id}/enable", dependencies=[Depends(verify_csrf)])
def enable_endpoint(ctx: Manager, endpoint_id: uuid.UUID) -> Response:
    return _action(ctx, endpoint_id, "enabled")


@router.post("/{endpoint_id}/disable", dependencies=[Depends(verify_csrf)])
def disable_endpoint(ctx: Manager, endpoint_id: uuid.UUID) -> Response:
    return _action(ctx, endpoint_id, "disabled")


@router.post("/{endpoint_id}/test", dependencies=[Depends(verify_csrf)])
def send_test_event(ctx: Manager, endpoint_id: uuid.UUID) -> Response:
    return _action(ctx, endpoint_id, "tested")


@router.post("/{endpoint_id}/delete", dependencies=[Depends(verify_csrf)])
def delete_endpoint(ctx: Manager, endpoint_id: uuid.UUID) -> Response:
    with ctx.transaction() as session:
        service.do_delete_endpoint(session, endpoint_id, ctx.actor)
    return RedirectResponse(f"{BASE}?done=deleted", status_code=303)
