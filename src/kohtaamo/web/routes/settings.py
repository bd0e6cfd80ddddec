"""Settings: the user's own account, the organisation's users and the role table.

API keys live in ``settings_keys``. Each action re-renders its form with the errors next
to the fields when a service refuses it, and redirects (303) to the list when it works,
so a reload never repeats the action.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.accounts import invitations, service
from kohtaamo.accounts.models import Membership
from kohtaamo.accounts.permissions import PERMISSIONS, Role
from kohtaamo.errors import InvalidInput, KohtaamoError, NotFound
from kohtaamo.http.context import locale_of, settings_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.render import field_errors, render

router = APIRouter(prefix="/settings")

Anyone = Annotated[WebContext, Depends(page_permission("org.view"))]
MemberViewer = Annotated[WebContext, Depends(page_permission("members.view"))]
MemberManager = Annotated[WebContext, Depends(page_permission("members.manage"))]

# Outcomes named in the redirect (?done=…); only these fixed texts can be shown.
DONE = {
    "invited": N_("The user was added."),
    "role": N_("The role was changed."),
    "disabled": N_("The user was disabled and signed out."),
}


def flash_of(request: Request, done: str | None, known: dict[str, str]) -> str | None:
    return gettext(locale_of(request), known[done]) if done in known else None


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


@dataclass(frozen=True)
class MemberRow:
    id: uuid.UUID
    name: str
    email: str
    role: Role
    is_active: bool
    is_self: bool


def _row(membership: Membership, ctx: WebContext) -> MemberRow:
    return MemberRow(
        id=membership.id,
        name=membership.user.name,
        email=membership.user.email,
        role=Role(membership.role),
        is_active=membership.is_active,
        is_self=membership.user_id == ctx.user.id,
    )


def _assignable_roles(ctx: WebContext) -> list[Role]:
    """Only an owner can make someone an owner, so others are not offered it."""
    return [r for r in Role if r != Role.OWNER or ctx.org_actor.role == Role.OWNER]


def _parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput("Choose a role.", field="role") from None


@router.get("", response_class=HTMLResponse)
def settings_home(request: Request, ctx: Anyone) -> Response:
    return render(request, "settings/index.html", active="settings")


@router.get("/roles", response_class=HTMLResponse)
def roles(request: Request, ctx: MemberViewer) -> Response:
    return render(
        request,
        "settings/roles.html",
        active="settings",
        roles=list(Role),
        permissions=list(PERMISSIONS.values()),
    )


def _members_page(
    request: Request,
    ctx: WebContext,
    *,
    status_code: int = 200,
    flash: str | None = None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    row_errors: dict[uuid.UUID, str] | None = None,
) -> Response:
    with ctx.transaction(readonly=True) as session:
        rows = [_row(m, ctx) for m in service.list_members(session, ctx.org_actor)]
    return render(
        request,
        "settings/members.html",
        status_code=status_code,
        active="settings",
        members=rows,
        can_manage=ctx.may("members.manage"),
        assignable_roles=_assignable_roles(ctx),
        flash=flash,
        form=form or {},
        errors=errors or {},
        row_errors=row_errors or {},
    )


def _member_row(
    request: Request, ctx: WebContext, membership_id: uuid.UUID, *, error: str | None = None
) -> Response:
    """One table row, for htmx to swap in place after an inline role change."""
    with ctx.transaction(readonly=True) as session:
        found = [m for m in service.list_members(session, ctx.org_actor) if m.id == membership_id]
        if not found:
            raise NotFound()
        row = _row(found[0], ctx)
    return render(
        request,
        "settings/_member_row.html",
        m=row,
        can_manage=ctx.may("members.manage"),
        assignable_roles=_assignable_roles(ctx),
        row_error=error,
        row_saved=error is None,
    )


@router.get("/members", response_class=HTMLResponse)
def members(request: Request, ctx: MemberViewer, done: str | None = None) -> Response:
    return _members_page(request, ctx, flash=flash_of(request, done, DONE))


@router.post("/members", dependencies=[Depends(verify_csrf)])
def invite_member(
    request: Request,
    ctx: MemberManager,
    email: Annotated[str, Form(max_length=254)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        with ctx.transaction() as session:
            membership = service.do_invite_member(
                session, ctx.org_actor, email=email, name=name, role=_parse_role(role)
            )
            invitations.do_send_invitation(
                session,
                ctx.org_actor,
                membership,
                base_url=settings_of(request).base_url,
                locale=locale_of(request),
            )
    except KohtaamoError as exc:
        return _members_page(
            request,
            ctx,
            status_code=exc.status,
            form={"email": email, "name": name, "role": role},
            errors=field_errors(locale_of(request), exc),
        )
    return RedirectResponse("/settings/members?done=invited", status_code=303)


@router.post("/members/{membership_id}/role", dependencies=[Depends(verify_csrf)])
def change_role(
    request: Request,
    ctx: MemberManager,
    membership_id: uuid.UUID,
    role: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        with ctx.transaction() as session:
            service.do_change_role(session, ctx.org_actor, membership_id, _parse_role(role))
    except NotFound:
        raise
    except KohtaamoError as exc:
        message = " ".join(field_errors(locale_of(request), exc).values())
        if is_htmx(request):
            # htmx swaps only 2xx answers: the refusal is shown inside the row itself.
            return _member_row(request, ctx, membership_id, error=message)
        return _members_page(
            request, ctx, status_code=exc.status, row_errors={membership_id: message}
        )
    if is_htmx(request):
        return _member_row(request, ctx, membership_id)
    return RedirectResponse("/settings/members?done=role", status_code=303)


@router.post("/members/{membership_id}/disable", dependencies=[Depends(verify_csrf)])
def disable_member(request: Request, ctx: MemberManager, membership_id: uuid.UUID) -> Response:
    try:
        with ctx.transaction() as session:
            service.do_disable_member(session, ctx.org_actor, membership_id)
    except NotFound:
        raise
    except KohtaamoError as exc:
        message = " ".join(field_errors(locale_of(request), exc).values())
        return _members_page(
            request, ctx, status_code=exc.status, row_errors={membership_id: message}
        )
    return RedirectResponse("/settings/members?done=disabled", status_code=303)
