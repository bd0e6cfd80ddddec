"""The small pieces of reading a QSF file: its loosely typed values (lists or numbered
dicts, numbers written as strings) and simple display logic as a ``show_if``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kohtaamo.surveys.catalogue import QuestionType

NUMERIC_OPS = {
    "EqualTo": "eq",
    "NotEqualTo": "ne",
    "LessThan": "lt",
    "LessThanOrEqual": "le",
    "GreaterThan": "gt",
    "GreaterThanOrEqual": "ge",
}


@dataclass
class Mapped:
    """What display logic needs of an imported question: its key(s) and choice keys."""

    key: str
    type: QuestionType
    choices: dict[str, str] = field(default_factory=dict)  # source choice id -> choice key
    values: dict[str, int] = field(default_factory=dict)  # NPS choice id -> its number
    parts: dict[str, str] = field(default_factory=dict)  # slider/matrix row id -> question key


def values(raw: Any) -> Iterator[Any]:
    """Qualtrics writes some collections as lists and others as {"1": …, "2": …}."""
    if isinstance(raw, dict):
        yield from raw.values()
    elif isinstance(raw, list):
        yield from raw


def ordered(items: Any, order: Any) -> list[tuple[str, dict[str, Any]]]:
    """Choices (or answers) as (id, item) in the question's display order."""
    if not isinstance(items, dict):
        return []
    ids = [str(i) for i in order] if isinstance(order, list) else []
    ids = [i for i in ids if i in items] + sorted(
        (i for i in items if i not in ids), key=lambda i: (len(i), i)
    )
    return [(i, items[i]) for i in ids if isinstance(items[i], dict)]


def dig(doc: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(part)
    return doc


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def table(p: dict[str, Any], name: str) -> dict[str, Any]:
    found = p.get(name)
    return found if isinstance(found, dict) else {}


def forced(p: dict[str, Any]) -> bool:
    """Whether the question must be answered ("force response")."""
    settings = dig(p, ("Validation", "Settings"))
    return isinstance(settings, dict) and settings.get("ForceResponse") == "ON"


def whole(value: Any, default: int) -> int:
    found = number(value)
    return int(found) if found is not None and float(found).is_integer() else default


def number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    try:
        found = float(str(value).strip())
    except ValueError:
        return None
    return int(found) if found.is_integer() else found


def display_condition(
    logic: dict[str, Any], mapped: dict[str, Mapped], hidden: dict[str, str]
) -> dict[str, Any] | None:
    """A show-if for display logic of one condition on an earlier question or on embedded
    data; None for anything else (several conditions, loops, other kinds of logic)."""
    groups = [v for k, v in logic.items() if str(k).isdigit() and isinstance(v, dict)]
    if len(groups) != 1:
        return None
    parts = [v for k, v in groups[0].items() if str(k).isdigit() and isinstance(v, dict)]
    if len(parts) != 1:
        return None
    c = parts[0]
    op = c.get("Operator")
    if c.get("LogicType") == "EmbeddedData":
        key = hidden.get(str(c.get("LeftOperand") or ""))
        if key and op in ("EqualTo", "NotEqualTo"):
            return {"question": key, "op": NUMERIC_OPS[op], "value": str(c.get("RightOperand", ""))}
        return None
    if c.get("LogicType") != "Question":
        return None
    # q://QID1/SelectableChoice/2  or  q://QID4/ChoiceNumericEntryValue/1
    locator = str(c.get("LeftOperand") or c.get("ChoiceLocator") or "").split("/")
    if len(locator) != 5 or locator[0] != "q:":
        return None
    source = mapped.get(locator[2])
    what, cid = locator[3], locator[4]
    if source is None:
        return None
    if what == "SelectableChoice" and op in ("Selected", "NotSelected"):
        op_to = "eq" if op == "Selected" else "ne"
        if source.type is QuestionType.NPS and cid in source.values:
            return {"question": source.key, "op": op_to, "value": source.values[cid]}
        if cid in source.choices:
            return {"question": source.key, "op": op_to, "value": source.choices[cid]}
        return None
    if what == "ChoiceNumericEntryValue" and op in NUMERIC_OPS:
        found = number(c.get("RightOperand"))
        if found is None:
            return None
        return {
            "question": source.parts.get(cid) or source.key,
            "op": NUMERIC_OPS[op],
            "value": found,
        }
    return None
