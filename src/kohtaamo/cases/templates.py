"""Message templates: what the customer is told at each step, with ``{placeholders}``.

A template is plain text in Python's format syntax, read with ``string.Formatter().parse``
and filled by name only: no attribute access, indexing or format specs, so a template
can never reach into an object. ``{{`` and ``}}`` write a brace itself.

:func:`render` gives the text a handler starts from on the case page, in the case's
language (the organisation's override, else the default of :mod:`template_texts`). The
plan's fields, while the case has none yet, stay as placeholders: the handler types the
plan into the step's form and :func:`kohtaamo.cases.messages.send_message` fills them
when the message leaves. Everything else is filled at once.
"""

from __future__ import annotations

import string
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.accounts.models import Organisation, User
from kohtaamo.cases import links
from kohtaamo.cases.models import Case, MessageTemplate
from kohtaamo.cases.template_texts import CUSTOMER_FALLBACK, DEFAULTS, TOUCHPOINT_FALLBACK
from kohtaamo.config import Settings
from kohtaamo.errors import InvalidInput, NotFound
from kohtaamo.i18n import N_
from kohtaamo.journeys.models import Touchpoint
from kohtaamo.storage.tenancy import require_tenant

LANGUAGES = ("fi", "en", "sv")
KEYS: dict[str, str] = {
    "acknowledge": N_("Acknowledgement: the customer is told they were heard"),
    "apology_plan": N_("Apology and plan: what went wrong, an apology, what will be done by when"),
    "resolved": N_("Resolved: what was done"),
    "followup": N_("Follow-up: was it put right?"),
}
PLACEHOLDERS: dict[str, str] = {
    "customer_name": N_("The customer's name (or a polite form of address)"),
    "case_number": N_("The case number"),
    "case_title": N_("The case's title"),
    "topic": N_("The case's topic"),
    "touchpoint": N_("The touchpoint's name in the customer's language"),
    "what_went_wrong": N_("What went wrong, as written in the plan"),
    "plan_action": N_("What will be done, as written in the plan"),
    "plan_due": N_("By when it will be done"),
    "action_note": N_("The action taken"),
    "reply_link": N_("The customer's link for reading the case and replying"),
    "followup_link": N_("The customer's link to the follow-up question"),
    "organisation": N_("The organisation's name"),
    "handler_name": N_("The name of the case's handler"),
}
# The plan's fields: filled when the message is sent if the case has none when rendered.
LATE = frozenset({"what_went_wrong", "plan_action", "plan_due", "action_note"})
SUBJECT_MAX = 300
BODY_MAX = 20_000


@dataclass(frozen=True)
class Template:
    key: str
    language: str
    subject: str
    body: str
    overridden: bool = False  # the organisation's own text, not the default


def _parse(text: str, field: str) -> list[tuple[str, str | None]]:
    """(literal text, placeholder name or None) pieces; InvalidInput naming what is wrong."""
    try:
        pieces = list(string.Formatter().parse(text))
    except ValueError:
        raise InvalidInput(
            "The braces do not match: write {name} for a placeholder and {{ or }} for a "
            "brace itself.",
            field=field,
        ) from None
    out: list[tuple[str, str | None]] = []
    for literal, name, spec, conversion in pieces:
        if name is not None:
            if name == "":
                raise InvalidInput(
                    "An empty placeholder {} is not allowed: name it, e.g. {customer_name}.",
                    field=field,
                )
            if name not in PLACEHOLDERS:
                raise InvalidInput(
                    "Unknown placeholder {%(name)s}. Use one of: %(known)s.",
                    field=field,
                    name=name,
                    known=", ".join(PLACEHOLDERS),
                )
            if spec or conversion:
                raise InvalidInput(
                    "The placeholder {%(name)s} takes no format: write it as {%(name)s}.",
                    field=field,
                    name=name,
                )
        out.append((literal, name))
    return out


def validate(text: str, *, field: str = "body") -> None:
    """Refuse unknown placeholders and unmatched braces, naming the placeholder."""
    _parse(text, field)


def placeholders_in(text: str) -> list[str]:
    """The placeholders a (valid) text uses, in order of first use."""
    seen: list[str] = []
    for _, name in _parse(text, "body"):
        if name is not None and name not in seen:
            seen.append(name)
    return seen


def _escape(literal: str) -> str:
    return literal.replace("{", "{{").replace("}", "}}")


def fill(
    text: str,
    values: Mapping[str, str],
    *,
    keep: frozenset[str] = frozenset(),
    required: frozenset[str] = frozenset(),
    field: str = "body",
) -> str:
    """``text`` with its placeholders replaced by ``values``.

    A placeholder in ``keep`` without a value is left in place, and then the result is
    still template text (its literal braces doubled), to be filled again later. One in
    ``required`` without a value is refused, naming it: a customer never reads a plan
    with a hole in it. Others without a value are left out.
    """
    pieces = _parse(text, field)
    kept = any(name in keep and not values.get(name) for _, name in pieces if name)
    out: list[str] = []
    for literal, name in pieces:
        out.append(_escape(literal) if kept else literal)
        if name is None:
            continue
        value = values.get(name, "")
        if value:
            out.append(_escape(value) if kept else value)
        elif name in keep:
            out.append("{" + name + "}")
        elif name in required:
            raise InvalidInput(
                "The message still has the placeholder {%(name)s}, and the case has no value "
                "for it: write the text instead.",
                field=field,
                name=name,
            )
    return "".join(out)


def default_templates() -> dict[tuple[str, str], Template]:
    """The built-in templates by (key, language)."""
    return {
        (key, lang): Template(key, lang, subject, body)
        for (key, lang), (subject, body) in DEFAULTS.items()
    }


def _check_key(key: str, language: str) -> None:
    if key not in KEYS or language not in LANGUAGES:
        raise NotFound("No such message template.")


def template_of(session: Session, key: str, language: str) -> Template:
    """The organisation's template ``key`` in ``language``, else the default."""
    _check_key(key, language)
    stored = session.scalar(
        select(MessageTemplate).where(
            MessageTemplate.key == key, MessageTemplate.language == language
        )
    )
    if stored is not None:
        return Template(key, language, stored.subject, stored.body, overridden=True)
    return default_templates()[(key, language)]


def list_templates(session: Session) -> list[Template]:
    """Every key in every language, overridden or default, in the editor's order."""
    stored = {(t.key, t.language): t for t in session.scalars(select(MessageTemplate))}
    defaults = default_templates()
    out = []
    for key in KEYS:
        for lang in LANGUAGES:
            own = stored.get((key, lang))
            out.append(
                Template(key, lang, own.subject, own.body, True) if own else defaults[(key, lang)]
            )
    return out


def check_template(subject: str, body: str) -> None:
    """All that is wrong with a template's subject and body, each field named."""
    problems = []
    for field, text, limit in (("subject", subject, SUBJECT_MAX), ("body", body, BODY_MAX)):
        try:
            if not text.strip():
                raise InvalidInput("This field is required.", field=field)
            if len(text) > limit:
                raise InvalidInput("At most %(max)s characters.", field=field, max=limit)
            if field == "subject" and len(subject.splitlines()) > 1:
                raise InvalidInput("The subject must be a single line.", field=field)
            validate(text, field=field)
        except InvalidInput as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInput("The template is not valid.", problems=problems)


def save_template(
    session: Session, key: str, language: str, *, subject: str, body: str
) -> MessageTemplate:
    """Store the organisation's own text of ``key`` in ``language`` (validated first)."""
    _check_key(key, language)
    subject, body = subject.strip(), body.strip()
    check_template(subject, body)
    stored = session.scalar(
        select(MessageTemplate).where(
            MessageTemplate.key == key, MessageTemplate.language == language
        )
    )
    if stored is None:
        stored = MessageTemplate(
            organisation_id=require_tenant(session), key=key, language=language
        )
        session.add(stored)
    stored.subject, stored.body = subject, body
    session.flush()
    return stored


def reset_template(session: Session, key: str, language: str) -> None:
    """Go back to the default text of ``key`` in ``language``."""
    _check_key(key, language)
    stored = session.scalar(
        select(MessageTemplate).where(
            MessageTemplate.key == key, MessageTemplate.language == language
        )
    )
    if stored is not None:
        session.delete(stored)
        session.flush()


def language_of(session: Session, case: Case) -> str:
    """The case's language if a template language, else the organisation's default."""
    if case.language in LANGUAGES:
        return case.language
    org = session.get(Organisation, require_tenant(session))
    default = org.default_locale if org is not None else "fi"
    return default if default in LANGUAGES else "fi"


def _touchpoint_name(session: Session, touchpoint_id: uuid.UUID | None, lang: str) -> str:
    touchpoint = session.get(Touchpoint, touchpoint_id) if touchpoint_id else None
    if touchpoint is None:
        return TOUCHPOINT_FALLBACK[lang]
    names = {"fi": touchpoint.name_fi, "en": touchpoint.name_en, "sv": touchpoint.name_sv}
    return names[lang] or touchpoint.name_en or touchpoint.name_fi


def values_for(
    session: Session, case: Case, *, language: str | None = None, settings: Settings | None = None
) -> dict[str, str]:
    """Every placeholder's value for ``case`` (empty where the case has none yet)."""
    lang = language or language_of(session, case)
    org = session.get(Organisation, require_tenant(session))
    handler = session.get(User, case.assignee_id) if case.assignee_id else None
    _, reply, followup = links.links_for(case.organisation_id, case.id, settings)
    return {
        "customer_name": (case.contact_name or "").strip() or CUSTOMER_FALLBACK[lang],
        "case_number": str(case.number),
        "case_title": case.title,
        "topic": case.topic,
        "touchpoint": _touchpoint_name(session, case.touchpoint_id, lang),
        "what_went_wrong": case.plan_what_went_wrong.strip(),
        "plan_action": case.plan_action.strip(),
        "plan_due": format_date(case.plan_due, "long", locale=lang) if case.plan_due else "",
        "action_note": case.action_note.strip(),
        "reply_link": reply,
        "followup_link": followup,
        "organisation": org.name if org is not None else "",
        "handler_name": handler.name if handler is not None else "",
    }


def render(
    session: Session,
    case: Case,
    key: str,
    *,
    extra: Mapping[str, str] | None = None,
    settings: Settings | None = None,
) -> tuple[str, str]:
    """(subject, body) of template ``key`` for ``case`` in its language, for the handler
    to edit. ``extra`` overrides values (e.g. a plan being written). The plan's fields
    without a value stay as placeholders (see the module's docstring)."""
    lang = language_of(session, case)
    template = template_of(session, key, lang)
    values = {**values_for(session, case, language=lang, settings=settings), **(extra or {})}
    subject = fill(template.subject, values, keep=LATE, field="subject")
    return " ".join(subject.split()), fill(template.body, values, keep=LATE)
