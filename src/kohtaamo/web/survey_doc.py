"""Edits of a survey definition as a plain document (the builder's JSON dict): find a
question or page, move a question, drop pages left empty. Pure functions; the builder's
routes validate the whole document with ``SurveyDefinition`` after each edit."""

from __future__ import annotations

from typing import Any

from kohtaamo.errors import InvalidInput, NotFound


def locate(doc: dict[str, Any], key: str) -> tuple[int, int]:
    for pi, page in enumerate(doc["pages"]):
        for qi, q in enumerate(page["questions"]):
            if q["key"] == key:
                return pi, qi
    raise NotFound("No such question.")


def page_index(doc: dict[str, Any], key: str) -> int:
    for pi, page in enumerate(doc["pages"]):
        if page["key"] == key:
            return pi
    raise NotFound("No such page.")


def question_prefix(key: str) -> Any:
    def prefix(doc: dict[str, Any]) -> str:
        try:
            pi, qi = locate(doc, key)
        except NotFound:
            return ""
        return f"pages.{pi}.questions.{qi}"

    return prefix


def drop_empty_pages(doc: dict[str, Any]) -> None:
    doc["pages"] = [p for p in doc["pages"] if p["questions"]] or doc["pages"][:1]


def move_question(doc: dict[str, Any], key: str, direction: str, page: str, position: str) -> None:
    """One step up or down (across page boundaries), or to a page and position (drag)."""
    pi, qi = locate(doc, key)
    question = doc["pages"][pi]["questions"].pop(qi)
    if direction == "up":
        if qi > 0:
            doc["pages"][pi]["questions"].insert(qi - 1, question)
        elif pi > 0:
            doc["pages"][pi - 1]["questions"].append(question)
        else:
            doc["pages"][pi]["questions"].insert(0, question)
    elif direction == "down":
        row = doc["pages"][pi]["questions"]
        if qi < len(row):
            row.insert(qi + 1, question)
        elif pi + 1 < len(doc["pages"]):
            doc["pages"][pi + 1]["questions"].insert(0, question)
        else:
            row.append(question)
    else:
        target = page_index(doc, page) if page else pi
        try:
            at = int(position)
        except ValueError:
            raise InvalidInput("Choose where to move it.", field="position") from None
        row = doc["pages"][target]["questions"]
        row.insert(max(0, min(at, len(row))), question)
    drop_empty_pages(doc)
