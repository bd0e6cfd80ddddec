"""The journey editor: the journey's details, its stages in order, and the touchpoints
placed on each stage.

Every change is a plain form POST answered with a redirect back to the editor, so the
page works without JavaScript (up/down buttons order stages and touchpoints). The drag
and drop script (``static/journeys-editor.js``) posts to the same addresses with the
CSRF header and swaps in the editor it gets back.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.errors import InvalidInput, KohtaamoError, NotFound
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_
from kohtaamo.journeys import journeymap, service
from kohtaamo.journeys.schemas import JourneyUpdate, PlacementIn, StageIn, StageOrder, StageUpdate
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.journey_report import meta_of
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.routes.journeys import optional_id, stage_name, validated
from kohtaamo.web.routes.settings import flash_of

router = APIRouter(prefix="/journeys/{journey_id}")

Editor = Annotated[WebContext, Depends(page_permission("journeys.edit"))]

DONE = {
    "created": N_("The journey was created. Add its stages and touchpoints."),
    "saved": N_("The journey was saved."),
    "stage-added": N_("The stage was added."),
    "stage-saved": N_("The stage was renamed."),
    "stage-deleted": N_("The stage was deleted."),
    "moved": N_("The order was saved."),
    "placed": N_("The touchpoint was placed on the stage."),
    "removed": N_("The touchpoint was taken off this journey."),
}
Direction = Literal["up", "down", ""]


def _editor(
    request: Request,
    ctx: WebContext,
    journey_id: uuid.UUID,
    *,
    status_code: int = 200,
    flash: str | None = None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    error_at: str = "",
) -> Response:
    """The editor page; ``error_at`` names the form (e.g. ``stage-<id>``) the errors belong to."""
    locale = locale_of(request)
    with ctx.transaction(readonly=True) as session:
        found = journeymap.journey_view(session, ctx.org_actor, journey_id)
        teams = service.list_teams(session, ctx.org_actor)
        team_names = {t.id: t.name for t in teams}
        catalogue = {
            t.id: meta_of(t, team_names, locale)
            for t in service.list_touchpoints(session, ctx.org_actor)
        }
        journey = found.journey
        stages: list[dict[str, Any]] = [
            {
                "id": stage.id,
                "name": stage_name(stage, locale),
                "name_fi": stage.name_fi,
                "name_en": stage.name_en,
                "touchpoints": [catalogue[p.touchpoint_id] for p, _key in placed],
            }
            for stage, placed in found.stages
        ]
        placed_ids = {tp.id for s in stages for tp in s["touchpoints"]}
        details = {
            "id": journey.id,
            "name": journey.name,
            "key": journey.key,
            "description": journey.description,
            "owner_team_id": str(journey.owner_team_id or ""),
            "target_segment": journey.target_segment or "",
        }
    unplaced = sorted(
        (m for i, m in catalogue.items() if i not in placed_ids), key=lambda m: m.name.lower()
    )
    return render(
        request,
        "journeys/edit.html",
        status_code=status_code,
        active="journeys",
        journey=details,
        stages=stages,
        unplaced=unplaced,
        unplaced_options=[(m.id, f"{m.icon} {m.name} ({m.team})") for m in unplaced],
        stage_options=[(s["id"], s["name"]) for s in stages],
        teams=[(t.id, t.name) for t in teams],
        flash=flash,
        form=form or {},
        errors=errors or {},
        error_at=error_at,
    )


def _back(journey_id: uuid.UUID, done: str, anchor: str = "") -> Response:
    target = f"/journeys/{journey_id}/edit?done={done}" + (f"#{anchor}" if anchor else "")
    return RedirectResponse(target, status_code=303)


def _refused(
    request: Request,
    ctx: WebContext,
    journey_id: uuid.UUID,
    exc: KohtaamoError,
    error_at: str,
    form: dict[str, Any] | None = None,
) -> Response:
    if isinstance(exc, NotFound):
        raise exc
    return _editor(
        request,
        ctx,
        journey_id,
        status_code=exc.status,
        form=form,
        errors=field_errors(locale_of(request), exc),
        error_at=error_at,
    )


@router.get("/edit", response_class=HTMLResponse)
def edit_journey(
    request: Request, ctx: Editor, journey_id: uuid.UUID, done: str | None = None
) -> Response:
    return _editor(request, ctx, journey_id, flash=flash_of(request, done, DONE))


@router.post("/edit", dependencies=[Depends(verify_csrf)])
def save_journey(
    request: Request,
    ctx: Editor,
    journey_id: uuid.UUID,
    name: Annotated[str, Form(max_length=200)] = "",
    owner_team_id: Annotated[str, Form(max_length=40)] = "",
    target_segment: Annotated[str, Form(max_length=80)] = "",
    description: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    form = {
        "name": name,
        "owner_team_id": owner_team_id,
        "target_segment": target_segment,
        "description": description,
    }
    try:
        data = validated(
            JourneyUpdate,
            {
                "name": name,
                "owner_team_id": optional_id(owner_team_id, "owner_team_id"),
                "target_segment": target_segment.strip() or None,
                "description": description,
            },
        )
        with ctx.transaction() as session:
            journeymap.do_update_journey(session, ctx.org_actor, journey_id, data)
    except KohtaamoError as exc:
        return _refused(request, ctx, journey_id, exc, "details", form)
    return _back(journey_id, "saved")


@router.post("/delete", dependencies=[Depends(verify_csrf)])
def delete_journey(ctx: Editor, journey_id: uuid.UUID) -> Response:
    with ctx.transaction() as session:
        journeymap.do_delete_journey(session, ctx.org_actor, journey_id)
    return RedirectResponse("/journeys?done=deleted", status_code=303)


# --- stages -----------------------------------------------------------------------------------


@router.post("/stages", dependencies=[Depends(verify_csrf)])
def add_stage(
    request: Request,
    ctx: Editor,
    journey_id: uuid.UUID,
    name_fi: Annotated[str, Form(max_length=120)] = "",
    name_en: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    form = {"name_fi": name_fi, "name_en": name_en}
    try:
        data = validated(StageIn, form)
        with ctx.transaction() as session:
            stage = journeymap.do_add_stage(session, ctx.org_actor, journey_id, data)
            stage_id = stage.id
    except KohtaamoError as exc:
        return _refused(request, ctx, journey_id, exc, "new-stage", form)
    return _back(journey_id, "stage-added", f"stage-{stage_id}")


@router.post("/stages/{stage_id}", dependencies=[Depends(verify_csrf)])
def rename_stage(
    request: Request,
    ctx: Editor,
    journey_id: uuid.UUID,
    stage_id: uuid.UUID,
    name_fi: Annotated[str, Form(max_length=120)] = "",
    name_en: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    form = {"name_fi": name_fi, "name_en": name_en}
    try:
        data = validated(StageUpdate, {k: v.strip() for k, v in form.items()})
        with ctx.transaction() as session:
            journeymap.do_update_stage(session, ctx.org_actor, journey_id, stage_id, data)
    except KohtaamoError as exc:
        return _refused(request, ctx, journey_id, exc, f"stage-{stage_id}", form)
    return _back(journey_id, "stage-saved", f"stage-{stage_id}")


@router.post("/stages/{stage_id}/delete", dependencies=[Depends(verify_csrf)])
def delete_stage(ctx: Editor, journey_id: uuid.UUID, stage_id: uuid.UUID) -> Response:
    with ctx.transaction() as session:
        journeymap.do_delete_stage(session, ctx.org_actor, journey_id, stage_id)
    return _back(journey_id, "stage-deleted", "stages")


def _target_position(current: int, size: int, direction: str, position: str) -> int:
    if direction == "up":
        return max(current - 1, 0)
    if direction == "down":
        return min(current + 1, size - 1)
    try:
        wanted = int(position)
    except ValueError:
        raise InvalidInput("Choose where to move it.", field="position") from None
    return max(0, min(wanted, size - 1))


@router.post("/stages/{stage_id}/move", dependencies=[Depends(verify_csrf)])
def move_stage(
    request: Request,
    ctx: Editor,
    journey_id: uuid.UUID,
    stage_id: uuid.UUID,
    direction: Annotated[Direction, Form()] = "",
    position: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    """Move a stage one step (buttons) or to a position (drag and drop)."""
    try:
        with ctx.transaction() as session:
            ids = [s.id for s in journeymap.get_journey(session, ctx.org_actor, journey_id).stages]
            if stage_id not in ids:
                raise NotFound("No such stage.")
            at = _target_position(ids.index(stage_id), len(ids), direction, position)
            ids.remove(stage_id)
            ids.insert(at, stage_id)
            journeymap.do_reorder_stages(
                session, ctx.org_actor, journey_id, StageOrder(stage_ids=ids)
            )
    except KohtaamoError as exc:
        return _refused(request, ctx, journey_id, exc, f"stage-{stage_id}")
    return _back(journey_id, "moved", f"stage-{stage_id}")


# --- touchpoints on stages -------------------------------------------------------------------


@router.post("/placements", dependencies=[Depends(verify_csrf)])
def place_touchpoint(
    request: Request,
    ctx: Editor,
    journey_id: uuid.UUID,
    touchpoint_id: Annotated[str, Form(max_length=40)] = "",
    stage_id: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Place a touchpoint of the catalogue on a stage (last on it)."""
    form = {"touchpoint_id": touchpoint_id, "stage_id": stage_id}
    try:
        tp = optional_id(touchpoint_id, "touchpoint_id")
        stage = optional_id(stage_id, "stage_id")
        if tp is None:
            raise InvalidInput("Choose a touchpoint.", field="touchpoint_id")
        if stage is None:
            raise InvalidInput("Choose a stage of this journey.", field="stage_id")
        with ctx.transaction() as session:
            journeymap.get_journey(session, ctx.org_actor, journey_id)  # 404 before 400
            journeymap.do_place_touchpoint(
                session, ctx.org_actor, journey_id, tp, PlacementIn(stage_id=stage)
            )
    except KohtaamoError as exc:
        return _refused(request, ctx, journey_id, exc, "place", form)
    return _back(journey_id, "placed", f"stage-{stage}")


@router.post("/placements/{touchpoint_id}/move", dependencies=[Depends(verify_csrf)])
def move_touchpoint(
    request: Request,
    ctx: Editor,
    journey_id: uuid.UUID,
    touchpoint_id: uuid.UUID,
    direction: Annotated[Direction, Form()] = "",
    stage_id: Annotated[str, Form(max_length=40)] = "",
    position: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    """Up/down within its stage (buttons), or to a stage and position (select, drag)."""
    try:
        with ctx.transaction() as session:
            view = journeymap.journey_view(session, ctx.org_actor, journey_id)
            where = next(
                (
                    (stage.id, [p.touchpoint_id for p, _ in placed])
                    for stage, placed in view.stages
                    if any(p.touchpoint_id == touchpoint_id for p, _ in placed)
                ),
                None,
            )
            if where is None:
                raise NotFound("This touchpoint is not on this journey.")
            current_stage, row = where
            target: uuid.UUID = current_stage
            at: int | None
            if direction:
                at = _target_position(row.index(touchpoint_id), len(row), direction, "")
            else:
                target = optional_id(stage_id, "stage_id") or current_stage
                at = _target_position(0, 10_000, "", position) if position else None
            journeymap.do_place_touchpoint(
                session,
                ctx.org_actor,
                journey_id,
                touchpoint_id,
                PlacementIn(stage_id=target, position=at),
            )
    except KohtaamoError as exc:
        return _refused(request, ctx, journey_id, exc, f"tp-{touchpoint_id}")
    return _back(journey_id, "moved", f"tp-{touchpoint_id}")


@router.post("/placements/{touchpoint_id}/remove", dependencies=[Depends(verify_csrf)])
def remove_touchpoint(ctx: Editor, journey_id: uuid.UUID, touchpoint_id: uuid.UUID) -> Response:
    with ctx.transaction() as session:
        journeymap.do_remove_touchpoint(session, ctx.org_actor, journey_id, touchpoint_id)
    return _back(journey_id, "removed", "stages")
