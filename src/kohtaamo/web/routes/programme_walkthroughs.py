"""Walking the journey: the walkthroughs with what is due and overdue, the schedule form
(programme.edit), starting a walk and its checklist on a phone (walkthroughs.record),
each check saved on its own, finishing, and a failed check made an action."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.accounts import repository as accounts_repo
from kohtaamo.errors import KohtaamoError
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.kit.clock import utcnow
from kohtaamo.programme import walkthroughs
from kohtaamo.programme.models import WalkthroughCheck
from kohtaamo.programme.schemas import CheckIn, WalkthroughIn
from kohtaamo.programme.vocab import CHECK_RESULT_LABELS, WALKTHROUGH_KIND_LABELS, WalkthroughKind
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.journey_report import touchpoint_name
from kohtaamo.web.programme_view import pick
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.routes.settings import flash_of
from kohtaamo.web.validation import parsed

router = APIRouter(prefix="/programme/walkthroughs")

Viewer = Annotated[WebContext, Depends(page_permission("programme.view"))]
Editor = Annotated[WebContext, Depends(page_permission("programme.edit"))]
Walker = Annotated[WebContext, Depends(page_permission("walkthroughs.record"))]
DONE = {
    "scheduled": N_("The walkthrough was scheduled."),
    "saved": N_("The check was saved."),
    "finished": N_("The walk was finished; the next one is scheduled."),
    "action": N_("The failed check became an action."),
}


def _overview(
    request: Request,
    ctx: WebContext,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    flash: str | None = None,
) -> Response:
    locale = locale_of(request)
    today = utcnow().date()
    with ctx.transaction(readonly=True) as session:
        journeys = {j.id: j.name for j in journeys_repo.journeys(session)}
        people = {m.user_id: m.user.name for m in accounts_repo.members(session)}
        walks = [
            {
                "id": w.id,
                "title": w.title,
                "journey": journeys.get(w.journey_id, ""),
                "kind": gettext(locale, WALKTHROUGH_KIND_LABELS[WalkthroughKind(w.kind)]),
                "owner": people.get(w.owner_id, "") if w.owner_id else "",
                "due": w.next_due,
                "overdue": w.active and w.next_due < today,
                "active": w.active,
                "every": w.every_days,
            }
            for w in walkthroughs.listing(session)
        ]
        titles = {w["id"]: w["title"] for w in walks}
        runs = [
            {
                "id": r.id,
                "title": titles.get(r.walkthrough_id, ""),
                "due": r.due_on,
                "finished": r.finished_at,
                "by": people.get(r.performed_by, "") if r.performed_by else "",
            }
            for r in walkthroughs.recent_runs(session)
        ]
        choices = {
            "journeys": [(str(k), v) for k, v in journeys.items()],
            "people": [(str(k), v) for k, v in people.items()],
            "kinds": [(k.value, gettext(locale, v)) for k, v in WALKTHROUGH_KIND_LABELS.items()],
        }
    return render(
        request,
        "programme/walkthroughs.html",
        active="programme",
        walks=walks,
        runs=runs,
        choices=choices,
        values=values or {"every_days": "90"},
        errors=errors or {},
        status_code=status_code,
        flash=flash,
    )


@router.get("", response_class=HTMLResponse)
def overview(request: Request, ctx: Viewer, done: str | None = None) -> Response:
    return _overview(request, ctx, flash=flash_of(request, done, DONE))


@router.post("", dependencies=[Depends(verify_csrf)])
def schedule(
    request: Request,
    ctx: Editor,
    title: Annotated[str, Form(max_length=400)] = "",
    kind: Annotated[str, Form(max_length=20)] = "walkthrough",
    journey_id: Annotated[str, Form(max_length=40)] = "",
    owner_id: Annotated[str, Form(max_length=40)] = "",
    every_days: Annotated[str, Form(max_length=6)] = "",
    first_due: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    values = {
        "title": title,
        "kind": kind,
        "journey_id": journey_id,
        "owner_id": owner_id,
        "every_days": every_days,
        "first_due": first_due,
    }
    try:
        data = parsed(WalkthroughIn, {k: v for k, v in values.items() if v})
        with ctx.transaction() as session:
            walkthroughs.schedule(session, data, ctx.org_actor)
    except KohtaamoError as exc:
        return _overview(
            request,
            ctx,
            values=values,
            errors=field_errors(locale_of(request), exc),
            status_code=exc.status,
        )
    return RedirectResponse("/programme/walkthroughs?done=scheduled", status_code=303)


@router.post("/{walkthrough_id}/start", dependencies=[Depends(verify_csrf)])
def start(ctx: Walker, walkthrough_id: uuid.UUID) -> Response:
    with ctx.transaction() as session:
        run_id = walkthroughs.start_run(session, walkthrough_id, ctx.org_actor).id
    return RedirectResponse(f"/programme/walkthroughs/runs/{run_id}", status_code=303)


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, ctx: Walker, run_id: uuid.UUID, done: str | None = None) -> Response:
    return _run_page(request, ctx, run_id, flash=flash_of(request, done, DONE))


def _run_page(
    request: Request,
    ctx: WebContext,
    run_id: uuid.UUID,
    *,
    flash: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    locale = locale_of(request)
    with ctx.transaction(readonly=True) as session:
        run = walkthroughs.get_run(session, run_id)
        walk = walkthroughs.get(session, run.walkthrough_id)
        saved = {(c.touchpoint_id, c.standard_id): c for c in walkthroughs.checks(session, run_id)}
        items = []
        for item in walkthroughs.checklist(session, run_id):
            rows: list[tuple[uuid.UUID | None, str]] = [
                (s.id, pick(locale, s.check_fi, s.check_en) or pick(locale, s.title_fi, s.title_en))
                for s in item.standards
            ] or [(None, gettext(locale, "The touchpoint as a whole"))]
            items.append(
                {
                    "touchpoint_id": item.touchpoint.id,
                    "name": touchpoint_name(item.touchpoint, locale),
                    "checks": [
                        {
                            "standard_id": sid,
                            "text": text,
                            "saved": saved.get((item.touchpoint.id, sid)),
                        }
                        for sid, text in rows
                    ],
                }
            )
    results = [(k.value, gettext(locale, v)) for k, v in CHECK_RESULT_LABELS.items()]
    return render(
        request,
        "programme/walkthrough_run.html",
        active="programme",
        run=run,
        walk=walk,
        items=items,
        results=results,
        errors=errors or {},
        flash=flash,
        status_code=status_code,
    )


@router.post("/runs/{run_id}/checks", dependencies=[Depends(verify_csrf)])
def save_check(
    request: Request,
    ctx: Walker,
    run_id: uuid.UUID,
    touchpoint_id: Annotated[str, Form(max_length=40)] = "",
    standard_id: Annotated[str, Form(max_length=40)] = "",
    result: Annotated[str, Form(max_length=8)] = "",
    note: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    try:
        data = parsed(
            CheckIn,
            {
                "touchpoint_id": touchpoint_id,
                "standard_id": standard_id or None,
                "result": result,
                "note": note,
            },
        )
        with ctx.transaction() as session:
            walkthroughs.record_check(session, run_id, data, ctx.org_actor)
    except KohtaamoError as exc:
        if exc.status == 404:
            raise
        return _run_page(
            request,
            ctx,
            run_id,
            errors=field_errors(locale_of(request), exc),
            status_code=exc.status,
        )
    return RedirectResponse(
        f"/programme/walkthroughs/runs/{run_id}?done=saved#tp-{touchpoint_id}", status_code=303
    )


@router.post("/runs/{run_id}/finish", dependencies=[Depends(verify_csrf)])
def finish(
    ctx: Walker, run_id: uuid.UUID, summary: Annotated[str, Form(max_length=8000)] = ""
) -> Response:
    with ctx.transaction() as session:
        walkthroughs.finish_run(session, run_id, summary, ctx.org_actor)
    return RedirectResponse("/programme/walkthroughs?done=finished", status_code=303)


@router.post("/checks/{check_id}/action", dependencies=[Depends(verify_csrf)])
def to_action(ctx: Editor, check_id: uuid.UUID) -> Response:
    with ctx.transaction() as session:
        walkthroughs.failed_to_action(session, check_id, ctx.org_actor)
        check = session.get(WalkthroughCheck, check_id)
        run_id = check.run_id if check else None
    return RedirectResponse(f"/programme/walkthroughs/runs/{run_id}?done=action", status_code=303)
