"""The recovery report (``/cases/recovery``, cases.view): time to acknowledge and to
resolve in working hours, SLA compliance, follow-up outcomes, the recovery paradox test
with its verdict, and the root causes; and the SLA settings form
(``/cases/settings/sla``, cases.configure)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from babel import Locale
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.cases import recovery, sla, sla_settings
from kohtaamo.cases.models import CaseSettings
from kohtaamo.errors import InvalidInput, KohtaamoError
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.kit.clock import utcnow
from kohtaamo.web import recovery_view as rv
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.routes.settings import flash_of

router = APIRouter(prefix="/cases")

Viewer = Annotated[WebContext, Depends(page_permission("cases.view"))]
Configurer = Annotated[WebContext, Depends(page_permission("cases.configure"))]

PERIODS: dict[str, tuple[str, int | None]] = {
    "90d": (N_("Last 90 days"), 90),
    "365d": (N_("Last 12 months"), 365),
    "all": (N_("All time"), None),
}
DEFAULT_PERIOD = "365d"
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
# Holiday calendars offered; names from CLDR in the reader's language (a msgid "Finland"
# would translate to "Suomi", the language switch's own word).
COUNTRIES = ("FI", "SE", "NO", "DK", "EE", "DE", "GB")
DONE = {"saved": N_("The SLA settings were saved.")}


@router.get("/recovery", response_class=HTMLResponse)
def recovery_page(request: Request, ctx: Viewer, period: str = DEFAULT_PERIOD) -> Response:
    if period not in PERIODS:
        raise InvalidInput("Choose one of the options.", field="period")
    locale = locale_of(request)
    days = PERIODS[period][1]
    since = utcnow() - timedelta(days=days) if days else None
    with ctx.transaction(readonly=True) as session:
        settings = sla.settings_of(session)
        resolve_hours = (
            sla.calendar_of(settings).day_length.total_seconds() / 3600 * settings.resolve_days
        )
        metrics = recovery.metrics(session, since=since)
        causes = recovery.root_causes(session, since=since)
        tps, themes = rv.cause_names(session, locale)
        view = rv.metrics_view(locale, metrics, settings.acknowledge_hours, resolve_hours)
        cause_view = rv.causes_view(locale, causes, tps, themes)
        sla_text = gettext(
            locale,
            "Service levels: acknowledge within %(hours)s working hours, resolve within "
            "%(days)s working days.",
            hours=settings.acknowledge_hours,
            days=settings.resolve_days,
        )
    return render(
        request,
        "cases/recovery.html",
        active="cases",
        period=period,
        periods=[(k, gettext(locale, v[0])) for k, v in PERIODS.items()],
        view=view,
        causes=cause_view,
        sla_text=sla_text,
    )


def _form_of(settings: CaseSettings) -> dict[str, Any]:
    return {
        "work_start": settings.work_start,
        "work_end": settings.work_end,
        "work_days": list(settings.work_days or []),
        "holiday_country": settings.holiday_country or "",
        "extra_holidays": "\n".join(settings.extra_holidays or []),
        "acknowledge_hours": str(settings.acknowledge_hours),
        "resolve_days": str(settings.resolve_days),
        "warn_before_hours": str(settings.warn_before_hours),
        "escalation_email": settings.escalation_email or "",
    }


def _sla_page(
    request: Request,
    ctx: WebContext,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    flash: str | None = None,
) -> Response:
    locale = locale_of(request)
    with ctx.transaction() as session:  # the first visit makes the defaults
        settings = sla.settings_of(session)
        current = _form_of(settings)
        timezone = settings.timezone
    countries = [(k, str(Locale.parse(locale).territories[k])) for k in COUNTRIES]
    chosen = (form or current)["holiday_country"]
    if chosen and chosen not in COUNTRIES:
        countries.append((chosen, chosen))
    return render(
        request,
        "cases/sla_settings.html",
        status_code=status_code,
        active="cases",
        form=form or current,
        errors=errors or {},
        flash=flash,
        weekdays=[(i, gettext(locale, d)) for i, d in enumerate(WEEKDAYS)],
        countries=countries,
        timezone=timezone,
    )


@router.get("/settings/sla", response_class=HTMLResponse)
def sla_settings_page(request: Request, ctx: Configurer, done: str | None = None) -> Response:
    return _sla_page(request, ctx, flash=flash_of(request, done, DONE))


@router.post("/settings/sla", dependencies=[Depends(verify_csrf)])
async def save_sla_settings(request: Request, ctx: Configurer) -> Response:
    raw = await request.form()
    text = {
        name: str(raw.get(name) or "")[:limit]
        for name, limit in (
            ("work_start", 10),
            ("work_end", 10),
            ("holiday_country", 4),
            ("extra_holidays", 4000),
            ("acknowledge_hours", 10),
            ("resolve_days", 10),
            ("warn_before_hours", 10),
            ("escalation_email", 254),
        )
    }
    days: list[int] = []
    for value in raw.getlist("work_days")[:7]:
        try:
            days.append(int(str(value)))
        except ValueError:
            days.append(-1)  # refused with the field's message below
    form = text | {"work_days": days}
    try:
        with ctx.transaction() as session:
            sla_settings.do_update(
                session, sla_settings.SlaSettingsIn(work_days=tuple(days), **text)
            )
    except KohtaamoError as exc:
        return _sla_page(
            request,
            ctx,
            form=form,
            errors=field_errors(locale_of(request), exc),
            status_code=exc.status,
        )
    return RedirectResponse("/cases/settings/sla?done=saved", status_code=303)
