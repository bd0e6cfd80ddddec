"""Translations (gettext catalogs via Babel) and language negotiation.

Catalogs live in ``kohtaamo/locale/<lang>/LC_MESSAGES/messages.po`` and are compiled in
memory on first use, so there is no build step and no binary file in the repository.
Source strings are English; Finnish is complete (a test checks every msgid).
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

SUPPORTED = ("fi", "en")
# Survey respondents may also answer in Swedish; the staff UI stays Finnish and English.
RESPONDENT_LANGUAGES = ("fi", "en", "sv")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

# Functions and error classes whose arguments are msgids, with the argument positions
# (None: the first). ``gettext(locale, message)`` takes the locale first; in templates
# ``_(message)`` and ``_n(singular, plural, n)`` have it bound. Used by extraction
# (babel.cfg via scripts/i18n.sh) and by tests/test_i18n.py.
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "_": None,
    "_n": (1, 2),
    "N_": None,
    "gettext": (2,),
    "ngettext": (2, 3),
    "InvalidInput": None,
    "Unauthenticated": None,
    "PermissionDenied": None,
    "NotFound": None,
    "Conflict": None,
    "TooManyRequests": None,
    "PayloadTooLarge": None,
    "rule_error": None,
    "FieldProblem": (2,),
    "_problem": (2,),
    "MetricInputError": None,
    "Verdict": None,
    "Gone": None,
    "Unavailable": None,
}


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"


@cache
def translations(locale: str) -> NullTranslations:
    path = po_path(locale)
    if locale not in RESPONDENT_LANGUAGES or not path.exists():
        return NullTranslations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(buf, domain="messages")


def gettext(locale: str, message: str, **params: Any) -> str:
    text = translations(locale).gettext(message)
    return text % params if params else text


def ngettext(locale: str, singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(locale).ngettext(singular, plural, n)
    return text % ({"num": n} | params)


def negotiate(
    accept_language: str | None, default: str = "fi", supported: tuple[str, ...] = SUPPORTED
) -> str:
    """Pick one of ``supported`` from an Accept-Language header (q-values honoured)."""
    if not accept_language:
        return default
    ranked: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().replace("-", "_")
        q = 1.0
        for p in pieces[1:]:
            if p.strip().startswith("q="):
                try:
                    q = float(p.strip()[2:])
                except ValueError:
                    q = 0.0
        if tag and tag != "*":
            ranked.append((q, tag))
    ranked.sort(key=lambda item: -item[0])
    chosen = negotiate_locale([t for _, t in ranked], list(supported), sep="_")
    return chosen or default


def language_name(locale: str) -> str:
    return Locale.parse(locale).get_display_name(locale) or locale
