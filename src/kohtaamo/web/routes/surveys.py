"""Surveys: the list with its chart and the "new survey" form.

One survey's overview (status, versions, details and distribution) is in
``survey_overview``, the builder in ``survey_builder``, responses and exports in
``survey_responses``; the import (``/feedback/import``), e-mail campaigns and triggers are
other modules. Helpers the survey page modules share live in ``survey_common``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.errors import InvalidInput, KohtaamoError
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import gettext
from kohtaamo.surveys import browse, service
from kohtaamo.surveys.catalogue import SurveyKind, SurveyStatus
from kohtaamo.surveys.schemas import SurveyIn, SurveyOut
from kohtaamo.web import charts
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.routes.settings import flash_of
from kohtaamo.web.routes.survey_common import (
    DONE,
    KIND_LABELS,
    STATUS_LABELS,
    checked,
    labels,
    touchpoint_options,
)
from kohtaamo.web.survey_forms import bank_options, starter_definition

router = APIRouter(prefix="/feedback")

Viewer = Annotated[WebContext, Depends(page_permission("feedback.view"))]
Editor = Annotated[WebContext, Depends(page_permission("feedback.edit"))]


@dataclass(frozen=True)
class SurveyRow:
    out: SurveyOut
    touchpoint: str
    last_response: datetime | None


def responses_spec(locale: str, rows: list[SurveyRow]) -> charts.Spec:
    """Finished responses per survey as horizontal bars (labels in the reader's language)."""
    title = gettext(locale, "Finished responses per survey")
    data = [
        {
            "name": r.out.name if len(r.out.name) <= 40 else r.out.name[:39] + "…",
            "finished": r.out.finished_responses,
            "label": charts.number(locale, r.out.finished_responses),
        }
        for r in rows
    ]
    top = max((r.out.finished_responses for r in rows), default=0)
    return {
        "$schema": charts.SCHEMA,
        "description": title,
        "width": "container",
        "height": max(60, 28 * len(data)),
        "autosize": {"type": "fit-x", "contains": "padding"},
        "background": None,
        "config": {"font": charts.FONT, "view": {"stroke": None}, "text": {"fontSize": 12}},
        "data": {"values": data},
        "encoding": {
            "y": {
                "field": "name",
                "type": "nominal",
                "sort": "-x",
                "title": None,
                "axis": {"labelLimit": {"expr": charts.LABEL_LIMIT}},
            },
            "x": {
                "field": "finished",
                "type": "quantitative",
                "title": gettext(locale, "Finished responses"),
                "axis": {"tickCount": 4, "tickMinStep": 1},
                "scale": {"domainMax": top * 1.4 if top else 1},
            },
        },
        "layer": [
            {
                "mark": {"type": "bar", "color": charts.BRAND, "cornerRadiusEnd": 3},
                "encoding": {
                    "tooltip": [
                        {"field": "name", "title": gettext(locale, "Survey")},
                        {"field": "label", "title": gettext(locale, "Finished responses")},
                    ]
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "color": "#1d2731"},
                "encoding": {"text": {"field": "label"}},
            },
        ],
    }


def _list_page(
    request: Request,
    ctx: WebContext,
    *,
    status: str = "",
    status_code: int = 200,
    flash: str | None = None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    locale = locale_of(request)
    wanted = status if status in {s.value for s in SurveyStatus} else ""
    with ctx.transaction(readonly=True) as session:
        tps = touchpoint_options(session, ctx.org_actor, locale)
        names = dict(tps)
        last = browse.last_response_at(session)
        rows = [
            SurveyRow(s, names.get(s.touchpoint or "", s.touchpoint or ""), last.get(s.id))
            for s in service.list_surveys(session, ctx.org_actor, status=wanted or None)
        ]
    return render(
        request,
        "surveys/index.html",
        status_code=status_code,
        active="feedback",
        rows=rows,
        status=wanted,
        status_options=labels(locale, STATUS_LABELS),
        status_label=lambda s: gettext(locale, STATUS_LABELS[SurveyStatus(s)]),
        kind_label=lambda k: gettext(locale, KIND_LABELS[SurveyKind(k)]),
        kind_options=labels(locale, KIND_LABELS),
        touchpoints=tps,
        bank=bank_options(locale),
        spec=responses_spec(locale, rows) if any(r.out.finished_responses for r in rows) else None,
        number=lambda n: charts.number(locale, n),
        can_edit=ctx.may("feedback.edit"),
        flash=flash,
        form=form or {"start": "empty", "kind": "touchpoint"},
        errors=errors or {},
    )


@router.get("", response_class=HTMLResponse)
def surveys(request: Request, ctx: Viewer, status: str = "", done: str | None = None) -> Response:
    return _list_page(request, ctx, status=status, flash=flash_of(request, done, DONE))


@router.post("", dependencies=[Depends(verify_csrf)])
def create_survey(
    request: Request,
    ctx: Editor,
    key: Annotated[str, Form(max_length=80)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=20)] = "touchpoint",
    touchpoint: Annotated[str, Form(max_length=80)] = "",
    start: Annotated[str, Form(max_length=20)] = "empty",
    bank_key: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    """Create a survey with one first question (empty start or from the question bank)."""
    if start == "import":
        return RedirectResponse("/feedback/import", status_code=303)
    form = {"key": key, "name": name, "kind": kind, "touchpoint": touchpoint, "start": start}
    form["bank_key"] = bank_key
    try:
        if start == "bank" and not bank_key:
            raise InvalidInput("Choose a question from the bank.", field="bank_key")
        definition = starter_definition(
            name.strip() or key, touchpoint or None, bank_key if start == "bank" else None
        )
        data = checked(
            SurveyIn,
            {
                "key": key.strip(),
                "name": name,
                "kind": kind,
                "touchpoint": touchpoint or None,
                "definition": definition,
            },
        )
        with ctx.transaction() as session:
            survey_id = service.do_create_survey(session, ctx.org_actor, data).id
    except KohtaamoError as exc:
        return _list_page(
            request,
            ctx,
            status_code=exc.status,
            form=form,
            errors=field_errors(locale_of(request), exc),
        )
    return RedirectResponse(f"/feedback/surveys/{survey_id}/edit?done=created", status_code=303)
