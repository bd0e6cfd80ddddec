"""Business errors carry their HTTP status and a translatable message.

One handler (``kohtaamo.app``) renders them as RFC 9457 problem details for the API
and as a readable page for the UI, in the user's language.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass
class FieldProblem:
    """One thing wrong with one field of the input."""

    field: str
    message: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


class KohtaamoError(Exception):
    """Base for errors users can act on. ``message`` is an English gettext msgid."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    default_message: ClassVar[str] = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        problems: list[FieldProblem] | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        self.message = message or self.default_message
        self.params = params
        self.problems = list(problems or [])
        if field is not None:
            self.problems.insert(0, FieldProblem(field, self.message, params))
        self.headers = headers or {}
        super().__init__(self.message % params if params else self.message)


class InvalidInput(KohtaamoError):
    status = 422
    code = "invalid_input"
    default_message = "Some of the input is not valid."


class Unauthenticated(KohtaamoError):
    status = 401
    code = "unauthenticated"
    default_message = "Sign in or give a valid API key."


class PermissionDenied(KohtaamoError):
    status = 403
    code = "forbidden"
    default_message = "Your role does not allow this."


class NotFound(KohtaamoError):
    status = 404
    code = "not_found"
    default_message = "Not found."


class Conflict(KohtaamoError):
    status = 409
    code = "conflict"
    default_message = "This conflicts with the current state."


class Gone(KohtaamoError):
    status = 410
    code = "gone"
    default_message = "This is no longer available."


class TooManyRequests(KohtaamoError):
    status = 429
    code = "too_many_requests"
    default_message = "Too many attempts. Try again later."


class Unavailable(KohtaamoError):
    """Busy for a moment (say, the database's write lock): the same request may succeed
    after ``Retry-After``."""

    status = 503
    code = "unavailable"
    default_message = "The service is busy right now. Try again in a moment."


class PayloadTooLarge(KohtaamoError):
    status = 413
    code = "payload_too_large"
    default_message = "The request body is too large (at most %(limit)s bytes)."


RULE_ERROR_TYPE = "kohtaamo_rule"


def rule_error(msgid: str, **params: Any) -> Exception:
    """A validation error for pydantic validators whose message is a translatable msgid.

    Raise it inside a ``model_validator``: the problem renderer translates ``msgid`` with
    ``params`` into the user's language (plain ``ValueError`` text cannot be translated).
    """
    from pydantic_core import PydanticCustomError

    english = msgid % params if params else msgid
    return PydanticCustomError(RULE_ERROR_TYPE, english, {"msgid": msgid, **params})
