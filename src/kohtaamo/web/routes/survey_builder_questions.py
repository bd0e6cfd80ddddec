"""The survey builder's question routes: add a question (of a type or from the bank),
edit one, move it, delete it. Each edit goes through the builder's ``save_change``."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from kohtaamo.errors import InvalidInput, NotFound
from kohtaamo.surveys.catalogue import QuestionType
from kohtaamo.surveys.definition import KEY_PATTERN
from kohtaamo.web import survey_doc
from kohtaamo.web.deps import verify_csrf
from kohtaamo.web.routes.survey_builder import Direction, Editor, Fields, save_change
from kohtaamo.web.survey_doc import drop_empty_pages, locate, page_index, question_prefix
from kohtaamo.web.survey_forms import (
    QUESTION_FIELDS,
    bank_question_data,
    blank_question,
    new_key,
    question_from_form,
)

router = APIRouter(prefix="/feedback/surveys/{survey_id}")


def _check_key(key: str) -> str:
    if not re.fullmatch(KEY_PATTERN, key):
        raise NotFound("No such question.")
    return key


# --- questions ------------------------------------------------------------------------------


@router.post("/questions", dependencies=[Depends(verify_csrf)])
def add_question(
    request: Request,
    ctx: Editor,
    survey_id: uuid.UUID,
    type: Annotated[str, Form(max_length=40)] = "",
    bank_key: Annotated[str, Form(max_length=80)] = "",
    page: Annotated[str, Form(max_length=80)] = "",
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """A new question (of a type, or from the bank) last on a page, or on a new page."""
    form = {"type": type, "bank_key": bank_key, "page": page, "text": text}
    added: dict[str, str] = {}

    def change(doc: dict[str, Any]) -> None:
        taken = {q["key"] for p in doc["pages"] for q in p["questions"]}
        key = new_key(taken)
        default = doc.get("default_language", "fi")
        if bank_key:
            question = bank_question_data(bank_key, key, None)
            if question is None:
                raise InvalidInput("Choose a question from the bank.", field="bank_key")
        elif type in {t.value for t in QuestionType}:
            question = blank_question(type, key, {default: text.strip()}, None)
        else:
            raise InvalidInput("Choose a question type or a question from the bank.", field="type")
        if page:
            doc["pages"][page_index(doc, page)]["questions"].append(question)
        else:
            page_keys = {p["key"] for p in doc["pages"]}
            doc["pages"].append({"key": new_key(page_keys, "p"), "questions": [question]})
        added["key"] = key

    def prefix(doc: dict[str, Any]) -> str:
        return question_prefix(added["key"])(doc) if "key" in added else ""

    response = save_change(
        request,
        ctx,
        survey_id,
        change,
        done="added",
        error_at="add",
        prefix=prefix,
        known=frozenset({"text", "type", "bank_key", "page"}),
        form=form,
    )
    if "key" in added and response.status_code == 303:
        target = f"/feedback/surveys/{survey_id}/edit?done=added&open={added['key']}"
        return RedirectResponse(f"{target}#q-{added['key']}", status_code=303)
    return response


@router.post("/questions/{question_key}", dependencies=[Depends(verify_csrf)])
def save_question(
    request: Request, ctx: Editor, survey_id: uuid.UUID, question_key: str, fields: Fields
) -> Response:
    key = _check_key(question_key)

    def change(doc: dict[str, Any]) -> None:
        pi, qi = locate(doc, key)
        types = {q["key"]: q["type"] for p in doc["pages"] for q in p["questions"]}
        old = doc["pages"][pi]["questions"][qi]
        doc["pages"][pi]["questions"][qi] = question_from_form(old, fields, types)

    return save_change(
        request,
        ctx,
        survey_id,
        change,
        done="question-saved",
        error_at=f"q-{key}",
        prefix=question_prefix(key),
        known=QUESTION_FIELDS,
        form=fields,
        anchor=f"q-{key}",
    )


@router.post("/questions/{question_key}/move", dependencies=[Depends(verify_csrf)])
def move_question(
    request: Request,
    ctx: Editor,
    survey_id: uuid.UUID,
    question_key: str,
    direction: Annotated[Direction, Form()] = "",
    page: Annotated[str, Form(max_length=80)] = "",
    position: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    key = _check_key(question_key)
    return save_change(
        request,
        ctx,
        survey_id,
        lambda doc: survey_doc.move_question(doc, key, direction, page, position),
        done="moved",
        error_at=f"q-{key}",
        prefix=question_prefix(key),
        known=QUESTION_FIELDS,
        anchor=f"q-{key}",
    )


@router.post("/questions/{question_key}/delete", dependencies=[Depends(verify_csrf)])
def delete_question(
    request: Request, ctx: Editor, survey_id: uuid.UUID, question_key: str
) -> Response:
    key = _check_key(question_key)

    def change(doc: dict[str, Any]) -> None:
        pi, qi = locate(doc, key)
        if sum(len(p["questions"]) for p in doc["pages"]) == 1:
            raise InvalidInput("A survey needs at least one question.")
        del doc["pages"][pi]["questions"][qi]
        drop_empty_pages(doc)

    return save_change(
        request,
        ctx,
        survey_id,
        change,
        done="deleted",
        error_at=f"q-{key}",
        prefix=lambda _doc: "",
        known=QUESTION_FIELDS,
        anchor="pages",
    )
