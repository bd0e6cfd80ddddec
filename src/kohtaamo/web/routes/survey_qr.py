"""QR codes of a survey's public link, as SVG (print) and PNG (documents), to download.

``?scale=`` sets the size (pixels per module for PNG, units for SVG); each
``?hidden.<key>=value`` adds a value of the survey's hidden question ``<key>`` to the
link, so that one survey gets one code per physical touchpoint (``?hidden.store=tampere``).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from kohtaamo.errors import NotFound
from kohtaamo.http.context import settings_of
from kohtaamo.surveys import qr, service
from kohtaamo.surveys import repository as repo
from kohtaamo.web.deps import WebContext, page_permission

router = APIRouter(prefix="/feedback/surveys")

Viewer = Annotated[WebContext, Depends(page_permission("feedback.view"))]
Scale = Annotated[int, Query(ge=qr.MIN_SCALE, le=qr.MAX_SCALE)]
HIDDEN_PREFIX = "hidden."


def _link(request: Request, ctx: Viewer, survey_id: uuid.UUID) -> tuple[str, str]:
    """The survey's key and the public link the code encodes (hidden values checked)."""
    hidden = {
        name[len(HIDDEN_PREFIX) :]: value
        for name, value in request.query_params.multi_items()
        if name.startswith(HIDDEN_PREFIX)
    }
    with ctx.transaction(readonly=True) as session:
        survey = service.get_survey(session, ctx.org_actor, survey_id)
        version = (
            repo.version(session, survey.id, survey.live_version)
            if survey.live_version is not None
            else None
        ) or repo.latest_version(session, survey.id)
        if hidden:
            if version is None:  # pragma: no cover - a survey is made with version 1
                raise NotFound("No such survey version.")
            hidden = qr.check_hidden(service.definition_of(version), hidden)
        key, slug = survey.key, survey.slug
    return key, qr.public_link(settings_of(request).base_url, slug, hidden)


def _download(body: bytes, media_type: str, name: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get("/{survey_id}/qr.svg")
def qr_svg(
    request: Request, ctx: Viewer, survey_id: uuid.UUID, scale: Scale = qr.DEFAULT_SCALE
) -> Response:
    key, url = _link(request, ctx, survey_id)
    return _download(qr.qr_svg(url, scale), "image/svg+xml", f"kohtaamo-{key}.svg")


@router.get("/{survey_id}/qr.png")
def qr_png(
    request: Request, ctx: Viewer, survey_id: uuid.UUID, scale: Scale = qr.DEFAULT_SCALE
) -> Response:
    key, url = _link(request, ctx, survey_id)
    return _download(qr.qr_png(url, scale), "image/png", f"kohtaamo-{key}.png")
