"""Text analytics data in and out of the service: settings, theme rules, search filters."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kohtaamo.errors import rule_error
from kohtaamo.kit.text import contains_nul
from kohtaamo.text.themes import GROUPS

Language = Literal["fi", "en", "sv"]
SentimentLabel = Literal["negative", "neutral", "positive", "mixed"]
ALL_LANGUAGES: tuple[Language, ...] = ("fi", "en", "sv")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
MAX_TERMS = 200
Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if contains_nul(data):
            raise rule_error("Text may not contain NUL characters.")
        return data


class TextSettingsIn(_Strict):
    keep_originals: bool = False
    languages: list[Language] = Field(default_factory=lambda: list(ALL_LANGUAGES), min_length=1)
    use_learned: bool = True


class ThemeIn(_Strict):
    """A theme rule as the editor sends it: terms and excludes per language."""

    key: str
    group: str = "service"
    labels: dict[Language, Annotated[str, StringConstraints(max_length=120)]] = Field(
        default_factory=dict
    )
    terms: dict[Language, list[Term]] = Field(default_factory=dict)
    exclude: dict[Language, list[Term]] = Field(default_factory=dict)
    enabled: bool = True

    @model_validator(mode="after")
    def _check(self) -> ThemeIn:
        if not KEY_RE.match(self.key):
            raise rule_error(
                "A theme key is lowercase letters, digits and underscores, starting with a letter."
            )
        if self.group not in GROUPS:
            raise rule_error("Unknown theme group %(group)s.", group=self.group)
        if not any(self.terms.values()):
            raise rule_error("A theme needs at least one term.")
        if any(len(t) > MAX_TERMS for t in (*self.terms.values(), *self.exclude.values())):
            raise rule_error("At most %(n)s terms per language.", n=MAX_TERMS)
        return self

    def rule(self) -> dict[str, Any]:
        """The rule as the matcher reads it."""
        return {
            "key": self.key,
            "group": self.group,
            "label": dict(self.labels),
            "terms": {k: list(v) for k, v in self.terms.items()},
            "exclude": {k: list(v) for k, v in self.exclude.items()},
        }


class CommentFilters(_Strict):
    """What the comment browser narrows by; every field is optional."""

    query: Annotated[str, StringConstraints(max_length=200)] = ""
    theme: str | None = None
    sentiment: SentimentLabel | None = None
    touchpoint_id: uuid.UUID | None = None
    segment: str | None = None
    language: Language | None = None
    since: datetime | None = None  # answered at or after
    until: datetime | None = None  # answered before
    source: str | None = None


class CommentOut(BaseModel):
    """One analysed comment as the browser shows it (never the original text)."""

    id: uuid.UUID
    source: str
    response_id: uuid.UUID | None
    question_key: str | None
    touchpoint_id: uuid.UUID | None
    customer_id: uuid.UUID | None
    language: str
    text: str
    sentiment: str | None
    score: float | None
    emotions: dict[str, float]
    words: list[dict[str, Any]]
    themes: list[dict[str, Any]]
    answered_at: datetime
    analysed_at: datetime | None
