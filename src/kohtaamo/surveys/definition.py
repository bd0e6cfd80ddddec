"""A survey's definition: pages of questions, every string in fi/en/sv.

This is the document a survey version freezes, the JSON that is exported and imported
("kohtaamo" format), what the builder edits and what the respondent pages render. Its
structural rules (unique keys, scales, choices, show-if only on earlier questions) are
checked here, once, for every way a definition can arrive.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kohtaamo.errors import rule_error
from kohtaamo.kit.text import contains_nul
from kohtaamo.surveys.catalogue import (
    DEFAULT_ROLES,
    EMOTIONS,
    FIXED_SCALES,
    LANGUAGES,
    MeasureRole,
    PairForm,
    QuestionType,
)

Lang = Literal["fi", "en", "sv"]
KEY_PATTERN = r"^[a-z0-9_.-]{1,80}$"
Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=80)]
Str = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
I18nText = dict[Lang, Str]
"""A string in each respondent language; missing languages fall back (see ``text_in``)."""

MAX_QUESTIONS = 200
MAX_CHOICES = 100
MAX_TEXT_LENGTH = 10_000


def text_in(text: I18nText | None, lang: str, fallback: str = "fi") -> str:
    """The text in ``lang``, else in the survey's default language, else any language."""
    if not text:
        return ""
    for candidate in (lang, fallback, *LANGUAGES):
        value = text.get(candidate)  # type: ignore[call-overload]
        if value:
            return str(value)
    return ""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if contains_nul(data):
            raise rule_error("Text may not contain NUL characters.")
        return data


class Scale(_Strict):
    min: int = Field(ge=-10, le=10)
    max: int = Field(ge=-10, le=10)
    min_label: I18nText = Field(default_factory=dict)
    max_label: I18nText = Field(default_factory=dict)

    @model_validator(mode="after")
    def _range(self) -> Scale:
        if not 1 <= self.max - self.min <= 10:
            raise rule_error("A scale needs between 2 and 11 points (min below max).")
        return self

    def contains(self, value: int) -> bool:
        return self.min <= value <= self.max


class Choice(_Strict):
    key: Key
    label: I18nText


Op = Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "answered", "not_answered"]


class Condition(_Strict):
    """Show a question only if an earlier answer satisfies this."""

    question: Key
    op: Op = "eq"
    value: int | float | bool | str | list[int | str] | None = None

    @model_validator(mode="after")
    def _value(self) -> Condition:
        if self.op in ("answered", "not_answered"):
            return self
        if self.value is None:
            raise rule_error("This condition needs a value to compare with.")
        if self.op == "in" and not isinstance(self.value, list):
            raise rule_error("The 'in' condition needs a list of values.")
        return self


class Question(_Strict):
    key: Key
    type: QuestionType
    text: I18nText = Field(default_factory=dict)
    help: I18nText = Field(default_factory=dict)
    required: bool = False
    touchpoint: Key | None = None  # the touchpoint's key in the organisation's catalogue
    role: MeasureRole | None = None  # None: the type's default role (see ``measure_role``)
    scale: Scale | None = None
    pair_form: PairForm | None = None
    expected_label: I18nText = Field(default_factory=dict)  # double form: first row
    experienced_label: I18nText = Field(default_factory=dict)  # double form: second row
    choices: list[Choice] = Field(default_factory=list, max_length=MAX_CHOICES)
    max_choices: int | None = Field(default=None, ge=1, le=MAX_CHOICES)
    max_length: int = Field(default=2000, ge=1, le=MAX_TEXT_LENGTH)
    show_if: Condition | None = None

    @model_validator(mode="after")
    def _shape(self) -> Question:
        t = self.type
        if t is QuestionType.HIDDEN:
            if self.required:
                raise rule_error("A hidden field cannot be required.")
        elif not self.text:
            raise rule_error("Give the question's text in at least one language.")
        if t is QuestionType.RATING and self.scale is None:
            raise rule_error("A rating question needs a scale.")
        if t is QuestionType.EXPECTATION_EXPERIENCE and self.pair_form is None:
            raise rule_error("Say whether the pair is asked twice or as one comparison.")
        if t in FIXED_SCALES and self.scale is not None:
            lo, hi = FIXED_SCALES[t]
            if (self.scale.min, self.scale.max) != (lo, hi):
                raise rule_error("This scale is fixed at %(min)s–%(max)s.", min=lo, max=hi)
        if t in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            if len(self.choices) < 2:
                raise rule_error("A choice question needs at least two choices.")
        elif self.choices and t is not QuestionType.EMOTION:
            raise rule_error("Only choice and emotion questions have choices.")
        keys = [c.key for c in self.choices]
        if len(set(keys)) != len(keys):
            raise rule_error("Choice keys must be unique within a question.")
        return self

    def effective_scale(self) -> Scale | None:
        """The scale answers are checked against (fixed types and pairs have defaults)."""
        if self.type in FIXED_SCALES:
            lo, hi = FIXED_SCALES[self.type]
            return self.scale or Scale(min=lo, max=hi)
        if self.type is QuestionType.EXPECTATION_EXPERIENCE:
            if self.scale is not None:
                return self.scale
            return (
                Scale(min=1, max=5) if self.pair_form is PairForm.DOUBLE else Scale(min=-2, max=2)
            )
        return self.scale

    def choice_keys(self) -> list[str]:
        if self.type is QuestionType.EMOTION and not self.choices:
            return list(EMOTIONS)
        return [c.key for c in self.choices]

    def measure_role(self) -> MeasureRole | None:
        """The role analytics read this answer as (pairs yield two roles, see ``answers``)."""
        if self.role is not None:
            return self.role
        if self.type is QuestionType.EXPECTATION_EXPERIENCE:
            return MeasureRole.EXPECTATION_GAP if self.pair_form is PairForm.COMPARED else None
        return DEFAULT_ROLES.get(self.type)


class Page(_Strict):
    key: Key
    title: I18nText = Field(default_factory=dict)
    questions: list[Question] = Field(min_length=1, max_length=MAX_QUESTIONS)


def _all_languages() -> list[Lang]:
    return ["fi", "en", "sv"]


class SurveyDefinition(_Strict):
    default_language: Lang = "fi"
    languages: list[Lang] = Field(default_factory=_all_languages, min_length=1)
    title: I18nText
    intro: I18nText = Field(default_factory=dict)
    thanks: I18nText = Field(default_factory=dict)
    pages: list[Page] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _references(self) -> SurveyDefinition:
        if self.default_language not in self.languages:
            raise rule_error("The default language must be one of the survey's languages.")
        if not self.title.get(self.default_language):
            raise rule_error("Give the survey's title in its default language.")
        seen: dict[str, Question] = {}
        page_keys: set[str] = set()
        for page in self.pages:
            if page.key in page_keys:
                raise rule_error("Two pages have the key '%(key)s'.", key=page.key)
            page_keys.add(page.key)
            for q in page.questions:
                if q.key in seen:
                    raise rule_error("Two questions have the key '%(key)s'.", key=q.key)
                if q.show_if is not None and q.show_if.question not in seen:
                    raise rule_error(
                        "Question '%(key)s' can only depend on an earlier question, "
                        "not on '%(other)s'.",
                        key=q.key,
                        other=q.show_if.question,
                    )
                if q.type is not QuestionType.HIDDEN and not q.text.get(self.default_language):
                    raise rule_error(
                        "Question '%(key)s' has no text in the default language.", key=q.key
                    )
                seen[q.key] = q
        if len(seen) > MAX_QUESTIONS:
            raise rule_error("A survey may have at most %(n)s questions.", n=MAX_QUESTIONS)
        return self

    def questions(self) -> list[Question]:
        return [q for page in self.pages for q in page.questions]

    def question(self, key: str) -> Question | None:
        for q in self.questions():
            if q.key == key:
                return q
        return None

    def touchpoint_keys(self) -> set[str]:
        return {q.touchpoint for q in self.questions() if q.touchpoint}


def parse_definition(data: Any) -> SurveyDefinition:
    """Validate a definition from JSON-like data (raises pydantic.ValidationError)."""
    return SurveyDefinition.model_validate(data)
