"""The survey builder's page routes: a page's title, its place, its removal. Each edit
goes through the builder's ``save_change`` like the question edits do."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from kohtaamo.errors import InvalidInput
from kohtaamo.surveys.catalogue import LANGUAGES
from kohtaamo.web.deps import verify_csrf
from kohtaamo.web.routes.survey_builder import Direction, Editor, Fields, save_change
from kohtaamo.web.survey_doc import page_index
from kohtaamo.web.survey_forms import PAGE_FIELDS

router = APIRouter(prefix="/feedback/surveys/{survey_id}")


# --- pages ----------------------------------------------------------------------------------


@router.post("/pages/{page_key}", dependencies=[Depends(verify_csrf)])
def save_page(
    request: Request, ctx: Editor, survey_id: uuid.UUID, page_key: str, fields: Fields
) -> Response:
    def change(doc: dict[str, Any]) -> None:
        pi = page_index(doc, page_key)
        doc["pages"][pi]["title"] = {
            lang: fields[f"title.{lang}"].strip()
            for lang in LANGUAGES
            if fields.get(f"title.{lang}", "").strip()
        }

    def prefix(doc: dict[str, Any]) -> str:
        return f"pages.{page_index(doc, page_key)}"

    return save_change(
        request,
        ctx,
        survey_id,
        change,
        done="page-saved",
        error_at=f"page-{page_key}",
        prefix=prefix,
        known=PAGE_FIELDS,
        form=fields,
        anchor=f"page-{page_key}",
    )


@router.post("/pages/{page_key}/move", dependencies=[Depends(verify_csrf)])
def move_page(
    request: Request,
    ctx: Editor,
    survey_id: uuid.UUID,
    page_key: str,
    direction: Annotated[Direction, Form()] = "",
) -> Response:
    def change(doc: dict[str, Any]) -> None:
        pi = page_index(doc, page_key)
        at = pi - 1 if direction == "up" else pi + 1 if direction == "down" else pi
        at = max(0, min(at, len(doc["pages"]) - 1))
        doc["pages"].insert(at, doc["pages"].pop(pi))

    return save_change(
        request,
        ctx,
        survey_id,
        change,
        done="moved",
        error_at=f"page-{page_key}",
        prefix=lambda _doc: "",
        known=PAGE_FIELDS,
        anchor=f"page-{page_key}",
    )


@router.post("/pages/{page_key}/delete", dependencies=[Depends(verify_csrf)])
def delete_page(request: Request, ctx: Editor, survey_id: uuid.UUID, page_key: str) -> Response:
    def change(doc: dict[str, Any]) -> None:
        pi = page_index(doc, page_key)
        if len(doc["pages"]) == 1:
            raise InvalidInput("A survey needs at least one page.")
        del doc["pages"][pi]

    return save_change(
        request,
        ctx,
        survey_id,
        change,
        done="page-deleted",
        error_at=f"page-{page_key}",
        prefix=lambda _doc: "",
        known=PAGE_FIELDS,
        anchor="pages",
    )
