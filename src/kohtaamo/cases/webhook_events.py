"""Glue: a finished survey response becomes the ``response.finished`` webhook.

Webhooks sit below surveys and may not read them, so the hook lives here, above both,
and ``app.create_app`` registers it with ``surveys.responses.on_finished``. It runs in
the transaction that finishes the response: the deliveries are as durable as the
response, and the event id derives from the response so a replayed submit adds none.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from kohtaamo.surveys.responses import FinishedResponse
from kohtaamo.webhooks import service as webhooks

RESPONSE_FINISHED = "response.finished"


def event_id_of(finished: FinishedResponse) -> str:
    return f"msg_response_{finished.response_id.hex}"


def on_response_finished(session: Session, finished: FinishedResponse) -> None:
    """Queue ``response.finished`` for the endpoints that subscribe to it."""

    def _id(value: object) -> str | None:
        return None if value is None else str(value)

    webhooks.emit(
        session,
        RESPONSE_FINISHED,
        {
            "response_id": str(finished.response_id),
            "survey_id": str(finished.survey_id),
            "customer_id": _id(finished.customer_id),
            "touchpoint_id": _id(finished.touchpoint_id),
        },
        event_id=event_id_of(finished),
    )
