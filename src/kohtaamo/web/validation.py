"""Form input checked by a schema: a refused value becomes ``InvalidInput`` naming each
field with a translatable message, so the form is shown again with the message beside
the field, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from kohtaamo.errors import InvalidInput
from kohtaamo.journeys.ingest import problems_of

M = TypeVar("M", bound=BaseModel)


def parsed(model: type[M], data: Mapping[str, Any]) -> M:
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise InvalidInput(problems=problems_of(exc)) from None
