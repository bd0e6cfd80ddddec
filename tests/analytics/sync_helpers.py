"""Operational data for analytics store tests: a survey with both expectation–experience
forms (two scales and "compared with what you expected"), NPS and CSAT, answered
through ``responses.do_submit`` as respondents would."""

from __future__ import annotations

import uuid
from typing import Any

from kohtaamo.accounts.models import Organisation
from kohtaamo.storage.db import Database
from kohtaamo.surveys import responses, service
from kohtaamo.surveys.catalogue import ResponseChannel
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.schemas import SurveyIn
from tests.journeys.helpers import seed
from tests.surveys.helpers import SurveyFixture

DEFINITION: dict[str, Any] = {
    "default_language": "fi",
    "languages": ["fi", "en"],
    "title": {"fi": "Kysely", "en": "Survey"},
    "pages": [
        {
            "key": "p1",
            "questions": [
                {
                    "key": "ease",
                    "type": "expectation_experience",
                    "pair_form": "double",
                    "touchpoint": "checkout",
                    "required": True,
                    "text": {"fi": "Helppous", "en": "Ease"},
                },
                {
                    "key": "speed",
                    "type": "expectation_experience",
                    "pair_form": "compared",
                    "touchpoint": "checkout",
                    "required": True,
                    "text": {"fi": "Nopeus", "en": "Speed"},
                },
                {"key": "nps", "type": "nps", "required": True, "text": {"fi": "NPS", "en": "NPS"}},
                {"key": "csat", "type": "csat", "text": {"fi": "CSAT", "en": "CSAT"}},
            ],
        }
    ],
}


def make_survey(db: Database, org: Organisation) -> SurveyFixture:
    cat = seed(db, org)
    with db.transaction(org.id) as session:
        survey = service.do_create_survey(
            session,
            cat.actor,
            SurveyIn(
                key="visit",
                name="Käynti",
                touchpoint="checkout",
                definition=SurveyDefinition.model_validate(DEFINITION),
            ),
        )
        service.do_publish(session, cat.actor, survey.id)
        return SurveyFixture(cat, survey.id, survey.slug)


def answers(
    expected: int = 4, experienced: int = 2, speed: int = 1, nps: int = 9
) -> dict[str, Any]:
    return {
        "ease": {"expected": expected, "experienced": experienced},
        "speed": speed,
        "nps": nps,
        "csat": 4,
    }


def submit(db: Database, f: SurveyFixture, *, customer: str | None = None, **kw: int) -> uuid.UUID:
    """One finished response through ``do_submit``; its id."""
    with db.transaction(f.org.id) as session:
        survey = service.get_survey(session, f.actor, f.survey_id)
        response, _ = responses.do_submit(
            session,
            survey,
            responses.Submission(
                answers=answers(**kw),
                language="fi",
                finished=True,
                channel=ResponseChannel.API,
                customer_external_id=customer,
            ),
        )
        return response.id
