"""Parameter types shared by the API routers."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import Body
from pydantic import AwareDatetime, BeforeValidator

from kohtaamo.surveys.schemas import StrictModel

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso_text_only(value: Any) -> Any:
    """Pydantic also reads numbers as Unix times; the API documents ISO 8601 text only."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO.match(value):
        raise ValueError("Give a date and time in ISO 8601 format with a time zone.")
    return value


IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_text_only)]


class _Empty(StrictModel):
    """Nothing: the action needs no input (an empty object or no body at all)."""


# Actions take no input, but a body sent anyway is read, so that a stray field (say, an
# organisation id) is refused rather than silently ignored.
NoBody = Annotated[_Empty | None, Body()]
