"""The touchpoint catalogue: every touchpoint with its channel, owner team, factor group,
criticality and the customer's expectation; filters in the query string; create, edit
and delete; and the owning teams (create, rename).

The filter form is a plain GET form; with htmx it swaps only the table
(``hx-select``), so a filtered view is always a link that can be shared.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.errors import KohtaamoError
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_
from kohtaamo.journeys import journeymap, service
from kohtaamo.journeys.catalogue import CHANNELS, FACTOR_GROUPS, Channel, FactorGroup
from kohtaamo.journeys.models import Touchpoint
from kohtaamo.journeys.schemas import TeamIn, TouchpointIn, TouchpointUpdate
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.journey_report import touchpoint_name
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.routes.journeys import optional_id, validated
from kohtaamo.web.routes.settings import flash_of

router = APIRouter(prefix="/journeys")

Viewer = Annotated[WebContext, Depends(page_permission("journeys.view"))]
Editor = Annotated[WebContext, Depends(page_permission("journeys.edit"))]

DONE = {
    "created": N_("The touchpoint was added to the catalogue."),
    "saved": N_("The touchpoint was saved."),
    "deleted": N_("The touchpoint was deleted."),
    "team-created": N_("The team was added."),
    "team-renamed": N_("The team was renamed."),
}
TOUCHPOINT_FIELDS = (
    "key",
    "name_fi",
    "name_en",
    "name_sv",
    "channel",
    "factor_group",
    "owner_team_id",
    "expectation",
)


@dataclass(frozen=True)
class TouchpointRow:
    id: uuid.UUID
    key: str
    name: str
    other_name: str
    icon: str
    channel: str
    team: str
    factor_group: str
    critical: bool
    expectation: str


def _choices(locale: str) -> dict[str, list[tuple[str, str]]]:
    return {
        "channels": [
            (c.value, f"{label.icon} {label.text(locale)}") for c, label in CHANNELS.items()
        ],
        "factor_groups": [(f.value, label.text(locale)) for f, label in FACTOR_GROUPS.items()],
    }


def _enum(cls: Any, value: str) -> Any:
    try:
        return cls(value) if value else None
    except ValueError:
        return None


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _catalogue_page(
    request: Request,
    ctx: WebContext,
    filters: dict[str, str],
    *,
    status_code: int = 200,
    flash: str | None = None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    error_at: str = "",
) -> Response:
    locale = locale_of(request)
    critical = {"yes": True, "no": False}.get(filters.get("critical", ""))
    with ctx.transaction(readonly=True) as session:
        teams = service.list_teams(session, ctx.org_actor)
        team_names = {t.id: t.name for t in teams}
        journeys = [(j.id, j.name) for j in journeymap.list_journeys(session, ctx.org_actor)]
        found = service.list_touchpoints(
            session,
            ctx.org_actor,
            channel=_enum(Channel, filters.get("channel", "")),
            team_id=_uuid(filters.get("team", "")),
            factor_group=_enum(FactorGroup, filters.get("factor_group", "")),
            journey_id=_uuid(filters.get("journey", "")),
            critical=critical,
        )
        rows = [_row(t, team_names, locale) for t in found]
    return render(
        request,
        "journeys/touchpoints.html",
        status_code=status_code,
        active="journeys",
        tab="touchpoints",
        touchpoints=rows,
        teams=[(t.id, t.name) for t in teams],
        journeys=journeys,
        filters=filters,
        can_edit=ctx.may("journeys.edit"),
        flash=flash,
        form=form or {},
        errors=errors or {},
        error_at=error_at,
        **_choices(locale),
    )


def _row(t: Touchpoint, teams: dict[uuid.UUID, str], locale: str) -> TouchpointRow:
    channel = CHANNELS[Channel(t.channel)]
    other = t.name_en if locale == "fi" else t.name_fi
    return TouchpointRow(
        t.id,
        t.key,
        touchpoint_name(t, locale),
        other if other != touchpoint_name(t, locale) else "",
        channel.icon,
        channel.text(locale),
        teams.get(t.owner_team_id, ""),
        FACTOR_GROUPS[FactorGroup(t.factor_group)].text(locale),
        t.critical,
        t.expectation,
    )


@router.get("/touchpoints", response_class=HTMLResponse)
def touchpoints(
    request: Request,
    ctx: Viewer,
    channel: Annotated[str, Query(max_length=40)] = "",
    team: Annotated[str, Query(max_length=40)] = "",
    factor_group: Annotated[str, Query(max_length=40)] = "",
    journey: Annotated[str, Query(max_length=40)] = "",
    critical: Annotated[str, Query(max_length=3)] = "",
    done: str | None = None,
) -> Response:
    filters = {
        "channel": channel,
        "team": team,
        "factor_group": factor_group,
        "journey": journey,
        "critical": critical,
    }
    return _catalogue_page(request, ctx, filters, flash=flash_of(request, done, DONE))


def _touchpoint_values(form: dict[str, str], critical: bool) -> dict[str, Any]:
    values: dict[str, Any] = {k: v.strip() for k, v in form.items()}
    values["owner_team_id"] = optional_id(form["owner_team_id"], "owner_team_id")
    values["critical"] = critical
    return values


@router.post("/touchpoints", dependencies=[Depends(verify_csrf)])
def create_touchpoint(
    request: Request,
    ctx: Editor,
    key: Annotated[str, Form(max_length=80)] = "",
    name_fi: Annotated[str, Form(max_length=200)] = "",
    name_en: Annotated[str, Form(max_length=200)] = "",
    name_sv: Annotated[str, Form(max_length=200)] = "",
    channel: Annotated[str, Form(max_length=40)] = "",
    factor_group: Annotated[str, Form(max_length=40)] = "",
    owner_team_id: Annotated[str, Form(max_length=40)] = "",
    expectation: Annotated[str, Form(max_length=4000)] = "",
    critical: Annotated[bool, Form()] = False,
) -> Response:
    form = dict(
        zip(
            TOUCHPOINT_FIELDS,
            (key, name_fi, name_en, name_sv, channel, factor_group, owner_team_id, expectation),
            strict=True,
        )
    )
    try:
        data = validated(TouchpointIn, _touchpoint_values(form, critical))
        with ctx.transaction() as session:
            service.do_create_touchpoint(session, ctx.org_actor, data)
    except KohtaamoError as exc:
        return _catalogue_page(
            request,
            ctx,
            {},
            status_code=exc.status,
            form=form | {"critical": critical},
            errors=field_errors(locale_of(request), exc),
            error_at="new",
        )
    return RedirectResponse("/journeys/touchpoints?done=created", status_code=303)


def _edit_page(
    request: Request,
    ctx: WebContext,
    touchpoint_id: uuid.UUID,
    *,
    status_code: int = 200,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    with ctx.transaction(readonly=True) as session:
        t = service.get_touchpoint(session, ctx.org_actor, touchpoint_id)
        current = {name: str(getattr(t, name) or "") for name in TOUCHPOINT_FIELDS}
        current["critical"] = t.critical  # type: ignore[assignment]
        teams = [(team.id, team.name) for team in service.list_teams(session, ctx.org_actor)]
        name = touchpoint_name(t, locale_of(request))
    return render(
        request,
        "journeys/touchpoint_edit.html",
        status_code=status_code,
        active="journeys",
        touchpoint_id=touchpoint_id,
        touchpoint_title=name,
        form=form or current,
        errors=errors or {},
        teams=teams,
        **_choices(locale_of(request)),
    )


@router.get("/touchpoints/{touchpoint_id}/edit", response_class=HTMLResponse)
def edit_touchpoint(request: Request, ctx: Editor, touchpoint_id: uuid.UUID) -> Response:
    return _edit_page(request, ctx, touchpoint_id)


@router.post("/touchpoints/{touchpoint_id}/edit", dependencies=[Depends(verify_csrf)])
def save_touchpoint(
    request: Request,
    ctx: Editor,
    touchpoint_id: uuid.UUID,
    name_fi: Annotated[str, Form(max_length=200)] = "",
    name_en: Annotated[str, Form(max_length=200)] = "",
    name_sv: Annotated[str, Form(max_length=200)] = "",
    channel: Annotated[str, Form(max_length=40)] = "",
    factor_group: Annotated[str, Form(max_length=40)] = "",
    owner_team_id: Annotated[str, Form(max_length=40)] = "",
    expectation: Annotated[str, Form(max_length=4000)] = "",
    critical: Annotated[bool, Form()] = False,
) -> Response:
    form = dict(
        zip(
            TOUCHPOINT_FIELDS[1:],
            (name_fi, name_en, name_sv, channel, factor_group, owner_team_id, expectation),
            strict=True,
        )
    )
    try:
        data = validated(TouchpointUpdate, _touchpoint_values(form, critical))
        with ctx.transaction() as session:
            service.do_update_touchpoint(session, ctx.org_actor, touchpoint_id, data)
    except KohtaamoError as exc:
        if exc.status == 404:
            raise
        return _edit_page(
            request,
            ctx,
            touchpoint_id,
            status_code=exc.status,
            form=form | {"critical": critical},
            errors=field_errors(locale_of(request), exc),
        )
    return RedirectResponse("/journeys/touchpoints?done=saved", status_code=303)


@router.post("/touchpoints/{touchpoint_id}/delete", dependencies=[Depends(verify_csrf)])
def delete_touchpoint(request: Request, ctx: Editor, touchpoint_id: uuid.UUID) -> Response:
    try:
        with ctx.transaction() as session:
            service.do_delete_touchpoint(session, ctx.org_actor, touchpoint_id)
    except KohtaamoError as exc:
        if exc.status == 404:
            raise
        return _edit_page(
            request,
            ctx,
            touchpoint_id,
            status_code=exc.status,
            errors={"delete": " ".join(field_errors(locale_of(request), exc).values())},
        )
    return RedirectResponse("/journeys/touchpoints?done=deleted", status_code=303)


# --- teams ----------------------------------------------------------------------------------


@router.post("/teams", dependencies=[Depends(verify_csrf)])
def create_team(
    request: Request, ctx: Editor, name: Annotated[str, Form(max_length=120)] = ""
) -> Response:
    try:
        data = validated(TeamIn, {"name": name})
        with ctx.transaction() as session:
            service.do_create_team(session, ctx.org_actor, data)
    except KohtaamoError as exc:
        return _catalogue_page(
            request,
            ctx,
            {},
            status_code=exc.status,
            form={"team_name": name},
            errors=field_errors(locale_of(request), exc),
            error_at="team",
        )
    return RedirectResponse("/journeys/touchpoints?done=team-created#teams", status_code=303)


@router.post("/teams/{team_id}", dependencies=[Depends(verify_csrf)])
def rename_team(
    request: Request,
    ctx: Editor,
    team_id: uuid.UUID,
    name: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    try:
        data = validated(TeamIn, {"name": name})
        with ctx.transaction() as session:
            service.do_rename_team(session, ctx.org_actor, team_id, data)
    except KohtaamoError as exc:
        if exc.status == 404:
            raise
        return _catalogue_page(
            request,
            ctx,
            {},
            status_code=exc.status,
            form={f"team-{team_id}": name},
            errors=field_errors(locale_of(request), exc),
            error_at=f"team-{team_id}",
        )
    return RedirectResponse("/journeys/touchpoints?done=team-renamed#teams", status_code=303)
