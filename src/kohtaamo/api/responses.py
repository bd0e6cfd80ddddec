"""The error answers every API operation may give, documented in the OpenAPI schema.

Errors are RFC 9457 problem details (``kohtaamo.http.problems``). Declaring them here
lets clients and the schema fuzzing in CI know every status an operation can return.
"""

from __future__ import annotations

from typing import Any

PROBLEM_MEDIA_TYPE = "application/problem+json"

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem."},
        "title": {"type": "string", "description": "A short summary in the caller's language."},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What is wrong, in the caller's language."},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "The wrong fields, one item per problem.",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
}

_DESCRIPTIONS = {
    400: "The body could not be read (e.g. not UTF-8, or nested too deeply).",
    401: "No API key, an invalid or revoked one, or a key in the URL.",
    403: "The key's scope does not allow this.",
    404: "Not found in the key's organisation.",
    413: "The request body is too large.",
    409: "The request conflicts with the current state (e.g. a name already in use).",
    422: "Some of the input is not valid; `errors` names the fields.",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {
            "description": _DESCRIPTIONS[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
        }
        for status in statuses
    }


# Every operation of the API: authentication, permission, tenancy, input and size errors.
API_ERRORS = problem_responses(400, 401, 403, 404, 409, 413, 422)
