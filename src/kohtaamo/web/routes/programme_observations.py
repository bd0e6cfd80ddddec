"""Employees' observations: the board (``/programme/observations``), the quick form
(``/new``, usable on a phone), the submitter's own list (``/mine``), one observation with
its notes, votes and the manager's decision (``/{id}``)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.accounts import repository as accounts_repo
from kohtaamo.errors import KohtaamoError
from kohtaamo.http.context import locale_of, settings_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.programme import observations
from kohtaamo.programme.models import Observation, Standard
from kohtaamo.programme.schemas import DecisionIn, NoteIn, ObservationIn
from kohtaamo.programme.vocab import (
    OBSERVATION_KIND_LABELS,
    OBSERVATION_STATUS_LABELS,
    ObservationKind,
    ObservationStatus,
)
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.journey_report import touchpoint_name
from kohtaamo.web.programme_view import pick
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.routes.settings import flash_of
from kohtaamo.web.validation import parsed

router = APIRouter(prefix="/programme/observations")

Viewer = Annotated[WebContext, Depends(page_permission("programme.view"))]
Submitter = Annotated[WebContext, Depends(page_permission("observations.submit"))]
Decider = Annotated[WebContext, Depends(page_permission("programme.edit"))]
DONE = {
    "sent": N_("Thank you: your observation is on the board."),
    "decided": N_("The decision was saved and its submitter told."),
    "noted": N_("Your note was added."),
}


def _card(
    o: Observation, locale: str, tps: dict[uuid.UUID, str], people: dict[uuid.UUID, str]
) -> dict[str, Any]:
    return {
        "id": o.id,
        "number": o.number,
        "kind": gettext(locale, OBSERVATION_KIND_LABELS[ObservationKind(o.kind)]),
        "status": o.status,
        "status_label": gettext(locale, OBSERVATION_STATUS_LABELS[ObservationStatus(o.status)]),
        "touchpoint": tps.get(o.touchpoint_id, "") if o.touchpoint_id else "",
        "body": o.body,
        "votes": o.votes,
        "author": people.get(o.author_id, "") if o.author_id else "",
        "decision_note": o.decision_note,
        "redactions": o.redactions,
        "created": o.created_at,
    }


def _lookups(
    ctx: WebContext, locale: str, session: Any
) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, str]]:
    tps = {t.id: touchpoint_name(t, locale) for t in journeys_repo.touchpoints(session)}
    people = {m.user_id: m.user.name for m in accounts_repo.members(session)}
    return tps, people


def _statuses(locale: str) -> list[tuple[str, str]]:
    return [(s.value, gettext(locale, label)) for s, label in OBSERVATION_STATUS_LABELS.items()]


@router.get("", response_class=HTMLResponse)
def board(request: Request, ctx: Viewer, status: str = "", done: str | None = None) -> Response:
    locale = locale_of(request)
    chosen = status if status in {s.value for s in ObservationStatus} else ""
    with ctx.transaction(readonly=True) as session:
        tps, people = _lookups(ctx, locale, session)
        cards = [
            _card(o, locale, tps, people)
            for o in observations.board(session, status=chosen or None)
        ]
    return render(
        request,
        "programme/observations.html",
        active="programme",
        cards=cards,
        statuses=_statuses(locale),
        chosen=chosen,
        mine=False,
        flash=flash_of(request, done, DONE),
    )


@router.get("/mine", response_class=HTMLResponse)
def mine(request: Request, ctx: Submitter) -> Response:
    locale = locale_of(request)
    with ctx.transaction(readonly=True) as session:
        tps, people = _lookups(ctx, locale, session)
        cards = [
            _card(o, locale, tps, people)
            for o in observations.board(session, author_id=ctx.org_actor.user_id)
        ]
    return render(
        request,
        "programme/observations.html",
        active="programme",
        cards=cards,
        statuses=_statuses(locale),
        chosen="",
        mine=True,
        flash=None,
    )


def _new_page(
    request: Request,
    ctx: WebContext,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    locale = locale_of(request)
    with ctx.transaction(readonly=True) as session:
        tps = sorted(
            (str(t.id), touchpoint_name(t, locale)) for t in journeys_repo.touchpoints(session)
        )
    kinds = [(k.value, gettext(locale, label)) for k, label in OBSERVATION_KIND_LABELS.items()]
    return render(
        request,
        "programme/observation_new.html",
        active="programme",
        values=values,
        errors=errors or {},
        kinds=kinds,
        touchpoints=sorted(tps, key=lambda p: p[1]),
        status_code=status_code,
    )


@router.get("/new", response_class=HTMLResponse)
def new_form(request: Request, ctx: Submitter) -> Response:
    return _new_page(request, ctx, {"kind": "said", "touchpoint_id": "", "body": ""})


@router.post("/new", dependencies=[Depends(verify_csrf)])
def submit(
    request: Request,
    ctx: Submitter,
    kind: Annotated[str, Form(max_length=20)] = "",
    touchpoint_id: Annotated[str, Form(max_length=40)] = "",
    body: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    values = {"kind": kind, "touchpoint_id": touchpoint_id, "body": body}
    try:
        data = parsed(
            ObservationIn, {"kind": kind, "touchpoint_id": touchpoint_id or None, "body": body}
        )
        with ctx.transaction() as session:
            row = observations.submit(session, data, ctx.org_actor)
            row_id = row.id
    except KohtaamoError as exc:
        return _new_page(request, ctx, values, field_errors(locale_of(request), exc), exc.status)
    return RedirectResponse(f"/programme/observations/{row_id}?done=sent", status_code=303)


def _detail(
    request: Request,
    ctx: WebContext,
    observation_id: uuid.UUID,
    *,
    flash: str | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    locale = locale_of(request)
    with ctx.transaction(readonly=True) as session:
        row = observations.get(session, observation_id)
        tps, people = _lookups(ctx, locale, session)
        card = _card(row, locale, tps, people)
        notes = [
            {
                "author": people.get(n.author_id, "") if n.author_id else "",
                "body": n.body,
                "at": n.created_at,
            }
            for n in observations.notes(session, observation_id)
        ]
        action = observations.action_of(session, observation_id)
        standard = session.get(Standard, row.standard_id) if row.standard_id else None
        standards = sorted(
            (str(s.id), pick(locale, s.title_fi, s.title_en)) for s in session.query(Standard).all()
        )
        decided = row.status in observations.DECIDED
    outcomes = [
        (s.value, gettext(locale, OBSERVATION_STATUS_LABELS[s]))
        for s in (
            ObservationStatus.ACTION,
            ObservationStatus.STANDARD,
            ObservationStatus.DECLINED,
            ObservationStatus.DISCUSSED,
        )
    ]
    return render(
        request,
        "programme/observation.html",
        active="programme",
        card=card,
        notes=notes,
        action=action,
        standard=pick(locale, standard.title_fi, standard.title_en) if standard else "",
        standards=standards,
        outcomes=outcomes,
        decided=decided,
        flash=flash,
        errors=errors or {},
        form=form or {},
        status_code=status_code,
    )


@router.get("/{observation_id}", response_class=HTMLResponse)
def detail(
    request: Request, ctx: Viewer, observation_id: uuid.UUID, done: str | None = None
) -> Response:
    return _detail(request, ctx, observation_id, flash=flash_of(request, done, DONE))


@router.post("/{observation_id}/vote", dependencies=[Depends(verify_csrf)])
def vote(ctx: Submitter, observation_id: uuid.UUID) -> Response:
    with ctx.transaction() as session:
        observations.toggle_vote(session, observation_id, ctx.org_actor)
    return RedirectResponse(f"/programme/observations/{observation_id}", status_code=303)


@router.post("/{observation_id}/notes", dependencies=[Depends(verify_csrf)])
def add_note(
    request: Request,
    ctx: Submitter,
    observation_id: uuid.UUID,
    body: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    try:
        data = parsed(NoteIn, {"body": body})
        with ctx.transaction() as session:
            observations.add_note(session, observation_id, data, ctx.org_actor)
    except KohtaamoError as exc:
        if exc.status == 404:
            raise
        return _detail(
            request,
            ctx,
            observation_id,
            errors=field_errors(locale_of(request), exc),
            form={"note_body": body},
            status_code=exc.status,
        )
    return RedirectResponse(f"/programme/observations/{observation_id}?done=noted", status_code=303)


@router.post("/{observation_id}/decision", dependencies=[Depends(verify_csrf)])
def decide(
    request: Request,
    ctx: Decider,
    observation_id: uuid.UUID,
    outcome: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=8000)] = "",
    action_title: Annotated[str, Form(max_length=600)] = "",
    standard_id: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    form = {
        "outcome": outcome,
        "note": note,
        "action_title": action_title,
        "standard_id": standard_id,
    }
    try:
        data = parsed(
            DecisionIn,
            {
                "outcome": outcome or "new",
                "note": note,
                "action_title": action_title,
                "standard_id": standard_id or None,
            },
        )
        with ctx.transaction() as session:
            observations.decide(
                session, observation_id, data, ctx.org_actor, base_url=settings_of(request).base_url
            )
    except KohtaamoError as exc:
        if exc.status == 404:
            raise
        return _detail(
            request,
            ctx,
            observation_id,
            errors=field_errors(locale_of(request), exc),
            form=form,
            status_code=exc.status,
        )
    return RedirectResponse(
        f"/programme/observations/{observation_id}?done=decided", status_code=303
    )
