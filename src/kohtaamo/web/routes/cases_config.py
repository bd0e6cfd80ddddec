"""Case settings: the message template editor (``/cases/settings/templates``): every
template by key and language, each editable with a preview and checked placeholders,
and resettable to the default text. Needs ``cases.configure``.

(The rule and team pages are in ``cases_rules.py``.)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from babel.dates import format_date
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from kohtaamo.cases import templates
from kohtaamo.cases.template_texts import CUSTOMER_FALLBACK
from kohtaamo.errors import InvalidInput, NotFound
from kohtaamo.http.context import locale_of, settings_of
from kohtaamo.i18n import N_, gettext
from kohtaamo.kit.clock import utcnow
from kohtaamo.web.deps import WebContext, page_permission, verify_csrf
from kohtaamo.web.render import field_errors, render
from kohtaamo.web.text_view import language_label

router = APIRouter(prefix="/cases/settings/templates")

Configurer = Annotated[WebContext, Depends(page_permission("cases.configure"))]

LANGUAGES = ("fi", "en", "sv")
DONE = {
    "saved": N_("The template was saved."),
    "reset": N_("The template was reset to the default text."),
}
# What the preview fills in: an example customer, in the template's language.
SAMPLE_TEXTS: dict[str, dict[str, str]] = {
    "fi": {
        "customer_name": "Maija Meikäläinen",
        "touchpoint": "Asiakaspalvelu puhelimessa",
        "what_went_wrong": "Tilauksesi toimitus viivästyi, emmekä kertoneet siitä sinulle.",
        "plan_action": "Toimitamme tilauksen kotiisi maksutta ja hyvitämme toimitusmaksun.",
        "action_note": "Tilaus toimitettu ja toimitusmaksu hyvitetty.",
    },
    "en": {
        "customer_name": "Jane Doe",
        "touchpoint": "Customer service by phone",
        "what_went_wrong": "Your order was delivered late, and we did not tell you.",
        "plan_action": "We will deliver the order to your home free of charge and refund "
        "the delivery fee.",
        "action_note": "Order delivered and the delivery fee refunded.",
    },
    "sv": {
        "customer_name": "Maja Svensson",
        "touchpoint": "Kundtjänst per telefon",
        "what_went_wrong": "Din beställning levererades sent, och vi berättade inte det för dig.",
        "plan_action": "Vi levererar beställningen hem till dig kostnadsfritt och betalar "
        "tillbaka leveransavgiften.",
        "action_note": "Beställningen levererad och leveransavgiften återbetald.",
    },
}


def sample_values(request: Request, ctx: WebContext, language: str) -> dict[str, str]:
    """Example values for every placeholder, for the preview."""
    base = settings_of(request).base_url.rstrip("/")
    org = ctx.current_org.name if ctx.current_org is not None else ""
    due = utcnow().date() + timedelta(days=5)
    return {
        "customer_name": CUSTOMER_FALLBACK[language],
        "case_number": "123",
        "case_title": "Toimitus myöhässä" if language == "fi" else "Late delivery",
        "topic": "delivery",
        "plan_due": format_date(due, "long", locale=language),
        "reply_link": f"{base}/c/…",
        "followup_link": f"{base}/c/…/followup",
        "organisation": org,
        "handler_name": ctx.user.name,
        **SAMPLE_TEXTS[language],
    }


def _labels(locale: str) -> dict[str, Any]:
    return {
        "keys": {k: gettext(locale, v) for k, v in templates.KEYS.items()},
        "languages": {k: language_label(locale, k) for k in LANGUAGES},
        "placeholders": {k: gettext(locale, v) for k, v in templates.PLACEHOLDERS.items()},
    }


@router.get("")
def template_list(request: Request, ctx: Configurer, done: str = "") -> Response:
    """Every template by key × language, saying which are the organisation's own."""
    with ctx.transaction(readonly=True) as session:
        found = templates.list_templates(session)
    flash = gettext(locale_of(request), DONE[done]) if done in DONE else None
    return render(
        request,
        "cases/message_templates.html",
        active="cases",
        tab="templates",
        rows=found,
        flash=flash,
        **_labels(locale_of(request)),
    )


def _edit_page(
    request: Request,
    ctx: WebContext,
    key: str,
    language: str,
    *,
    subject: str | None = None,
    body: str | None = None,
    errors: dict[str, str] | None = None,
    preview: tuple[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with ctx.transaction(readonly=True) as session:
        current = templates.template_of(session, key, language)
    subject = current.subject if subject is None else subject
    body = current.body if body is None else body
    if preview is None and not errors:
        preview = _preview(request, ctx, language, subject, body)
    return render(
        request,
        "cases/message_template_edit.html",
        status_code=status_code,
        active="cases",
        tab="templates",
        key=key,
        language=language,
        current=current,
        subject=subject,
        body=body,
        errors=errors or {},
        preview=preview,
        **_labels(locale_of(request)),
    )


def _preview(
    request: Request, ctx: WebContext, language: str, subject: str, body: str
) -> tuple[str, str] | None:
    values = sample_values(request, ctx, language)
    try:
        filled = templates.fill(subject, values, field="subject")
        return " ".join(filled.split()), templates.fill(body, values)
    except InvalidInput:
        return None


@router.get("/{key}/{language}")
def template_edit(request: Request, ctx: Configurer, key: str, language: str) -> Response:
    """One template's subject and body, with a preview filled with example values."""
    _known(key, language)
    return _edit_page(request, ctx, key, language)


def _known(key: str, language: str) -> None:
    if key not in templates.KEYS or language not in templates.LANGUAGES:
        raise NotFound("No such message template.")


@router.post("/{key}/{language}", dependencies=[Depends(verify_csrf)])
def template_save(
    request: Request,
    ctx: Configurer,
    key: str,
    language: str,
    subject: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "save",
) -> Response:
    """``action=preview`` shows the filled text; ``save`` stores it (checked first);
    ``reset`` goes back to the default. A refused template is shown again with the
    reason next to the field that has it."""
    _known(key, language)
    locale = locale_of(request)
    try:
        if action == "preview":
            templates.check_template(subject.strip(), body.strip())
            shown = _preview(request, ctx, language, subject, body)
            return _edit_page(
                request, ctx, key, language, subject=subject, body=body, preview=shown
            )
        with ctx.transaction() as session:
            if action == "reset":
                templates.reset_template(session, key, language)
            else:
                templates.save_template(session, key, language, subject=subject, body=body)
    except InvalidInput as exc:
        return _edit_page(
            request,
            ctx,
            key,
            language,
            subject=subject,
            body=body,
            errors=field_errors(locale, exc),
            status_code=422,
        )
    done = "reset" if action == "reset" else "saved"
    return RedirectResponse(f"/cases/settings/templates?done={done}", status_code=303)
