"""Every text the product shows has a Finnish translation, and translations keep the
placeholders of their source.

The msgids are extracted from the code and the templates exactly as ``scripts/i18n.sh``
does (same ``babel.cfg``, same ``KEYWORDS``), so a new string without a translation, or
a catalog that was not updated, fails here.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from kohtaamo.i18n import KEYWORDS, gettext, po_path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "kohtaamo"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]")


@cache
def extracted() -> dict[str, list[str]]:
    """msgid -> where it is used. Plural entries are keyed by their singular."""
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(SOURCE), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


@cache
def catalog(locale: str) -> Catalog:
    with po_path(locale).open("rb") as fh:
        return read_po(fh, locale=locale)


def test_extraction_sees_calls_tables_and_error_defaults() -> None:
    ids = extracted()
    assert "Sign out" in ids  # a template
    assert "The e-mail address or password is wrong." in ids  # gettext(locale, …)
    assert "Only an owner can make someone an owner." in ids  # an error class call
    assert "This field is required." in ids  # http.problems.VALIDATION_MESSAGES
    assert "Not signed in" in ids  # http.problems.STATUS_TITLES
    assert "The form has expired. Reload the page and try again." in ids  # default_message
    assert "Journeys" in ids  # N_ in the navigation


def test_every_msgid_has_a_finnish_translation() -> None:
    fi = catalog("fi")
    problems = []
    for msgid, where in sorted(extracted().items()):
        entry = fi.get(msgid)
        if entry is None:
            problems.append(f"not in the catalog (run scripts/i18n.sh): {msgid!r} ({where[0]})")
        elif entry.fuzzy:
            problems.append(f"fuzzy, check it: {msgid!r}")
        elif not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
            problems.append(f"untranslated: {msgid!r} ({where[0]})")
    assert not problems, "\n".join(problems)


def test_english_catalog_lists_every_msgid() -> None:
    # Source texts are English, so msgstrs may stay empty, but the catalog is kept in step.
    en = catalog("en")
    missing = [msgid for msgid in extracted() if en.get(msgid) is None]
    assert not missing, f"run scripts/i18n.sh: {missing}"


@pytest.mark.parametrize("locale", ["fi", "en"])
def test_translations_keep_their_placeholders(locale: str) -> None:
    wrong = []
    for entry in catalog(locale):
        if not entry.id or not entry.string:
            continue
        ids = [entry.id] if isinstance(entry.id, str) else list(entry.id)
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        expected = {name for msgid in ids for name in PLACEHOLDER.findall(msgid)}
        for text in strings:
            if text and set(PLACEHOLDER.findall(text)) != expected:
                wrong.append(f"{ids[0]!r} -> {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_catalogs_are_used_at_run_time() -> None:
    assert gettext("fi", "Sign out") == "Kirjaudu ulos"
    assert gettext("en", "Sign out") == "Sign out"
    assert gettext("fi", "Your role: %(role)s", role="Omistaja") == "Roolisi: Omistaja"
