"""E-mail invitations of a survey, and the public opt-out page.

``/feedback/surveys/{id}/invitations``: counts by status (a bar chart and a table),
the invitations page by page, and a form sending a campaign to a segment or to pasted
customer ids. ``/s/optout/{token}``: the link in every invitation; a button confirms
(no JavaScript), and the link's token is the credential, as on the survey page. The
trigger pages are in ``survey_triggers``, whose router this one includes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from kohtaamo.errors import InvalidInput, KohtaamoError, NotFound
from kohtaamo.http.context import database, locale_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.surveys import campaigns, invitations
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys.catalogue import LANGUAGES
from kohtaamo.surveys.models import SurveyInvitation
from kohtaamo.surveys.service import get_survey
from kohtaamo.web import charts
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.respond_view import render_respondent
from kohtaamo.web.routes import survey_triggers

router = APIRouter()
router.include_router(survey_triggers.router)

Viewer = Annotated[WebContext, Depends(page_permission("feedback.view"))]
Editor = Annotated[WebContext, Depends(page_permission("feedback.edit"))]

PAGE_SIZE = 50
STATUS_LABELS = {
    "queued": N_("Queued"),
    "sent": N_("Sent"),
    "opened": N_("Opened"),
    "started": N_("Started"),
    "finished": N_("Answered"),
    "bounced": N_("Bounced"),
    "opted_out": N_("Opted out"),
    "failed": N_("Failed"),
}
SKIP_LABELS = {
    "unknown_customer": N_("no such customer id"),
    "no_email": N_("no e-mail address"),
    "opted_out": N_("opted out of surveys"),
    "bounced": N_("the address bounced earlier"),
    "no_consent": N_("no consent to surveys"),
    "quiet_period": N_("invited recently (quiet period)"),
    "same_address": N_("another customer with the same address was invited"),
}
# Each language named in itself, as the language switcher does.
LANGUAGE_NAMES = {"fi": "Suomi", "en": "English", "sv": "Svenska"}


def status_chart_spec(locale: str, counts: dict[str, int]) -> charts.Spec:
    """Invitations by status as horizontal bars, in the order an invitation moves."""
    rows = [
        {
            "status": gettext(locale, STATUS_LABELS[s]),
            "n": n,
            "label": charts.number(locale, n),
            "order": i,
        }
        for i, (s, n) in enumerate(counts.items())
    ]
    title = gettext(locale, "Invitations by status")
    return {
        "$schema": charts.SCHEMA,
        "description": title,
        "width": "container",
        "height": 26 * len(rows),
        "autosize": {"type": "fit-x", "contains": "padding"},
        "background": None,
        "config": {"font": charts.FONT, "view": {"stroke": None}},
        "data": {"values": rows},
        "encoding": {
            "y": {"field": "status", "type": "nominal", "sort": {"field": "order"}, "title": None},
            "x": {
                "field": "n",
                "type": "quantitative",
                "title": gettext(locale, "Invitations"),
                "axis": {"tickCount": 4, "tickMinStep": 1},
            },
        },
        "layer": [
            {"mark": {"type": "bar", "cornerRadiusEnd": 3, "color": charts.BRAND}},
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "color": "#1d2731"},
                "encoding": {"text": {"field": "label"}},
            },
        ],
    }


@dataclass(frozen=True)
class InvitationRow:
    email: str
    status: str
    language: str
    campaign: str
    created_at: Any
    sent_at: Any
    reminders: int


def _row(locale: str, i: SurveyInvitation) -> InvitationRow:
    origin = i.campaign or (gettext(locale, "Trigger") if i.trigger_id else "")
    return InvitationRow(
        i.email,
        gettext(locale, STATUS_LABELS.get(i.status, i.status)),
        i.language,
        origin,
        i.created_at,
        i.sent_at,
        i.reminders_sent,
    )


def _invitations_page(
    request: Request,
    ctx: WebContext,
    survey_id: uuid.UUID,
    page: int = 1,
    *,
    status_code: int = 200,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    result: campaigns.CampaignResult | None = None,
) -> Response:
    locale = locale_of(request)
    with ctx.transaction(readonly=True) as session:
        survey = get_survey(session, ctx.org_actor, survey_id)
        counts = invitations.status_counts(session, survey.id)
        items, total = invitations.page_of_invitations(
            session, survey.id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        segments = campaigns.segments(session, ctx.org_actor)
    skipped = [
        (gettext(locale, SKIP_LABELS.get(reason, reason)), n)
        for reason, n in sorted((result.skipped if result else {}).items())
    ]
    return render(
        request,
        "surveys/invitations.html",
        status_code=status_code,
        active="feedback",
        survey=survey,
        counts=[(gettext(locale, STATUS_LABELS[s]), n) for s, n in counts.items()],
        total_invitations=sum(counts.values()),
        spec=status_chart_spec(locale, counts),
        rows=[_row(locale, i) for i in items],
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        segments=segments,
        languages=[(c, LANGUAGE_NAMES[c]) for c in LANGUAGES],
        can_edit=ctx.may("feedback.edit"),
        form=form or {"target": "segment", "quiet_days": "30"},
        errors=errors or {},
        result=result,
        skipped=skipped,
    )


BASE = "/feedback/surveys/{survey_id}"


@router.get(BASE + "/invitations", response_class=HTMLResponse)
def invitations_page(
    request: Request, ctx: Viewer, survey_id: uuid.UUID, page: Annotated[int, Query(ge=1)] = 1
) -> Response:
    return _invitations_page(request, ctx, survey_id, page)


def _ids(text: str) -> list[str]:
    return [part for part in text.replace(",", "\n").replace(";", "\n").split() if part]


@router.post(BASE + "/invitations", dependencies=[Depends(verify_csrf)])
def send_campaign(
    request: Request,
    ctx: Editor,
    survey_id: uuid.UUID,
    campaign: Annotated[str, Form(max_length=120)] = "",
    target: Annotated[str, Form(max_length=10)] = "segment",
    segment: Annotated[str, Form(max_length=80)] = "",
    customer_ids: Annotated[str, Form(max_length=200_000)] = "",
    language: Annotated[str, Form(max_length=8)] = "",
    quiet_days: Annotated[str, Form(max_length=5)] = "30",
) -> Response:
    form = {
        "campaign": campaign,
        "target": target,
        "segment": segment,
        "customer_ids": customer_ids,
        "language": language,
        "quiet_days": quiet_days,
    }
    try:
        if not quiet_days.strip().isdigit():
            raise InvalidInput("Give the quiet period in days (0 to 365).", field="quiet_days")
        with ctx.transaction() as session:
            result = campaigns.do_invite(
                session,
                ctx.org_actor,
                survey_id,
                segment=(segment or None) if target == "segment" else None,
                customer_external_ids=_ids(customer_ids) if target == "ids" else None,
                language=language or None,
                campaign=campaign,
                quiet_days=int(quiet_days),
            )
    except KohtaamoError as exc:
        if exc.status in (403, 404):
            raise
        errors = field_errors(locale_of(request), exc)
        return _invitations_page(
            request, ctx, survey_id, status_code=exc.status, form=form, errors=errors
        )
    return _invitations_page(request, ctx, survey_id, result=result)


# --- opting out (public) ----------------------------------------------------------------


def _optout(request: Request, token: str, *, confirm: bool) -> Response:
    lang = locale_of(request)
    try:
        slug = invitations.slug_of_token(token)
        org = _organisation_of(request, slug) if slug else None
        if org is None:
            raise NotFound("This link is not valid.")
        with database(request).transaction(org, readonly=not confirm) as session:
            invitation = invitations.invitation_for_optout(session, token)
            lang = invitation.language
            if confirm:
                invitations.do_opt_out(session, invitation)
    except KohtaamoError as exc:
        return render_respondent(
            request,
            "surveys/invitations_optout.html",
            lang,
            status_code=exc.status,
            error=gettext(lang, exc.message),
        )
    return render_respondent(
        request, "surveys/invitations_optout.html", lang, token=token, done=confirm, error=None
    )


def _organisation_of(request: Request, slug: str) -> uuid.UUID | None:
    with database(request).transaction(None, readonly=True) as session:
        return repo.organisation_of_slug(session, slug)


@router.get("/s/optout/{token}", response_class=HTMLResponse)
def optout_page(request: Request, token: str) -> Response:
    return _optout(request, token[:100], confirm=False)


@router.post("/s/optout/{token}")
def optout(request: Request, token: str) -> Response:
    # No CSRF token: the link's own token is the credential, and a page elsewhere that
    # knew it could as well follow the link itself.
    return _optout(request, token[:100], confirm=True)
