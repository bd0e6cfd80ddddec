"""One page per product area, guarded by the area's permission.

Until an issue builds an area, its page says what the area will hold. An issue that
builds one gives it its own module under ``web/routes/`` and drops it from ``PENDING``.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from kohtaamo.web.deps import page_permission
from kohtaamo.web.render import AREAS, NavItem, render

router = APIRouter()

PENDING: tuple[str, ...] = ()


def _empty_area_page(area: NavItem) -> Callable[[Request], Response]:
    def page(request: Request) -> Response:
        return render(request, "areas/empty.html", active=area.key, area=area)

    page.__name__ = f"{area.key}_page"
    return page


for _area in AREAS:
    if _area.key in PENDING:
        router.add_api_route(
            _area.path,
            _empty_area_page(_area),
            methods=["GET"],
            response_class=HTMLResponse,
            dependencies=[Depends(page_permission(_area.permission))],
            name=f"{_area.key}_page",
        )
