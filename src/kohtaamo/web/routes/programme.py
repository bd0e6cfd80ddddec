"""The programme page (``/programme``, programme.view): the pyramid drawn with the live
standing of every part, the elements with their standards and measures (value, interval,
target, standing), and the actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.kit.clock import utcnow
from kohtaamo.programme.status import programme_status
from kohtaamo.programme.tree import load_pyramid
from kohtaamo.programme.vocab import ACTION_STATUS_LABELS
from kohtaamo.web import programme_view as pv
from kohtaamo.web.analytics_view import analytics_source
from kohtaamo.web.deps import WebContext, page_permission
from kohtaamo.web.journey_report import touchpoint_name
from kohtaamo.web.render import render
from kohtaamo.web.routes.settings import flash_of

router = APIRouter()

Viewer = Annotated[WebContext, Depends(page_permission("programme.view"))]
DONE = {
    "elements": N_("The element was added."),
    "standards": N_("The standard was added."),
    "measures": N_("The measure was added; its standing shows below."),
    "actions": N_("The action was added."),
    "moved": N_("The action was moved."),
}


@router.get("/programme", response_class=HTMLResponse)
def programme_page(request: Request, ctx: Viewer, done: str | None = None) -> Response:
    locale = locale_of(request)
    today = utcnow().date()
    with ctx.transaction(readonly=True) as session:
        pyramid = load_pyramid(session)
        scopes = {t.id: touchpoint_name(t, locale) for t in journeys_repo.touchpoints(session)}
        scopes |= {j.id: j.name for j in journeys_repo.journeys(session)}
    status = programme_status(
        analytics_source(request),
        ctx.org_actor.organisation_id,
        pyramid,
        today=today,
        with_trend=False,
    )
    return render(
        request,
        "programme/index.html",
        active="programme",
        bands=pv.picture(locale, pyramid, status, today),
        width=pv.WIDTH,
        height=pv.BAND_HEIGHT * len(pv.BANDS),
        elements=pv.element_rows(locale, pyramid, status, scopes),
        actions=pv.action_rows(locale, pyramid.actions, today),
        counts={k.value: v for k, v in status.counts.items()},
        overall=pv.overall(status).value,
        action_statuses=[
            (s.value, gettext(locale, label)) for s, label in ACTION_STATUS_LABELS.items()
        ],
        flash=flash_of(request, done, DONE),
    )
