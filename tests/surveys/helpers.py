"""A touchpoint survey to test against: an expectation–experience pair, NPS, logic."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import Organisation
from kohtaamo.storage.db import Database
from kohtaamo.surveys import service
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.schemas import SurveyIn, SurveySettings
from tests.journeys.helpers import Catalogue, seed


def definition_data(touchpoint: str | None = "checkout") -> dict[str, Any]:
    return {
        "default_language": "fi",
        "languages": ["fi", "en", "sv"],
        "title": {"fi": "Miten ostos sujui?", "en": "How did buying go?", "sv": "Hur gick köpet?"},
        "pages": [
            {
                "key": "p1",
                "questions": [
                    {
                        "key": "ease",
                        "type": "expectation_experience",
                        "pair_form": "double",
                        "touchpoint": touchpoint,
                        "required": True,
                        "text": {
                            "fi": "Maksamisen helppous",
                            "en": "Ease of paying",
                            "sv": "Hur lätt det var att betala",
                        },
                    },
                    {
                        "key": "nps",
                        "type": "nps",
                        "required": True,
                        "text": {"fi": "Suosittelisitko meitä?", "en": "Would you recommend us?"},
                    },
                ],
            },
            {
                "key": "p2",
                "questions": [
                    {
                        "key": "why_low",
                        "type": "text",
                        "text": {"fi": "Mikä meni pieleen?", "en": "What went wrong?"},
                        "show_if": {"question": "nps", "op": "le", "value": 6},
                    },
                    {
                        "key": "feelings",
                        "type": "emotion",
                        "text": {"fi": "Miltä tuntui?", "en": "How did it feel?"},
                    },
                    {"key": "store", "type": "hidden"},
                ],
            },
        ],
    }


def definition(touchpoint: str | None = "checkout") -> SurveyDefinition:
    return SurveyDefinition.model_validate(definition_data(touchpoint))


@dataclass
class SurveyFixture:
    cat: Catalogue
    survey_id: uuid.UUID
    slug: str

    @property
    def org(self) -> Organisation:
        return self.cat.org

    @property
    def actor(self) -> Actor:
        return self.cat.actor


def make_survey(
    db: Database, org: Organisation, *, publish: bool = True, min_seconds: int = 0
) -> SurveyFixture:
    cat = seed(db, org)
    with db.transaction(org.id) as session:
        survey = service.do_create_survey(
            session,
            cat.actor,
            SurveyIn(
                key="checkout",
                name="Kassan kysely",
                touchpoint="checkout",
                definition=definition(),
                settings=SurveySettings(min_seconds=min_seconds),
            ),
        )
        if publish:
            service.do_publish(session, cat.actor, survey.id)
        return SurveyFixture(cat, survey.id, survey.slug)
