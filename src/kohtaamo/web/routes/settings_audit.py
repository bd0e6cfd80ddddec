"""Settings: the audit log (owners only): who viewed or exported personal data, changed
roles, API keys or webhooks; filter by action, page through, export as CSV (the export
is itself an entry)."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from kohtaamo.accounts import repository as accounts_repo
from kohtaamo.audit import service as audit
from kohtaamo.audit.models import AuditEvent
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import gettext
from kohtaamo.kit.clock import utcnow
from kohtaamo.web.deps import WebContext, page_permission
from kohtaamo.web.render import render

router = APIRouter(prefix="/settings")

Owner = Annotated[WebContext, Depends(page_permission("audit.view"))]
PAGE = 50
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class Entry:
    at: datetime
    action: str
    label: str
    who: str
    object_type: str
    object_id: str
    detail: str


def _entries(
    ctx: WebContext, locale: str, action: str | None, limit: int, offset: int
) -> tuple[list[Entry], int]:
    with ctx.transaction(readonly=True) as session:
        rows = audit.entries(session, action=action or None, limit=limit, offset=offset)
        total = audit.count(session, action=action or None)
        people = {m.user_id: m.user.name or m.user.email for m in accounts_repo.members(session)}
        keys = {k.id: f"kh_{k.prefix}_… ({k.name})" for k in accounts_repo.api_keys(session)}
    return [_entry(r, locale, people, keys) for r in rows], total


def _entry(
    row: AuditEvent,
    locale: str,
    people: dict[uuid.UUID, str],
    keys: dict[uuid.UUID, str],
) -> Entry:
    if row.actor_api_key_id is not None:
        who = keys.get(row.actor_api_key_id, gettext(locale, "a deleted API key"))
    elif row.actor_user_id is not None:
        who = people.get(row.actor_user_id, gettext(locale, "a former member"))
    else:
        who = gettext(locale, "the system")
    detail = ", ".join(f"{k}: {v}" for k, v in sorted(row.detail.items()))
    label = gettext(locale, audit.ACTIONS.get(row.action, row.action))
    return Entry(row.at, row.action, label, who, row.object_type, row.object_id, detail)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    ctx: Owner,
    action: Annotated[str, Query(max_length=60)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    locale = locale_of(request)
    action = action if action in audit.ACTIONS else ""
    entries, total = _entries(ctx, locale, action, PAGE, (page - 1) * PAGE)
    return render(
        request,
        "settings/audit.html",
        active="settings",
        entries=entries,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE)),
        action=action,
        actions=sorted(
            ((k, gettext(locale, v)) for k, v in audit.ACTIONS.items()), key=lambda p: p[1]
        ),
    )


@router.get("/audit.csv")
def audit_csv(
    request: Request, ctx: Owner, action: Annotated[str, Query(max_length=60)] = ""
) -> Response:
    locale = locale_of(request)
    action = action if action in audit.ACTIONS else ""
    with ctx.transaction() as session:
        audit.record(session, "audit.exported", ctx.actor, detail={"action": action or "all"})
    entries, _ = _entries(ctx, locale, action, EXPORT_LIMIT, 0)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at", "action", "label", "who", "object_type", "object_id", "detail"])
    for e in entries:
        writer.writerow(
            [e.at.isoformat(), e.action, e.label, e.who, e.object_type, e.object_id, e.detail]
        )
    name = f"kohtaamo-audit-{utcnow():%Y%m%d}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="{name}"',
            "cache-control": "no-store",
        },
    )
