"""QR codes of a survey's public link, for posters, receipts and counters.

The code encodes ``<base_url>/s/<slug>``, optionally with values of the survey's hidden
fields as query parameters (``?store=tampere``), which the public page stores with the
answers: one survey, one code per physical touchpoint.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urlencode

import segno

from kohtaamo.errors import FieldProblem, InvalidInput
from kohtaamo.surveys.catalogue import QuestionType
from kohtaamo.surveys.definition import KEY_PATTERN, SurveyDefinition

MAX_HIDDEN = 10
MAX_HIDDEN_VALUE = 100
MIN_SCALE, MAX_SCALE, DEFAULT_SCALE = 1, 40, 8
# Medium error correction survives a smudged or partly covered print; the quiet zone is
# the standard four modules.
ERROR_LEVEL = "m"
BORDER = 4
_KEY = re.compile(KEY_PATTERN)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def public_link(base_url: str, slug: str, hidden: dict[str, str] | None = None) -> str:
    """The address respondents open: the survey's public page, hidden values in the query."""
    url = f"{base_url.rstrip('/')}/s/{slug}"
    if hidden:
        url += "?" + urlencode(sorted(hidden.items()))
    return url


def check_hidden(definition: SurveyDefinition, hidden: dict[str, str]) -> dict[str, str]:
    """Hidden-field values for the link, or InvalidInput naming each wrong one.

    Only the survey's hidden questions may be set, a few at a time, with short values:
    the code must stay scannable and the link must not carry arbitrary data.
    """
    known = {q.key for q in definition.questions() if q.type is QuestionType.HIDDEN}
    if len(hidden) > MAX_HIDDEN:
        raise InvalidInput("Give at most %(n)s hidden field values.", field="hidden", n=MAX_HIDDEN)
    problems: list[FieldProblem] = []
    for key, value in hidden.items():
        field = f"hidden.{key}"[:90]
        if not _KEY.match(key) or key not in known:
            problems.append(FieldProblem(field, "This survey has no hidden field with this key."))
        elif len(value) > MAX_HIDDEN_VALUE or _CONTROL.search(value):
            problems.append(
                FieldProblem(
                    field,
                    "Too long: at most %(max_length)s characters.",
                    {"max_length": MAX_HIDDEN_VALUE},
                )
            )
    if problems:
        raise InvalidInput(problems=problems)
    return dict(hidden)


def check_scale(scale: int) -> int:
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise InvalidInput(
            "Choose a whole number from %(min)s to %(max)s.",
            field="scale",
            min=MIN_SCALE,
            max=MAX_SCALE,
        )
    return scale


def _code(url: str) -> segno.QRCode:
    # micro=False: phone cameras read only full-size QR codes reliably.
    return segno.make(url, error=ERROR_LEVEL, micro=False, boost_error=False)


def qr_svg(url: str, scale: int = DEFAULT_SCALE) -> bytes:
    """An SVG image (black on white, with a title) of the code for ``url``."""
    out = io.BytesIO()
    _code(url).save(out, kind="svg", scale=check_scale(scale), border=BORDER, title=url)
    return out.getvalue()


def qr_png(url: str, scale: int = DEFAULT_SCALE) -> bytes:
    """A PNG image of the code for ``url``; ``scale`` pixels per module."""
    out = io.BytesIO()
    _code(url).save(out, kind="png", scale=check_scale(scale), border=BORDER)
    return out.getvalue()
