"""The survey builder's forms: a question's form fields to and from its definition,
the first definition of a new survey, and the question bank as the forms offer it.

Form fields are named by their path in the definition (``text.fi``, ``scale.min``,
``show_if.value``), so that a validation error of the definition lands next to the
field it names. Nothing here touches the database.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from kohtaamo.errors import FieldProblem
from kohtaamo.surveys.catalogue import FIXED_SCALES, LANGUAGES, PairForm, QuestionType
from kohtaamo.surveys.definition import text_in

TEXT_GROUPS = ("text", "help", "expected_label", "experienced_label")
LABEL_GROUPS = ("scale.min_label", "scale.max_label")
QUESTION_FIELDS = frozenset(
    {
        *TEXT_GROUPS,
        *(f"{g}.{lang}" for g in (*TEXT_GROUPS, *LABEL_GROUPS) for lang in LANGUAGES),
        *LABEL_GROUPS,
        "required",
        "touchpoint",
        "role",
        "scale",
        "scale.min",
        "scale.max",
        "pair_form",
        "choices",
        "max_choices",
        "max_length",
        "show_if",
        "show_if.question",
        "show_if.op",
        "show_if.value",
    }
)
DETAIL_FIELDS = frozenset(
    {
        *(f"{g}.{lang}" for g in ("title", "intro", "thanks") for lang in LANGUAGES),
        "title",
        "intro",
        "thanks",
        "default_language",
        "languages",
    }
)
PAGE_FIELDS = frozenset({"title", *(f"title.{lang}" for lang in LANGUAGES)})
SCALED = (QuestionType.RATING, QuestionType.EXPECTATION_EXPERIENCE, *FIXED_SCALES)
CHOICE_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)
OPS_WITHOUT_VALUE = ("answered", "not_answered")
YES = {"yes", "true", "kyllä", "ja", "1"}
NO = {"no", "false", "ei", "nej", "0"}

# Respondent-facing starter texts: content in the survey's three languages, not UI msgids.
STARTER_QUESTION = {
    "fi": "Kuinka tyytyväinen olit?",
    "en": "How satisfied were you?",
    "sv": "Hur nöjd var du?",
}
CHOICE_PLACEHOLDERS = (
    {"fi": "Vaihtoehto 1", "en": "Option 1", "sv": "Alternativ 1"},
    {"fi": "Vaihtoehto 2", "en": "Option 2", "sv": "Alternativ 2"},
)


# --- the question bank (surveys/bank.py) ----------------------------------------------------


def _bank() -> ModuleType | None:
    try:
        return importlib.import_module("kohtaamo.surveys.bank")
    except ImportError:  # pragma: no cover - the bank ships with the surveys package
        return None


def bank_options(locale: str) -> list[tuple[str, str]]:
    """(key, text in the reader's language) of every question of the bank."""
    bank = _bank()
    if bank is None:
        return []
    out = []
    for key in getattr(bank, "QUESTION_BANK", {}):
        try:
            q = bank.bank_question(key)
        except Exception:  # pragma: no cover - a broken bank entry is not offered
            continue
        out.append((str(key), text_in(q.text, locale) or str(key)))
    return out


def bank_question_data(key: str, new_key: str, touchpoint: str | None) -> dict[str, Any] | None:
    """A bank question as definition data under ``new_key``; None for an unknown key."""
    bank = _bank()
    if bank is None or key not in getattr(bank, "QUESTION_BANK", {}):
        return None
    q = bank.bank_question(key, new_key=new_key, touchpoint=touchpoint)
    data: dict[str, Any] = q.model_dump(mode="json", exclude_none=True)
    return data


# --- new surveys and questions -------------------------------------------------------------


def new_key(taken: set[str], prefix: str = "q") -> str:
    n = len(taken) + 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def blank_question(
    qtype: str, key: str, text: dict[str, str], touchpoint: str | None
) -> dict[str, Any]:
    """A question of ``qtype`` with what its type needs to be valid (scale, pair, choices)."""
    q: dict[str, Any] = {"key": key, "type": qtype, "text": text}
    if touchpoint:
        q["touchpoint"] = touchpoint
    if qtype == QuestionType.RATING:
        q["scale"] = {"min": 1, "max": 5}
    elif qtype == QuestionType.EXPECTATION_EXPERIENCE:
        q["pair_form"] = PairForm.DOUBLE.value
    elif qtype in CHOICE_TYPES:
        q["choices"] = [
            {"key": f"option_{i}", "label": dict(label)}
            for i, label in enumerate(CHOICE_PLACEHOLDERS, start=1)
        ]
    if qtype == QuestionType.HIDDEN:
        q.pop("text")
    return q


def starter_definition(name: str, touchpoint: str | None, bank_key: str | None) -> dict[str, Any]:
    """The first version of a new survey: its name as title, one page, one question."""
    question = bank_question_data(bank_key, "q1", touchpoint) if bank_key else None
    if question is None:
        question = blank_question(QuestionType.CSAT.value, "q1", dict(STARTER_QUESTION), touchpoint)
    return {
        "title": {lang: name for lang in LANGUAGES},
        "pages": [{"key": "p1", "questions": [question]}],
    }


# --- a question's form ----------------------------------------------------------------------


def slug(text: str, fallback: str) -> str:
    """A key from a label: "Erittäin hyvä" → "erittain_hyva"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9_.-]+", "_", ascii_text.lower()).strip("_")[:80]
    return out or fallback


def parse_choices(text: str) -> list[dict[str, Any]]:
    """One choice a line: ``key | Finnish | English | Swedish`` (or only the Finnish label)."""
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 1:
            out.append({"key": slug(parts[0], f"c{n}"), "label": {"fi": parts[0]}})
            continue
        labels = {lang: v for lang, v in zip(LANGUAGES, parts[1:], strict=False) if v}
        out.append({"key": parts[0], "label": labels})
    return out


def choices_text(choices: list[dict[str, Any]]) -> str:
    lines = []
    for c in choices:
        label = c.get("label") or {}
        lines.append(" | ".join([c["key"], *(label.get(lang, "") for lang in LANGUAGES)]))
    return "\n".join(line.rstrip(" |") for line in lines)


def _number(raw: str) -> int | float | str:
    raw = raw.strip()
    if re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if re.fullmatch(r"-?\d+[.,]\d+", raw):
        return float(raw.replace(",", "."))
    return raw


def parse_condition_value(raw: str, op: str, on_type: str | None) -> Any:
    if op in OPS_WITHOUT_VALUE:
        return None
    raw = raw.strip()
    if op == "in":
        return [_number(v) for v in raw.split(",") if v.strip()] if raw else None
    if on_type == QuestionType.YES_NO and raw.lower() in YES | NO:
        return raw.lower() in YES
    return _number(raw) if raw else None


def condition_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _texts(form: Mapping[str, str], group: str) -> dict[str, str]:
    return {
        lang: form[f"{group}.{lang}"].strip()
        for lang in LANGUAGES
        if form.get(f"{group}.{lang}", "").strip()
    }


def question_from_form(
    old: dict[str, Any], form: Mapping[str, str], types_by_key: Mapping[str, str]
) -> dict[str, Any]:
    """The question ``old`` with the edit form's values (keeps its key and type)."""
    qtype = QuestionType(old["type"])
    q: dict[str, Any] = {"key": old["key"], "type": qtype.value}
    for group in ("text", "help"):
        q[group] = _texts(form, group)
    q["required"] = form.get("required") in ("on", "true", "1")
    if form.get("touchpoint"):
        q["touchpoint"] = form["touchpoint"]
    if form.get("role"):
        q["role"] = form["role"]
    if qtype in SCALED:
        labels = {g: _texts(form, f"scale.{g}") for g in ("min_label", "max_label")}
        lo, hi = form.get("scale.min", "").strip(), form.get("scale.max", "").strip()
        if qtype in FIXED_SCALES:
            lo, hi = (str(v) for v in FIXED_SCALES[qtype])
            if not any(labels.values()):
                lo = hi = ""
        elif (
            qtype is QuestionType.EXPECTATION_EXPERIENCE and not (lo or hi) and any(labels.values())
        ):
            compared = form.get("pair_form") == PairForm.COMPARED
            lo, hi = ("-2", "2") if compared else ("1", "5")
        if lo or hi:
            q["scale"] = {"min": _number(lo), "max": _number(hi), **labels}
    if qtype is QuestionType.EXPECTATION_EXPERIENCE:
        q["pair_form"] = form.get("pair_form") or None
        for group in ("expected_label", "experienced_label"):
            q[group] = _texts(form, group)
    if qtype in (*CHOICE_TYPES, QuestionType.EMOTION):
        q["choices"] = parse_choices(form.get("choices", ""))
    if (
        qtype in (QuestionType.MULTIPLE_CHOICE, QuestionType.EMOTION)
        and form.get("max_choices", "").strip()
    ):
        q["max_choices"] = _number(form["max_choices"])
    if qtype is QuestionType.TEXT and form.get("max_length", "").strip():
        q["max_length"] = _number(form["max_length"])
    on = form.get("show_if.question", "")
    if on:
        op = form.get("show_if.op") or "eq"
        q["show_if"] = {
            "question": on,
            "op": op,
            "value": parse_condition_value(form.get("show_if.value", ""), op, types_by_key.get(on)),
        }
    return q


def question_form_values(q: dict[str, Any]) -> dict[str, str]:
    """The edit form's values of a stored question."""
    out: dict[str, str] = {}
    for group in TEXT_GROUPS:
        for lang, value in (q.get(group) or {}).items():
            out[f"{group}.{lang}"] = value
    scale = q.get("scale") or {}
    if scale:
        out["scale.min"], out["scale.max"] = str(scale["min"]), str(scale["max"])
        for g in ("min_label", "max_label"):
            for lang, value in (scale.get(g) or {}).items():
                out[f"scale.{g}.{lang}"] = value
    out["required"] = "on" if q.get("required") else ""
    out["touchpoint"] = q.get("touchpoint") or ""
    out["role"] = q.get("role") or ""
    out["pair_form"] = q.get("pair_form") or ""
    out["choices"] = choices_text(q.get("choices") or [])
    out["max_choices"] = str(q.get("max_choices") or "")
    out["max_length"] = str(q.get("max_length") or "")
    cond = q.get("show_if") or {}
    out["show_if.question"] = cond.get("question", "")
    out["show_if.op"] = cond.get("op", "eq")
    out["show_if.value"] = condition_text(cond.get("value"))
    return out


def errors_at(
    problems: list[FieldProblem], prefix: str, known: frozenset[str]
) -> list[FieldProblem]:
    """``problems`` renamed to the form's fields: the path under ``prefix``, shortened to
    the nearest field the form has; anything else belongs to the whole form (``""``)."""
    out = []
    for p in problems:
        field = ""
        if prefix and (p.field == prefix or p.field.startswith(prefix + ".")):
            rest = p.field[len(prefix) + 1 :]
        elif not prefix:
            rest = p.field
        else:
            rest = ""
        parts = rest.split(".") if rest else []
        while parts:
            if ".".join(parts) in known:
                field = ".".join(parts)
                break
            parts.pop()
        out.append(FieldProblem(field, p.message, p.params))
    return out
