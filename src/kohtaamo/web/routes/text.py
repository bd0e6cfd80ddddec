"""Pages: text analytics of open comments.

- ``/text``: themes by volume and sentiment, themes over months, comments by
  touchpoint, language and sentiment distribution, for a period.
- ``/text/comments``: the comment browser (lemma search and filters), each comment
  redacted, with its decisive words marked and its themes.
- ``/text/themes``: the theme editor; a rule is tried on the organisation's comments
  before it is saved (the form's "Test the rule" button renders matches, saves nothing).
  Saving re-applies the rules to the stored comments in the background (the list shows
  how far); a theme is deleted from its page after a confirmation.
- ``/text/emerging``: candidate themes, and a button that makes one a theme.

Seeing needs ``text.view``; changing themes needs ``text.edit``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kohtaamo.errors import FieldProblem, InvalidInput, KohtaamoError
from kohtaamo.http.context import locale_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.journeys import service as journeys
from kohtaamo.kit.pagination import PageRequest
from kohtaamo.text import emerging, retheme, theme_rules, volumes
from kohtaamo.text.schemas import CommentFilters, ThemeIn
from kohtaamo.text.search import search_comments
from kohtaamo.text.themes import GROUPS
from kohtaamo.web import charts_text as charts
from kohtaamo.web.analytics_view import Period, month_label, parse_period, period_options
from kohtaamo.web.charts import percent
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.routes.journeys import validated
from kohtaamo.web.routes.settings import flash_of
from kohtaamo.web.text_view import (
    comment_view,
    language_label,
    sentiment_label,
    theme_label,
)

router = APIRouter()

Viewer = Annotated[WebContext, Depends(page_permission("text.view"))]
Editor = Annotated[WebContext, Depends(page_permission("text.edit"))]
PeriodQuery = Annotated[str, Query(max_length=10)]
PAGE_SIZE = 20
TREND_THEMES = 6
LANGS = ("fi", "en", "sv")
GROUP_LABELS = {
    "content": N_("Content"),
    "functional": N_("Functional"),
    "psychological": N_("Psychological"),
    "service": N_("Service-specific"),
}
DONE = {
    "created": N_("The theme was created."),
    "saved": N_("The theme was saved."),
    "deleted": N_("The theme was deleted."),
}


def _period(value: str) -> Period:
    return parse_period(value or None)


def _aware(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC)


def _theme_labels(ctx: WebContext, locale: str) -> dict[str, str]:
    with ctx.transaction() as session:  # the first visit seeds the default themes
        return {t.key: theme_label(t, locale) for t in theme_rules.list_themes(session)}


def _touchpoint_names(ctx: WebContext, locale: str) -> dict[str, str]:
    with ctx.transaction(readonly=True) as session:
        found = journeys.list_touchpoints(session, ctx.org_actor)
        return {str(t.id): t.name_fi if locale == "fi" else t.name_en for t in found}


# --- overview --------------------------------------------------------------------------


def _overview(ctx: WebContext, locale: str, period: Period) -> dict[str, Any]:
    start, end = _aware(period.start), _aware(period.end)
    themes = _theme_labels(ctx, locale)
    touchpoints = _touchpoint_names(ctx, locale)
    with ctx.transaction(readonly=True) as session:
        by_theme = volumes.themes_by_sentiment(session, start, end)
        by_month = volumes.themes_by_month(session, _aware(period.trend_start), end)
        by_touchpoint = volumes.by_touchpoint(session, start, end)
        split = volumes.sentiment_split(session, start, end)
        by_language = volumes.languages(session, start, end)
    theme_rows = sorted(by_theme.items(), key=lambda kv: (-kv[1].total, kv[0]))
    labelled = [(themes.get(k, k), k, s) for k, s in theme_rows]
    months = sorted({m for counts in by_month.values() for m in counts})
    top = [k for k, _ in theme_rows[:TREND_THEMES]]
    points = [
        {
            "month": month_label(locale, f"{m}-01"),
            "order": i,
            "theme": themes.get(k, k),
            "n": by_month.get(k, {}).get(m, 0),
        }
        for k in top
        for i, m in enumerate(months)
    ]
    tp_rows = sorted(
        ((touchpoints.get(str(tp), "") if tp else "", s) for tp, s in by_touchpoint.items()),
        key=lambda r: (-r[1].total, r[0]),
    )
    tp_rows = [(name or gettext(locale, "No touchpoint"), s) for name, s in tp_rows]
    sentiment_rows = [
        (sentiment_label(locale, s), split.counts[s]) for s in charts.STACK_ORDER if split.counts[s]
    ]
    language_rows = sorted(
        ((language_label(locale, k), n) for k, n in by_language.items()), key=lambda r: -r[1]
    )
    title = gettext(locale, "Themes by sentiment")
    return {
        "total": split.total,
        "themes": labelled,
        "themes_spec": charts.sentiment_bars_spec(
            locale,
            title,
            gettext(locale, "Theme"),
            [(label, s.counts) for label, _, s in labelled],
        )
        if labelled
        else None,
        "trend_spec": charts.trend_spec(locale, gettext(locale, "Themes by month"), points)
        if points
        else None,
        "trend_rows": [
            (themes.get(k, k), [by_month.get(k, {}).get(m, 0) for m in months]) for k in top
        ],
        "months": [month_label(locale, f"{m}-01") for m in months],
        "touchpoints": tp_rows,
        "touchpoint_spec": charts.sentiment_bars_spec(
            locale,
            gettext(locale, "Comments by touchpoint"),
            gettext(locale, "Touchpoint"),
            [(name, s.counts) for name, s in tp_rows],
        )
        if tp_rows
        else None,
        "sentiments": sentiment_rows,
        "sentiment_spec": charts.distribution_spec(
            locale, gettext(locale, "Sentiment"), sentiment_rows, sentiment=True
        )
        if sentiment_rows
        else None,
        "languages": language_rows,
        "language_spec": charts.distribution_spec(
            locale, gettext(locale, "Language"), language_rows
        )
        if language_rows
        else None,
    }


@router.get("/text", response_class=HTMLResponse, name="text_page")
def text_page(request: Request, ctx: Viewer, period: PeriodQuery = "90d") -> Response:
    locale = locale_of(request)
    chosen = _period(period)
    return render(
        request,
        "text/overview.html",
        active="text",
        tab="overview",
        view=_overview(ctx, locale, chosen),
        filters={"period": chosen.key},
        period_label=chosen.label(locale),
        period_options=period_options(locale),
        sentiment_order=charts.STACK_ORDER,
        sentiment_names={s: sentiment_label(locale, s) for s in charts.STACK_ORDER},
    )


# --- the comment browser ---------------------------------------------------------------


def _filters(values: dict[str, str], period: Period | None) -> CommentFilters:
    """The browser's filters, or InvalidInput naming every wrong one."""
    data: dict[str, Any] = {k: v for k, v in values.items() if v}
    problems: list[FieldProblem] = []
    if "touchpoint_id" in data:
        try:
            data["touchpoint_id"] = uuid.UUID(data["touchpoint_id"])
        except ValueError:
            problems.append(FieldProblem("touchpoint_id", "Choose one of the options."))
            del data["touchpoint_id"]
    if period is not None:
        data["since"], data["until"] = _aware(period.start), _aware(period.end)
    try:
        filters = validated(CommentFilters, data)
    except InvalidInput as exc:
        raise InvalidInput(problems=[*problems, *exc.problems]) from None
    if problems:
        raise InvalidInput(problems=problems)
    return filters


@router.get("/text/comments", response_class=HTMLResponse, name="text_comments_page")
def comments_page(
    request: Request,
    ctx: Viewer,
    q: Annotated[str, Query(max_length=200)] = "",
    theme: Annotated[str, Query(max_length=60)] = "",
    sentiment: Annotated[str, Query(max_length=16)] = "",
    touchpoint: Annotated[str, Query(max_length=40)] = "",
    segment: Annotated[str, Query(max_length=120)] = "",
    period: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    locale = locale_of(request)
    form = {
        "q": q,
        "theme": theme,
        "sentiment": sentiment,
        "touchpoint": touchpoint,
        "segment": segment,
        "period": period,
    }
    themes = _theme_labels(ctx, locale)
    touchpoints = _touchpoint_names(ctx, locale)
    errors: dict[str, str] = {}
    results = None
    status = 200
    try:
        chosen = _period(period) if period else None
        filters = _filters(
            {
                "query": q,
                "theme": theme,
                "sentiment": sentiment,
                "touchpoint_id": touchpoint,
                "segment": segment,
            },
            chosen,
        )
        with ctx.transaction(readonly=True) as session:
            results = search_comments(
                session, filters, PageRequest(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
            )
            segments = journeys_repo.segments(session)
    except KohtaamoError as exc:
        errors = {_FORM_FIELD.get(k, k): v for k, v in field_errors(locale, exc).items()}
        status = exc.status
        with ctx.transaction(readonly=True) as session:
            segments = journeys_repo.segments(session)
    views = [comment_view(c, locale, themes, touchpoints) for c in results.items] if results else []
    pages = -(-results.total // PAGE_SIZE) if results else 0
    return render(
        request,
        "text/comments.html",
        status_code=status,
        active="text",
        tab="comments",
        form=form,
        errors=errors,
        comments=views,
        total=results.total if results else 0,
        page=page,
        pages=pages,
        theme_options=sorted(themes.items(), key=lambda kv: kv[1].lower()),
        sentiment_options=[(s, sentiment_label(locale, s)) for s in charts.STACK_ORDER],
        touchpoint_options=sorted(touchpoints.items(), key=lambda kv: kv[1].lower()),
        segment_options=[(s, s) for s in segments],
        period_options=period_options(locale),
    )


# CommentFilters' field names → the browser's query parameters, for errors.
_FORM_FIELD = {"query": "q", "touchpoint_id": "touchpoint", "since": "period"}


# --- the theme editor ------------------------------------------------------------------


def _terms(text: str) -> list[str]:
    """Terms typed one per line or separated by commas."""
    return [t.strip() for line in text.splitlines() for t in line.split(",") if t.strip()]


def _theme_form(theme: Any) -> dict[str, str]:
    form = {"key": theme.key, "group": theme.group, "enabled": "on" if theme.enabled else ""}
    for lang in LANGS:
        form[f"label_{lang}"] = theme.labels.get(lang, "")
        form[f"terms_{lang}"] = "\n".join(theme.terms.get(lang, []))
        form[f"exclude_{lang}"] = "\n".join(theme.exclude.get(lang, []))
    return form


def _theme_in(form: dict[str, str]) -> ThemeIn:
    values = {
        "key": form.get("key", "").strip(),
        "group": form.get("group") or "service",
        "labels": {
            lang: form[f"label_{lang}"].strip()
            for lang in LANGS
            if form.get(f"label_{lang}", "").strip()
        },
        "terms": {lang: t for lang in LANGS if (t := _terms(form.get(f"terms_{lang}", "")))},
        "exclude": {lang: t for lang in LANGS if (t := _terms(form.get(f"exclude_{lang}", "")))},
        "enabled": bool(form.get("enabled")),
    }
    return validated(ThemeIn, values)


# The rule checks of ThemeIn that concern the whole rule, by the field they are about.
RULE_FIELDS = {
    "A theme needs at least one term.": "terms_fi",
    "At most %(n)s terms per language.": "terms_fi",
    "A theme key is lowercase letters, digits and underscores, starting with a letter.": "key",
    "Unknown theme group %(group)s.": "group",
}


def _rule_errors(locale: str, exc: KohtaamoError, form: dict[str, str]) -> dict[str, str]:
    """Messages by form field ("terms.fi" → "terms_fi"; a whole-rule check goes to the
    field it is about); what fits no field is shown above the form."""
    if not exc.problems:
        return field_errors(locale, exc)
    out: dict[str, str] = {}
    for problem in exc.problems:
        name = problem.field.replace(".", "_")
        if name not in form:
            name = RULE_FIELDS.get(problem.message, "")
        try:
            text = gettext(locale, problem.message, **problem.params)
        except (KeyError, ValueError):
            text = gettext(locale, problem.message)
        out.setdefault(name, text)
    return out


def _editor(
    request: Request,
    *,
    form: dict[str, str],
    theme_id: uuid.UUID | None,
    errors: dict[str, str] | None = None,
    trial: dict[str, Any] | None = None,
    status_code: int = 200,
    flash: str | None = None,
    named: int | None = None,
) -> Response:
    locale = locale_of(request)
    return render(
        request,
        "text/theme_edit.html",
        named=named,
        status_code=status_code,
        active="text",
        tab="themes",
        form=form,
        theme_id=theme_id,
        errors=errors or {},
        trial=trial,
        flash=flash,
        langs=LANGS,
        language_names={lang: language_label(locale, lang) for lang in LANGS},
        group_options=[(g, gettext(locale, GROUP_LABELS[g])) for g in GROUPS],
        sentiment_names={s: sentiment_label(locale, s) for s in charts.STACK_ORDER},
    )


@router.get("/text/themes", response_class=HTMLResponse, name="text_themes_page")
def themes_page(request: Request, ctx: Viewer, done: str | None = None) -> Response:
    locale = locale_of(request)
    with ctx.transaction() as session:  # the first visit seeds the default themes
        themes = [
            {
                "id": t.id,
                "key": t.key,
                "label": theme_label(t, locale),
                "group": gettext(locale, GROUP_LABELS.get(t.group, t.group)),
                "enabled": t.enabled,
                "terms": {lang: t.terms.get(lang, []) for lang in LANGS},
                "exclude": {lang: t.exclude.get(lang, []) for lang in LANGS},
            }
            for t in theme_rules.list_themes(session)
        ]
        reanalysing = retheme.progress(session)
    return render(
        request,
        "text/themes.html",
        active="text",
        tab="themes",
        themes=themes,
        reanalysing=reanalysing,
        langs=LANGS,
        can_edit=ctx.may("text.edit"),
        flash=flash_of(request, done, DONE),
    )


@router.get("/text/themes/new", response_class=HTMLResponse, name="text_theme_new")
def new_theme_page(request: Request, ctx: Editor) -> Response:
    form = {"key": "", "group": "service", "enabled": "on"}
    return _editor(request, form=form, theme_id=None)


@router.get("/text/themes/{theme_id}", response_class=HTMLResponse, name="text_theme_page")
def theme_page(
    request: Request, ctx: Editor, theme_id: uuid.UUID, done: str | None = None
) -> Response:
    with ctx.transaction(readonly=True) as session:
        form = _theme_form(theme_rules.get_theme(session, theme_id))
        named = theme_rules.comments_naming(session, theme_id)
    return _editor(
        request, form=form, theme_id=theme_id, flash=flash_of(request, done, DONE), named=named
    )


async def _posted(request: Request) -> dict[str, str]:
    posted = await request.form()
    fields = ["key", "group", "enabled", "action"]
    fields += [f"{p}_{lang}" for p in ("label", "terms", "exclude") for lang in LANGS]
    form = {}
    for name in fields:
        value = posted.get(name)
        form[name] = value[:20_000] if isinstance(value, str) else ""
    return form


def _save_theme(
    request: Request, ctx: WebContext, form: dict[str, str], theme_id: uuid.UUID | None
) -> Response:
    locale = locale_of(request)
    try:
        data = _theme_in(form)
        if form.get("action") == "test":  # trying a rule never saves anything
            with ctx.transaction(readonly=True) as session:
                if theme_id is not None:
                    theme_rules.get_theme(session, theme_id)  # 404 for another organisation's
                trial = theme_rules.try_rule(session, data)
            return _editor(request, form=form, theme_id=theme_id, trial=trial)
        with ctx.transaction() as session:
            if theme_id is None:
                theme = theme_rules.create_theme(session, data)
                done = "created"
            else:
                theme = theme_rules.update_theme(session, theme_id, data)
                done = "saved"
            saved_id = theme.id
    except KohtaamoError as exc:
        if exc.status == 404:
            raise
        return _editor(
            request,
            form=form,
            theme_id=theme_id,
            errors=_rule_errors(locale, exc, form),
            status_code=exc.status,
        )
    return RedirectResponse(f"/text/themes?done={done}#theme-{saved_id}", status_code=303)


@router.post("/text/themes", dependencies=[Depends(verify_csrf)], name="text_theme_create")
async def create_theme(request: Request, ctx: Editor) -> Response:
    return _save_theme(request, ctx, await _posted(request), None)


@router.post("/text/themes/{theme_id}", dependencies=[Depends(verify_csrf)], name="text_theme_save")
async def save_theme(request: Request, ctx: Editor, theme_id: uuid.UUID) -> Response:
    return _save_theme(request, ctx, await _posted(request), theme_id)


@router.post(
    "/text/themes/{theme_id}/delete",
    dependencies=[Depends(verify_csrf)],
    name="text_theme_delete",
)
def delete_theme(ctx: Editor, theme_id: uuid.UUID) -> Response:
    """Delete the theme (the confirmation is the editor's "Delete…" section)."""
    with ctx.transaction() as session:
        theme_rules.delete_theme(session, theme_id)
    return RedirectResponse("/text/themes?done=deleted", status_code=303)


# --- emerging themes -------------------------------------------------------------------


@router.get("/text/emerging", response_class=HTMLResponse, name="text_emerging_page")
def emerging_page(
    request: Request, ctx: Viewer, period: PeriodQuery = "30d", done: str | None = None
) -> Response:
    locale = locale_of(request)
    chosen = _period(period)
    with ctx.transaction(readonly=True) as session:
        found = emerging.discover(session, _aware(chosen.start), _aware(chosen.end))
    return render(
        request,
        "text/emerging.html",
        active="text",
        tab="emerging",
        found=found,
        filters={"period": chosen.key},
        period_label=chosen.label(locale),
        period_options=period_options(locale),
        language_names={lang: language_label(locale, lang) for lang in (*LANGS, "und")},
        sentiment_names={s: sentiment_label(locale, s) for s in charts.STACK_ORDER},
        can_edit=ctx.may("text.edit"),
        flash=flash_of(request, done, DONE),
        percent=partial(percent, locale),
    )


@router.post("/text/emerging", dependencies=[Depends(verify_csrf)], name="text_emerging_create")
def create_from_candidate(
    ctx: Editor,
    phrase: Annotated[str, Form(max_length=200)] = "",
    language: Annotated[str, Form(max_length=8)] = "",
    label: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    with ctx.transaction() as session:
        theme = emerging.do_create_theme(session, phrase, language, label=label or None)
        theme_id = theme.id
    return RedirectResponse(f"/text/themes/{theme_id}?done=created", status_code=303)
