"""Answers against a definition: what is visible, what is valid, what it measures.

Pure functions over a ``SurveyDefinition`` and a mapping of question key to answer, used
by every way a response arrives (public pages, widget, API, e-mail links, imports, demo).

Answer shapes by question type:

- nps, csat, ces, rating, and the compared form of expectation_experience: an integer
  on the question's scale;
- expectation_experience, double form: ``{"expected": int, "experienced": int}``;
- single_choice: a choice key; multiple_choice and emotion: a list of distinct keys;
- text and hidden: a string; yes_no: true or false.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from kohtaamo.errors import FieldProblem
from kohtaamo.surveys.catalogue import MeasureRole, PairForm, QuestionType
from kohtaamo.surveys.definition import Condition, Question, SurveyDefinition

MAX_HIDDEN_LENGTH = 500
# C0/C1 control characters other than tab and newline; carriage returns are normalised.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class MeasureValue:
    """One number an answer contributes to the analytics."""

    question: str
    role: MeasureRole
    value: float
    scale_min: int
    scale_max: int
    touchpoint: str | None


def _compare(cond: Condition, answer: Any) -> bool:
    if cond.op == "answered":
        return answer is not None
    if cond.op == "not_answered":
        return answer is None
    if answer is None:
        return False
    if isinstance(answer, dict):  # a double pair: conditions read the experience
        answer = answer.get("experienced")
    value = cond.value
    if isinstance(answer, list):
        if cond.op == "in" and isinstance(value, list):
            return any(a in value for a in answer)
        return (value in answer) if cond.op == "eq" else (value not in answer)
    try:
        match cond.op:
            case "eq":
                return bool(answer == value)
            case "ne":
                return bool(answer != value)
            case "in":
                return answer in (value if isinstance(value, list) else [value])
            case "lt":
                return bool(answer < value)
            case "le":
                return bool(answer <= value)
            case "gt":
                return bool(answer > value)
            case "ge":
                return bool(answer >= value)
    except TypeError:
        return False
    return False


def visible(definition: SurveyDefinition, answers: dict[str, Any]) -> list[Question]:
    """Questions shown given the answers so far (a hidden question's dependants hide too)."""
    shown: dict[str, Question] = {}
    for q in definition.questions():
        if q.show_if is not None:
            if q.show_if.question not in shown:
                continue
            if not _compare(q.show_if, answers.get(q.show_if.question)):
                continue
        shown[q.key] = q
    return list(shown.values())


def clean_text(value: str) -> str:
    """NFC, CRLF to LF, no control characters, no surrounding whitespace."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    return value.strip()


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,3}", value.strip()):
        return int(value.strip())
    return None


def _problem(key: str, message: str, **params: Any) -> FieldProblem:
    return FieldProblem(f"answers.{key}", message, params)


def _check_scale(q: Question, raw: Any, field: str) -> tuple[Any, FieldProblem | None]:
    scale = q.effective_scale()
    assert scale is not None
    n = _int(raw)
    if n is None or not scale.contains(n):
        return None, _problem(
            field, "Choose a whole number from %(min)s to %(max)s.", min=scale.min, max=scale.max
        )
    return n, None


def normalise_answer(q: Question, raw: Any) -> tuple[Any, FieldProblem | None]:
    """The stored form of one answer, or what is wrong with it."""
    t = q.type
    if t in (QuestionType.NPS, QuestionType.CSAT, QuestionType.CES, QuestionType.RATING):
        return _check_scale(q, raw, q.key)
    if t is QuestionType.EXPECTATION_EXPERIENCE:
        if q.pair_form is PairForm.COMPARED:
            return _check_scale(q, raw, q.key)
        if not isinstance(raw, dict) or set(raw) - {"expected", "experienced"}:
            return None, _problem(q.key, "Rate both what you expected and what you experienced.")
        out: dict[str, int] = {}
        for part in ("expected", "experienced"):
            if raw.get(part) is None:
                continue
            value, problem = _check_scale(q, raw[part], f"{q.key}.{part}")
            if problem is not None:
                return None, problem
            out[part] = value
        if q.required and len(out) < 2:
            return None, _problem(q.key, "Rate both what you expected and what you experienced.")
        return (out or None), None
    if t is QuestionType.SINGLE_CHOICE:
        if not isinstance(raw, str) or raw not in q.choice_keys():
            return None, _problem(q.key, "Choose one of the choices offered.")
        return raw, None
    if t in (QuestionType.MULTIPLE_CHOICE, QuestionType.EMOTION):
        if isinstance(raw, str):
            raw = [raw]
        offered = q.choice_keys()
        if not isinstance(raw, list) or not all(isinstance(v, str) and v in offered for v in raw):
            return None, _problem(q.key, "Choose only among the choices offered.")
        chosen = list(dict.fromkeys(raw))
        if q.max_choices is not None and len(chosen) > q.max_choices:
            return None, _problem(q.key, "Choose at most %(n)s.", n=q.max_choices)
        return (chosen or None), None
    if t is QuestionType.YES_NO:
        if isinstance(raw, bool):
            return raw, None
        if raw in ("yes", "true", "1", 1):
            return True, None
        if raw in ("no", "false", "0", 0):
            return False, None
        return None, _problem(q.key, "Answer yes or no.")
    # text and hidden
    if not isinstance(raw, str):
        return None, _problem(q.key, "Give text.")
    if _CONTROL.search(raw):
        return None, _problem(q.key, "The text contains control characters.")
    text = clean_text(raw)
    limit = MAX_HIDDEN_LENGTH if t is QuestionType.HIDDEN else q.max_length
    if len(text) > limit:
        return None, _problem(
            q.key, "Too long: at most %(max_length)s characters.", max_length=limit
        )
    return (text or None), None


def _is_empty(raw: Any) -> bool:
    return raw is None or raw == "" or raw == [] or raw == {}


def check_answers(
    definition: SurveyDefinition,
    answers: dict[str, Any],
    *,
    finished: bool,
    pages: set[str] | None = None,
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Normalise ``answers``; list every problem (unknown questions, shapes, required).

    ``finished``: the respondent says they are done, so every visible required question
    must be answered. ``pages``: keys of the pages submitted so far (for page-by-page
    saving, required questions are checked only on those pages); ``None`` means all.
    Answers to questions that the logic hides are dropped, not refused.
    """
    problems: list[FieldProblem] = []
    known = {q.key: q for q in definition.questions()}
    for key in answers:
        if key not in known:
            problems.append(_problem(str(key)[:80], "This survey has no such question."))
    clean: dict[str, Any] = {}
    for key, raw in answers.items():
        q = known.get(key)
        if q is None or _is_empty(raw):
            continue
        value, problem = normalise_answer(q, raw)
        if problem is not None:
            problems.append(problem)
        elif value is not None:
            clean[key] = value
    shown = visible(definition, clean)
    shown_keys = {q.key for q in shown}
    clean = {
        k: v for k, v in clean.items() if k in shown_keys or known[k].type is QuestionType.HIDDEN
    }
    page_of = {q.key: p.key for p in definition.pages for q in p.questions}
    failed = {p.field for p in problems}
    for q in shown:
        due = finished or (pages is not None and page_of[q.key] in pages)
        if q.required and due and q.key not in clean and f"answers.{q.key}" not in failed:
            problems.append(_problem(q.key, "This question needs an answer."))
    if (
        finished
        and not problems
        and not any(known[k].type is not QuestionType.HIDDEN for k in clean)
    ):
        problems.append(FieldProblem("answers", "A finished response needs at least one answer."))
    return clean, problems


def measures(definition: SurveyDefinition, answers: dict[str, Any]) -> list[MeasureValue]:
    """The numbers a (checked) response contributes, by measure role."""
    out: list[MeasureValue] = []
    for q in definition.questions():
        value = answers.get(q.key)
        if value is None:
            continue
        scale = q.effective_scale()
        if q.type is QuestionType.EXPECTATION_EXPERIENCE and q.pair_form is PairForm.DOUBLE:
            assert scale is not None
            for part, pair_role in (
                ("expected", MeasureRole.EXPECTATION),
                ("experienced", MeasureRole.EXPERIENCE),
            ):
                if part in value:
                    out.append(
                        MeasureValue(
                            q.key, pair_role, float(value[part]), scale.min, scale.max, q.touchpoint
                        )
                    )
            continue
        role = q.measure_role()
        if role is None:
            continue
        if q.type is QuestionType.YES_NO:
            out.append(MeasureValue(q.key, role, 1.0 if value else 0.0, 0, 1, q.touchpoint))
        elif scale is not None:
            out.append(MeasureValue(q.key, role, float(value), scale.min, scale.max, q.touchpoint))
    return out
