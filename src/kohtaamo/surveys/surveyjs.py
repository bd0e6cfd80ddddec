"""Importing a SurveyJS survey (its JSON schema) as a Kohtaamo survey definition.

Pages and their elements become pages and questions (panels are flattened);
localisable strings (``{"default": …, "fi": …}``) become fi/en/sv texts, "default"
being the survey's ``locale`` or SurveyJS's own default, English. Simple ``visibleIf``
expressions (one comparison) become ``show_if``; anything else is reported as unmapped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kohtaamo.errors import InvalidInput
from kohtaamo.i18n import N_
from kohtaamo.surveys.catalogue import QuestionType
from kohtaamo.surveys.importing import (
    DefinitionBuilder,
    ImportResult,
    Keys,
    lang_code,
    plain,
    slug,
)

MAX_TEXT_LENGTH = 10_000
MAX_DEPTH = 20  # panels within panels; deeper is not a real survey
DESCRIPTIVE = {"html", "image", "expression"}
OTHER_LABEL = {"fi": "Muu", "en": "Other", "sv": "Annat"}
NONE_LABEL = {"fi": "Ei mitään näistä", "en": "None of these", "sv": "Inget av dessa"}

# {question} op value: the one form of visibleIf that maps onto a show-if condition.
CONDITION_RE = re.compile(
    r"""^\s*\{(?P<name>[^{}]+)\}\s*
    (?P<op>=|==|!=|<>|<=|>=|<|>|notempty|empty|contains|anyof)\s*
    (?P<value>.*?)\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
OPS = {
    "=": "eq",
    "==": "eq",
    "!=": "ne",
    "<>": "ne",
    "<": "lt",
    "<=": "le",
    ">": "gt",
    ">=": "ge",
    "contains": "eq",  # on a checkbox answer "eq" means "among the chosen"
    "anyof": "in",
    "notempty": "answered",
    "empty": "not_answered",
}


def is_surveyjs(data: Any) -> bool:
    return isinstance(data, dict) and (
        isinstance(data.get("pages"), list) or isinstance(data.get("questions"), list)
    )


@dataclass
class _Mapped:
    key: str
    type: QuestionType
    choices: dict[str, str] = field(default_factory=dict)  # SurveyJS value -> choice key


class _SurveyJs:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        source_locale = data.get("locale")
        default = lang_code(source_locale) if source_locale else "en"
        self.b = DefinitionBuilder(default or "en")
        if default is None:
            self.b.note(
                "survey",
                "locale",
                N_(
                    "The survey's language %(lang)s is not Finnish, English or Swedish; its texts "
                    "were imported as English."
                ),
                lang=str(source_locale),
            )
        self.mapped: dict[str, _Mapped] = {}
        self.ignored_languages: set[str] = set()

    def texts(self, value: Any) -> dict[str, str]:
        """A localisable string as fi/en/sv texts."""
        if isinstance(value, dict):
            out: dict[str, str] = {}
            for code, text in value.items():
                lang = self.b.default_language if code == "default" else lang_code(code)
                if lang is None:
                    self.ignored_languages.add(str(code))
                elif plain(text) and (code == "default" or lang not in out):
                    out[lang] = plain(text)
            return out
        text = plain(value) if isinstance(value, str | int | float) else ""
        return {self.b.default_language: text} if text else {}

    def parse(self) -> ImportResult:
        pages = self.data.get("pages")
        if not isinstance(pages, list):
            pages = [{"name": "page1", "elements": self.data.get("questions")}]
        for page in pages:
            if not isinstance(page, dict):
                continue
            self.b.new_page(page.get("name"), self.texts(page.get("title")))
            if page.get("visibleIf"):
                self.b.note(
                    page.get("name"),
                    "page",
                    N_(
                        "The page's display condition was not imported; the page is shown to "
                        "everyone."
                    ),
                )
            self.elements(page.get("elements") or page.get("questions"))
        for key in ("triggers", "calculatedValues"):
            if self.data.get(key):
                self.b.note(key, key, N_("This part of the survey has no counterpart in Kohtaamo."))
        for code in sorted(self.ignored_languages):
            self.b.note(
                code,
                "locale",
                N_(
                    "Translations into %(lang)s were left out: surveys are in Finnish, English "
                    "and Swedish."
                ),
                lang=code,
            )
        title = self.texts(self.data.get("title"))
        name = title.get(self.b.default_language) or next(iter(title.values()), "SurveyJS")
        definition = self.b.finish(
            title=title or {self.b.default_language: name},
            intro=self.texts(self.data.get("description")),
            thanks=self.texts(self.data.get("completedHtml")),
        )
        return ImportResult(
            format="surveyjs",
            definition=definition,
            key=slug(name, "surveyjs"),
            name=name[:200],
            unmapped=tuple(self.b.unmapped),
        )

    def elements(self, elements: Any, depth: int = 0) -> None:
        if not isinstance(elements, list):
            return
        if depth > MAX_DEPTH:
            self.b.note("panel", "panel", N_("Panels nested this deep were left out."))
            return
        for el in elements:
            if not isinstance(el, dict):
                continue
            kind = str(el.get("type") or "")
            name = str(el.get("name") or "")
            if kind == "panel":
                if el.get("visibleIf"):
                    self.b.note(
                        name,
                        kind,
                        N_(
                            "The panel's display condition was not imported; its questions are "
                            "shown to everyone."
                        ),
                    )
                self.elements(el.get("elements") or el.get("questions"), depth + 1)
            elif kind in DESCRIPTIVE:
                self.b.note(
                    name, kind, N_("Descriptive content is not a question and was skipped.")
                )
            else:
                self.question(el, kind, name)

    def question(self, el: dict[str, Any], kind: str, name: str) -> None:
        text = self.texts(el.get("title")) or {self.b.default_language: plain(name)}
        base: dict[str, Any] = {"text": text, "required": bool(el.get("isRequired"))}
        if el.get("description"):
            base["help"] = self.texts(el.get("description"))
        if el.get("visibleIf"):
            condition = self.condition(str(el["visibleIf"]))
            if condition is None:
                self.b.note(
                    name,
                    "visibleIf",
                    N_(
                        "The display condition is too complex to import; the question is shown to "
                        "everyone."
                    ),
                )
            else:
                base["show_if"] = condition
        if el.get("visible") is False:
            key = self.b.keys.make(name)
            self.add(name, kind, {"key": key, "type": "hidden"}, _Mapped(key, QuestionType.HIDDEN))
        elif kind in ("radiogroup", "dropdown", "checkbox", "tagbox"):
            self.choice(el, kind, name, base)
        elif kind in ("text", "comment"):
            key = self.b.keys.make(name)
            data = {**base, "key": key, "type": "text"}
            limit = el.get("maxLength")
            if isinstance(limit, int) and 0 < limit <= MAX_TEXT_LENGTH:
                data["max_length"] = limit
            self.add(name, kind, data, _Mapped(key, QuestionType.TEXT))
        elif kind == "boolean":
            key = self.b.keys.make(name)
            self.add(
                name,
                kind,
                {**base, "key": key, "type": "yes_no"},
                _Mapped(key, QuestionType.YES_NO),
            )
        elif kind == "rating":
            self.rating(el, name, base)
        elif kind == "matrix":
            self.matrix(el, name, base)
        else:
            self.b.note(name, kind, N_("This question type has no counterpart in Kohtaamo."))

    def add(self, name: str, kind: str, data: dict[str, Any], mapped: _Mapped) -> None:
        if self.b.add(data, name, kind) is not None:
            self.mapped[name] = mapped

    def _items(self, raw: Any) -> list[tuple[str, dict[str, str]]]:
        """Choices, rate values or matrix rows and columns as (value, texts)."""
        out = []
        for item in raw if isinstance(raw, list) else []:
            if isinstance(item, dict):
                value = item.get("value")
                if value is None:
                    continue
                label = self.texts(item.get("text")) or {self.b.default_language: str(value)}
            elif isinstance(item, str | int | float) and not isinstance(item, bool):
                value, label = item, {self.b.default_language: plain(item)}
            else:
                continue
            out.append((str(value), label))
        return out

    def choice(self, el: dict[str, Any], kind: str, name: str, base: dict[str, Any]) -> None:
        multi = kind in ("checkbox", "tagbox")
        qtype = QuestionType.MULTIPLE_CHOICE if multi else QuestionType.SINGLE_CHOICE
        key = self.b.keys.make(name)
        mapped = _Mapped(key, qtype)
        keys = Keys()
        choices = []
        items = self._items(el.get("choices"))
        if el.get("hasOther") or el.get("showOtherItem"):
            items.append(("other", self.texts(el.get("otherText")) or dict(OTHER_LABEL)))
            self.b.note(
                name,
                kind,
                N_("The comment box of the 'Other' choice was not imported; the choice was."),
            )
        if el.get("hasNone") or el.get("showNoneItem"):
            items.append(("none", self.texts(el.get("noneText")) or dict(NONE_LABEL)))
        for value, label in items:
            mapped.choices[value] = keys.make(value, "c")
            choices.append({"key": mapped.choices[value], "label": label})
        if el.get("choicesByUrl") and not items:
            self.b.note(name, kind, N_("Choices loaded from a web address cannot be imported."))
            return
        data: dict[str, Any] = {**base, "key": key, "type": qtype.value, "choices": choices}
        if multi and isinstance(el.get("maxSelectedChoices"), int) and el["maxSelectedChoices"] > 0:
            data["max_choices"] = el["maxSelectedChoices"]
        self.add(name, kind, data, mapped)

    def _scale(self, values: list[int]) -> tuple[int, int] | None:
        if len(values) < 2 or values != list(range(values[0], values[0] + len(values))):
            return None
        return values[0], values[-1]

    def rating(self, el: dict[str, Any], name: str, base: dict[str, Any]) -> None:
        items = self._items(el.get("rateValues"))
        if items:
            numbers = [_whole(v) for v, _ in items]
            span = None if None in numbers else self._scale([n for n in numbers if n is not None])
            if span is None:  # worded steps: a single choice keeps them all
                self.choice({**el, "choices": el.get("rateValues")}, "rating", name, base)
                return
        else:
            lo, step = _whole(el.get("rateMin", 1)), _whole(el.get("rateStep", 1))
            count = _whole(el.get("rateCount"))
            hi = _whole(el.get("rateMax", (lo or 1) + (count or 5) - 1))
            if lo is None or hi is None or step != 1:
                self.b.note(name, "rating", N_("The rating's steps cannot be imported as a scale."))
                return
            span = (lo, hi)
        lo, hi = span
        if not (-10 <= lo < hi <= 10 and hi - lo <= 10):
            self.b.note(
                name,
                "rating",
                N_("The rating's range %(min)s–%(max)s does not fit a scale of 2 to 11 points."),
                min=lo,
                max=hi,
            )
            return
        scale = {
            "min": lo,
            "max": hi,
            "min_label": self.texts(el.get("minRateDescription")),
            "max_label": self.texts(el.get("maxRateDescription")),
        }
        # A 0–10 rating is how SurveyJS asks the recommendation question.
        qtype = QuestionType.NPS if (lo, hi) == (0, 10) else QuestionType.RATING
        key = self.b.keys.make(name)
        self.add(
            name,
            "rating",
            {**base, "key": key, "type": qtype.value, "scale": scale},
            _Mapped(key, qtype),
        )

    def matrix(self, el: dict[str, Any], name: str, base: dict[str, Any]) -> None:
        columns = self._items(el.get("columns"))
        rows = self._items(el.get("rows"))
        if not 2 <= len(columns) <= 11 or not rows:
            self.b.note(
                name,
                "matrix",
                N_("A matrix needs 2 to 11 answer columns to become rating questions."),
            )
            return
        numbers = [_whole(v) for v, _ in columns]
        span = None if None in numbers else self._scale([n for n in numbers if n is not None])
        lo = span[0] if span and span[0] >= -10 and span[1] <= 10 else 1
        scale = {
            "min": lo,
            "max": lo + len(columns) - 1,
            "min_label": columns[0][1],
            "max_label": columns[-1][1],
        }
        for value, label in rows:
            key = self.b.keys.make(f"{name}_{value}")
            data = {
                **base,
                "key": key,
                "type": "rating",
                "scale": scale,
                "text": label,
                "help": base["text"],
            }
            if self.b.add(data, f"{name}.{value}", "matrix") is not None:
                self.mapped[f"{name}.{value}"] = _Mapped(key, QuestionType.RATING)

    def condition(self, expression: str) -> dict[str, Any] | None:
        match = CONDITION_RE.match(expression)
        if match is None:
            return None
        source = self.mapped.get(match["name"].strip())
        op = OPS[match["op"].lower()]
        if source is None:
            return None
        if op in ("answered", "not_answered"):
            return {"question": source.key, "op": op} if not match["value"] else None
        value = _literal(match["value"])
        if value is None:
            return None
        if source.choices:
            values = value if isinstance(value, list) else [value]
            keys = [source.choices.get(str(v)) for v in values]
            if None in keys or (op == "in") != isinstance(value, list):
                return None
            return {"question": source.key, "op": op, "value": keys if op == "in" else keys[0]}
        if isinstance(value, list) or (op in ("lt", "le", "gt", "ge") and isinstance(value, str)):
            return None
        return {"question": source.key, "op": op, "value": value}


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,3}\s*", value):
        return int(value)
    return None


def _literal(raw: str) -> Any:
    """A value of a SurveyJS expression: 'text', "text", 6, 4.5, true, ['a', 'b']."""
    raw = raw.strip()
    if raw.startswith("[") and raw.endswith("]"):
        items = [_literal(part) for part in raw[1:-1].split(",") if part.strip()]
        return None if None in items or not items else items
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    number = _whole(raw)
    if number is not None:
        return number
    try:
        return float(raw)
    except ValueError:
        return None


def parse_surveyjs(data: Any) -> ImportResult:
    """A SurveyJS survey JSON as a Kohtaamo definition (InvalidInput if it is not one)."""
    if not is_surveyjs(data):
        raise InvalidInput(
            "This is not a SurveyJS survey: it has no pages or questions.", field="file"
        )
    return _SurveyJs(data).parse()
