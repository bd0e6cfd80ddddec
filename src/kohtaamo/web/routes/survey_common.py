"""What the pages of one survey share: the heading (name, status, kind, touchpoint), the
labels of statuses and kinds, the touchpoint choices, the flash messages of the list and
overview, and checking a form against a schema with errors named by field.

The pages themselves: ``surveys`` (the list), ``survey_overview`` (one survey),
``survey_builder``, ``survey_preview``, ``survey_responses`` and the distribution modules.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.errors import FieldProblem, InvalidInput
from kohtaamo.i18n import N_, gettext
from kohtaamo.journeys import service as journeys
from kohtaamo.journeys.ingest import problems_of
from kohtaamo.surveys import service
from kohtaamo.surveys.catalogue import SurveyKind, SurveyStatus
from kohtaamo.surveys.schemas import SurveyOut
from kohtaamo.web.deps import WebContext
from kohtaamo.web.routes.journeys import FORM_MESSAGES

STATUS_LABELS = {
    SurveyStatus.DRAFT: N_("Draft"),
    SurveyStatus.OPEN: N_("Open"),
    SurveyStatus.CLOSED: N_("Closed"),
}
KIND_LABELS = {
    SurveyKind.TOUCHPOINT: N_("Touchpoint survey"),
    SurveyKind.RELATIONSHIP: N_("Relationship survey"),
}
DONE = {
    "deleted": N_("The survey was deleted."),
    "published": N_("The survey was published. Respondents now get this version."),
    "closed": N_("The survey was closed. Its link no longer takes responses."),
    "reopened": N_("The survey was reopened."),
    "saved": N_("The changes were saved."),
}

M = TypeVar("M", bound=BaseModel)


def checked(model: type[M], values: dict[str, Any]) -> M:
    """``model`` from a form's values, or InvalidInput naming each field by its dotted path."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = []
        for err, fallback in zip(exc.errors(), problems_of(exc), strict=True):
            message = FORM_MESSAGES.get(err["type"])
            problems.append(FieldProblem(fallback.field, message) if message else fallback)
        raise InvalidInput(problems=problems) from None


def labels(locale: str, table: dict[Any, str]) -> list[tuple[str, str]]:
    return [(str(k), gettext(locale, v)) for k, v in table.items()]


def touchpoint_options(session: Session, actor: Actor, locale: str) -> list[tuple[str, str]]:
    """The catalogue's touchpoints as (key, name) for selects."""
    return [
        (t.key, (t.name_fi if locale == "fi" else t.name_en) or t.name_en or t.key)
        for t in journeys.list_touchpoints(session, actor)
    ]


@dataclass(frozen=True)
class SurveyHead:
    """What every page of one survey shows at its top."""

    out: SurveyOut
    touchpoint_name: str

    @property
    def id(self) -> uuid.UUID:
        return self.out.id

    @property
    def name(self) -> str:
        return self.out.name


def survey_head(session: Session, ctx: WebContext, survey_id: uuid.UUID, locale: str) -> SurveyHead:
    """The survey as the pages show it (NotFound for another organisation's id)."""
    survey = service.get_survey(session, ctx.org_actor, survey_id)
    out = service.survey_out(session, survey)
    names = dict(touchpoint_options(session, ctx.org_actor, locale)) if out.touchpoint else {}
    return SurveyHead(out, names.get(out.touchpoint or "", out.touchpoint or ""))


def head_context(locale: str, head: SurveyHead) -> dict[str, Any]:
    return {
        "survey": head.out,
        "touchpoint_name": head.touchpoint_name,
        "status_label": gettext(locale, STATUS_LABELS[head.out.status]),
        "kind_label": gettext(locale, KIND_LABELS[head.out.kind]),
    }
