"""What every survey importer shares: the result it returns, the items it could not
map, and the builder that turns loose question data into a valid ``SurveyDefinition``.

Importers (``qsf``, ``surveyjs``, ``portability`` for Kohtaamo's own format) never
crash on what they do not understand: a question they cannot convert becomes an
``Unmapped`` item with a reason, and only a file that is not a survey at all (or is
too large, or leaves no question) raises ``InvalidInput``.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from pydantic import ValidationError

from kohtaamo.errors import FieldProblem, InvalidInput
from kohtaamo.i18n import N_, gettext
from kohtaamo.journeys.ingest import problems_of
from kohtaamo.surveys.catalogue import LANGUAGES, QuestionType, SurveyKind
from kohtaamo.surveys.definition import (
    KEY_PATTERN,
    MAX_QUESTIONS,
    Question,
    SurveyDefinition,
)

MAX_IMPORT_BYTES = 4 * 1024 * 1024
"""A survey file larger than this is refused before it is parsed (a real QSF of a few
hundred questions in three languages is well under 2 MB)."""

MAX_TEXT = 2000  # definition.Str
_KEY_RE = re.compile(KEY_PATTERN)


@dataclass(frozen=True)
class Unmapped:
    """Something in the source that did not become (all of) a Kohtaamo question."""

    source_id: str
    source_type: str
    reason: str  # an English msgid
    params: Mapping[str, str | int] = field(default_factory=dict)

    def message(self, locale: str = "en") -> str:
        try:
            return gettext(locale, self.reason, **self.params)
        except (KeyError, ValueError):
            return gettext(locale, self.reason)

    def as_json(self) -> dict[str, str]:
        return {
            "source_id": self.source_id,
            "source_type": self.source_type,
            "reason": self.message("en"),
        }


@dataclass(frozen=True)
class ImportResult:
    """A parsed survey file: the definition, a suggested key and name, and what was left out."""

    format: str  # "qsf", "surveyjs" or "kohtaamo"
    definition: SurveyDefinition
    key: str
    name: str
    kind: SurveyKind = SurveyKind.TOUCHPOINT
    unmapped: tuple[Unmapped, ...] = ()


def load_json(raw: bytes) -> Any:
    """The JSON document in ``raw``, or InvalidInput saying why not (size, encoding, syntax)."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise InvalidInput(
            "The file is too large: at most %(size)s MB is accepted.",
            field="file",
            size=MAX_IMPORT_BYTES // (1024 * 1024),
        )
    if not raw.strip():
        raise InvalidInput("The file is empty.", field="file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("The file is not UTF-8 text.", field="file") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            "The file is not valid JSON: %(detail)s (line %(line)s).",
            field="file",
            detail=exc.msg,
            line=exc.lineno,
        ) from exc
    except RecursionError as exc:
        raise InvalidInput("The file is nested too deeply.", field="file") from exc


def lang_code(code: Any) -> str | None:
    """A source language code (``FI``, ``en-GB``, ``SV``) as fi/en/sv, else None."""
    if not isinstance(code, str):
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else None


class _Stripper(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("br", "p", "div", "li"):
            self.parts.append(" ")


def plain(value: Any) -> str:
    """Source text (often HTML, as Qualtrics and SurveyJS store it) as one plain line."""
    if value is None or isinstance(value, dict | list):
        return ""
    text = str(value)
    if "<" in text:
        stripper = _Stripper()
        stripper.feed(text)
        stripper.close()
        text = "".join(stripper.parts)
    else:
        text = html.unescape(text)
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"\s+", " ", text).strip()[:MAX_TEXT]


def slug(raw: Any, fallback: str = "q") -> str:
    """A valid key from a source id or name: ascii, lowercase, ``[a-z0-9_.-]``."""
    text = unicodedata.normalize("NFKD", str(raw or "")).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9_.-]+", "_", text.lower()).strip("_.-")[:60].strip("_.-")
    return text or fallback


class Keys:
    """Hands out unique keys: ``slug(raw)``, then ``slug(raw)_2``, ``_3``…"""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken: set[str] = set(taken)

    def make(self, raw: Any, fallback: str = "q") -> str:
        base = slug(raw, fallback)
        key, n = base, 1
        while key in self.taken:
            n += 1
            key = f"{base}_{n}"
        self.taken.add(key)
        assert _KEY_RE.match(key)
        return key


def _detail(exc: ValidationError) -> str:
    err = exc.errors(include_url=False, include_input=False)[0]
    return str(err["msg"]).removeprefix("Value error, ")


class DefinitionBuilder:
    """Collects pages of question data and checks each question as it comes.

    A question that fails Kohtaamo's rules is reported, not fatal; a show-if naming a
    question that was not imported is dropped (and reported), so the survey shows the
    question to everyone rather than to no one.
    """

    def __init__(self, default_language: str) -> None:
        self.default_language = default_language
        self.pages: list[dict[str, Any]] = []
        self.unmapped: list[Unmapped] = []
        self.keys = Keys()
        self.page_keys = Keys()
        self.added: dict[str, Question] = {}
        self.languages: set[str] = {default_language}

    def note(self, source_id: Any, source_type: Any, reason: str, **params: str | int) -> None:
        self.unmapped.append(Unmapped(str(source_id or ""), str(source_type or ""), reason, params))

    def new_page(self, raw_key: Any = None, title: dict[str, str] | None = None) -> None:
        """Start a page; pages whose questions were all left out are dropped at the end."""
        key = self.page_keys.make(raw_key or f"p{len(self.pages) + 1}", "p")
        self.pages.append({"key": key, "title": self.fill_default(title or {}), "questions": []})

    def add(self, data: dict[str, Any], source_id: Any, source_type: Any) -> Question | None:
        """Check one question (its key already unique) and put it on the current page."""
        if not self.pages:
            self.new_page()
        if len(self.added) >= MAX_QUESTIONS:
            self.note(
                source_id,
                source_type,
                N_("A survey may have at most %(n)s questions."),
                n=MAX_QUESTIONS,
            )
            return None
        for part in ("text", "help", "expected_label", "experienced_label"):
            if part in data:
                data[part] = self.fill_default(data[part])
        cond = data.get("show_if")
        if cond is not None and cond.get("question") not in self.added:
            data.pop("show_if")
            self.note(
                source_id,
                source_type,
                N_(
                    "The display condition refers to a question that was not imported; the "
                    "question is shown to everyone."
                ),
            )
        try:
            question = Question.model_validate(data)
        except ValidationError as exc:
            self.keys.taken.discard(str(data.get("key")))
            self.note(
                source_id,
                source_type,
                N_("The question could not be converted: %(detail)s"),
                detail=_detail(exc),
            )
            return None
        # The question wordings say which languages the survey is in (a choice label
        # from a default, like SurveyJS's "Other", does not add one).
        self.languages.update(question.text)
        self.pages[-1]["questions"].append(question)
        self.added[question.key] = question
        return question

    def fill_default(self, text: dict[str, str]) -> dict[str, str]:
        """Texts always have the default language: copy another language's when missing,
        as the source tools themselves fall back when showing the survey."""
        text = {k: v for k, v in text.items() if v}
        if text and not text.get(self.default_language):
            text[self.default_language] = next(iter(text.values()))
        return text

    def finish(
        self,
        *,
        title: dict[str, str],
        intro: dict[str, str] | None = None,
        thanks: dict[str, str] | None = None,
    ) -> SurveyDefinition:
        self.pages = [page for page in self.pages if page["questions"]]
        if all(q.type is QuestionType.HIDDEN for q in self.added.values()):
            raise InvalidInput(
                "No question in the file could be imported.",
                problems=[
                    FieldProblem("file", N_("No question in the file could be imported.")),
                ],
            )
        self.languages.update(title)
        languages = [lang for lang in LANGUAGES if lang in self.languages]
        data = {
            "default_language": self.default_language,
            "languages": languages,
            "title": self.fill_default(title),
            "intro": self.fill_default(intro or {}),
            "thanks": self.fill_default(thanks or {}),
            "pages": self.pages,
        }
        try:
            return SurveyDefinition.model_validate(data)
        except ValidationError as exc:
            raise InvalidInput(
                "The survey could not be converted.", problems=problems_of(exc)
            ) from exc
