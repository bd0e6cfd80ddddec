"""The overview page: the organisation at a glance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from kohtaamo.web.deps import WebContext, page_permission
from kohtaamo.web.render import AREAS, render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request, ctx: Annotated[WebContext, Depends(page_permission("org.view"))]
) -> Response:
    areas = [area for area in AREAS if ctx.may(area.permission)]
    return render(request, "overview/index.html", active="overview", areas=areas)
