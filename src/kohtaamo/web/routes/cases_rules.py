"""Case settings pages: the rule editor (``/cases/settings/rules``: list, create, edit,
switch on and off, delete) and team members (``/cases/settings/teams``). Both need
``cases.configure``. A refused form is shown again with the reasons next to its fields
and the input kept; a change that works redirects (303) back to the list."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic_core import PydanticCustomError

from kohtaamo.accounts import repository as accounts_repo
from kohtaamo.cases import rules, service, team_members
from kohtaamo.cases.models import CaseRule
from kohtaamo.cases.schemas import CaseRuleIn, check_params
from kohtaamo.errors import FieldProblem, InvalidInput, KohtaamoError, NotFound
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.text import theme_rules
from kohtaamo.web import case_view as cv
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.journey_report import touchpoint_name
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.routes.journeys import optional_id, validated
from kohtaamo.web.routes.settings import flash_of
from kohtaamo.web.text_view import theme_label

router = APIRouter(prefix="/cases/settings")

Configurer = Annotated[WebContext, Depends(page_permission("cases.configure"))]

KINDS: dict[str, str] = {
    "detractor": N_("Detractor (NPS at or below a threshold)"),
    "gap": N_("Experience below expectation at a touchpoint"),
    "negative_comment": N_("Negative comment on chosen themes"),
    "complaint": N_("Explicit complaint"),
}
# Which parameter fields each kind shows (the rest are not read).
KIND_PARAMS: dict[str, tuple[str, ...]] = {
    "detractor": ("threshold",),
    "gap": ("threshold", "touchpoint_ids"),
    "negative_comment": ("themes", "max_age_days"),
    "complaint": (),
}
DONE = {
    "created": N_("The rule was added."),
    "saved": N_("The rule was saved."),
    "on": N_("The rule was switched on."),
    "off": N_("The rule was switched off."),
    "deleted": N_("The rule was deleted."),
    "added": N_("The user was added to the team."),
    "removed": N_("The user was taken out of the team."),
}


def _options(session: Any, locale: str) -> dict[str, Any]:
    tps = {str(t.id): touchpoint_name(t, locale) for t in journeys_repo.touchpoints(session)}
    themes = {r["key"]: theme_label(r, locale) for r in theme_rules.org_rules(session)}
    return {
        "touchpoints": sorted(tps.items(), key=lambda p: p[1].lower()),
        "themes": sorted(themes.items(), key=lambda p: p[1].lower()),
        "touchpoint_names": tps,
        "theme_names": themes,
    }


def _form_of(rule: CaseRule | None) -> dict[str, Any]:
    if rule is None:
        return {
            "key": "",
            "name": "",
            "kind": "detractor",
            "topic": "",
            "priority": "normal",
            "active": True,
            "threshold": "",
            "touchpoint_ids": [],
            "themes": [],
            "max_age_days": "",
        }
    params = rule.params or {}
    return {
        "key": rule.key,
        "name": rule.name,
        "kind": rule.kind,
        "topic": rule.topic,
        "priority": rule.priority,
        "active": rule.active,
        "threshold": "" if params.get("threshold") is None else f"{params['threshold']:g}",
        "touchpoint_ids": list(params.get("touchpoint_ids", [])),
        "themes": list(params.get("themes", [])),
        "max_age_days": str(params.get("max_age_days", "")),
    }


def _rules_page(
    request: Request,
    ctx: WebContext,
    *,
    template: str = "cases/rules.html",
    editing: CaseRule | None = None,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    flash: str | None = None,
) -> Response:
    locale = locale_of(request)
    with ctx.transaction(readonly=True) as session:
        found = service.list_rules(session)
        options = _options(session, locale)
    return render(
        request,
        template,
        status_code=status_code,
        active="cases",
        rules=found,
        kinds=[(k, gettext(locale, v)) for k, v in KINDS.items()],
        kind_labels={k: gettext(locale, v) for k, v in KINDS.items()},
        kind_params=KIND_PARAMS,
        priorities=[(k, gettext(locale, v)) for k, v in cv.PRIORITIES.items()],
        priority_labels={k: gettext(locale, v) for k, v in cv.PRIORITIES.items()},
        editing=editing,
        form=form or _form_of(editing),
        errors=errors or {},
        flash=flash,
        **options,
    )


def _number(value: str, field: str) -> float | None:
    value = value.strip().replace(",", ".")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise InvalidInput("Give a number.", field=field) from None


def _rule_in(form: dict[str, Any]) -> CaseRuleIn:
    """The rule from the form: the kind's own parameter fields only, each checked on its
    own so that its message stands next to it."""
    kind = form["kind"]
    params: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for name in KIND_PARAMS.get(kind, ()):
        try:
            if name in ("threshold", "max_age_days"):
                number = _number(form[name], name)
                if number is None:
                    continue
                value: Any = int(number) if number.is_integer() else number
            else:
                value = form[name]
                if not value:
                    continue
            params |= check_params(kind, {name: value})
        except InvalidInput as exc:
            problems += exc.problems
        except PydanticCustomError as exc:
            context = dict(exc.context or {})
            msgid = str(context.pop("msgid", exc.message()))
            problems.append(FieldProblem(name, msgid, context))
    if problems:
        raise InvalidInput(problems=problems)
    values = {k: form[k] for k in ("key", "name", "kind", "topic", "priority", "active")}
    return validated(CaseRuleIn, values | {"params": params})


async def _posted_rule(request: Request) -> dict[str, Any]:
    raw = await request.form()
    one = {k: str(raw.get(k) or "")[:200].strip() for k in ("key", "name", "kind", "topic")}
    return dict(
        **one,
        priority=str(raw.get("priority") or "normal")[:8],
        active=raw.get("active") == "true",
        threshold=str(raw.get("threshold") or "")[:20],
        max_age_days=str(raw.get("max_age_days") or "")[:20],
        touchpoint_ids=[str(v)[:40] for v in raw.getlist("touchpoint_ids")][:200],
        themes=[str(v)[:60] for v in raw.getlist("themes")][:200],
    )


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request, ctx: Configurer, done: str | None = None) -> Response:
    return _rules_page(request, ctx, flash=flash_of(request, done, DONE))


@router.post("/rules", dependencies=[Depends(verify_csrf)])
async def create_rule(request: Request, ctx: Configurer) -> Response:
    form = await _posted_rule(request)
    try:
        data = _rule_in(form)
        with ctx.transaction() as session:
            service.create_rule(session, data)
    except KohtaamoError as exc:
        errors = _errors(request, exc)
        return _rules_page(request, ctx, form=form, errors=errors, status_code=exc.status)
    return RedirectResponse("/cases/settings/rules?done=created", status_code=303)


def _rule(ctx: WebContext, rule_id: uuid.UUID) -> CaseRule:
    with ctx.transaction(readonly=True) as session:
        return rules.get_rule(session, rule_id)


def _errors(request: Request, exc: KohtaamoError) -> dict[str, str]:
    errors = field_errors(locale_of(request), exc)
    if "params" in errors:  # the rule's parameters as a whole (e.g. an unknown touchpoint)
        errors.setdefault("", errors.pop("params"))
    return errors


@router.get("/rules/{rule_id}/edit", response_class=HTMLResponse)
def edit_rule(request: Request, ctx: Configurer, rule_id: uuid.UUID) -> Response:
    return _rules_page(request, ctx, template="cases/rules_edit.html", editing=_rule(ctx, rule_id))


@router.post("/rules/{rule_id}/edit", dependencies=[Depends(verify_csrf)])
async def save_rule(request: Request, ctx: Configurer, rule_id: uuid.UUID) -> Response:
    rule = _rule(ctx, rule_id)
    form = await _posted_rule(request)
    try:
        data = _rule_in(form)
        with ctx.transaction() as session:
            service.update_rule(session, rule_id, data)
    except KohtaamoError as exc:
        return _rules_page(
            request,
            ctx,
            template="cases/rules_edit.html",
            editing=rule,
            form=form,
            errors=_errors(request, exc),
            status_code=exc.status,
        )
    return RedirectResponse("/cases/settings/rules?done=saved", status_code=303)


@router.post("/rules/{rule_id}/active", dependencies=[Depends(verify_csrf)])
def switch_rule(
    ctx: Configurer, rule_id: uuid.UUID, active: Annotated[str, Form(max_length=5)] = ""
) -> Response:
    rule = _rule(ctx, rule_id)
    on = active == "true"
    data = CaseRuleIn.model_validate(
        {
            "key": rule.key,
            "name": rule.name,
            "kind": rule.kind,
            "params": rule.params,
            "topic": rule.topic,
            "priority": rule.priority,
            "active": on,
        }
    )
    with ctx.transaction() as session:
        service.update_rule(session, rule_id, data)
    return RedirectResponse(f"/cases/settings/rules?done={'on' if on else 'off'}", status_code=303)


@router.post("/rules/{rule_id}/delete", dependencies=[Depends(verify_csrf)])
def delete_rule(ctx: Configurer, rule_id: uuid.UUID) -> Response:
    with ctx.transaction() as session:
        service.delete_rule(session, rule_id)
    return RedirectResponse("/cases/settings/rules?done=deleted", status_code=303)


# --- team members -----------------------------------------------------------------------


def _teams_page(
    request: Request,
    ctx: WebContext,
    *,
    errors: dict[str, str] | None = None,
    error_at: str = "",
    status_code: int = 200,
    flash: str | None = None,
) -> Response:
    with ctx.transaction(readonly=True) as session:
        people = {m.user_id: m.user.name for m in accounts_repo.members(session) if m.is_active}
        members = team_members.members_by_team(session)
        teams = [
            {
                "id": t.id,
                "name": t.name,
                "members": sorted(
                    ((u, people.get(u, "?")) for u in members.get(t.id, [])),
                    key=lambda p: p[1].lower(),
                ),
                "others": sorted(
                    ((str(u), n) for u, n in people.items() if u not in members.get(t.id, [])),
                    key=lambda p: p[1].lower(),
                ),
            }
            for t in journeys_repo.teams(session)
        ]
    return render(
        request,
        "cases/teams.html",
        status_code=status_code,
        active="cases",
        teams=teams,
        errors=errors or {},
        error_at=error_at,
        flash=flash,
    )


@router.get("/teams", response_class=HTMLResponse)
def teams_page(request: Request, ctx: Configurer, done: str | None = None) -> Response:
    return _teams_page(request, ctx, flash=flash_of(request, done, DONE))


@router.post("/teams/{team_id}/members", dependencies=[Depends(verify_csrf)])
def add_team_member(
    request: Request,
    ctx: Configurer,
    team_id: uuid.UUID,
    user_id: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    try:
        person = optional_id(user_id, "user_id")
        if person is None:
            raise InvalidInput("Choose a user of this organisation.", field="user_id")
        with ctx.transaction() as session:
            team_members.add_member(session, team_id, person)
    except NotFound:
        raise
    except KohtaamoError as exc:
        errors = field_errors(locale_of(request), exc)
        return _teams_page(
            request, ctx, errors=errors, error_at=str(team_id), status_code=exc.status
        )
    return RedirectResponse("/cases/settings/teams?done=added", status_code=303)


@router.post("/teams/{team_id}/members/{user_id}/remove", dependencies=[Depends(verify_csrf)])
def remove_team_member(ctx: Configurer, team_id: uuid.UUID, user_id: uuid.UUID) -> Response:
    with ctx.transaction() as session:
        team_members.remove_member(session, team_id, user_id)
    return RedirectResponse("/cases/settings/teams?done=removed", status_code=303)
