"""The organisation the case page tests work in, and small helpers to read the pages."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from kohtaamo.cases.models import Case
from kohtaamo.i18n import gettext
from kohtaamo.journeys import journeymap
from kohtaamo.journeys.customers import do_upsert_customer
from kohtaamo.journeys.models import Journey
from kohtaamo.journeys.schemas import CustomerIn, PlacementIn
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.surveys.models import SurveyMeasure, SurveyResponse, SurveyVersion
from tests.factories import Member, page_csrf
from tests.surveys.helpers import SurveyFixture, make_survey

FORM_RE = re.compile(r'<form [^>]*data-action="(\w+)"[^>]*>(.*?)</form>', re.DOTALL)
NAME_RE = re.compile(r'name="(\w+)"')


@dataclass
class Desk:
    """An organisation with a catalogue, a customer who answered, and its handler."""

    db: Database
    handler: Member
    survey: SurveyFixture
    customer_id: uuid.UUID
    seq: list[int]

    @property
    def org_id(self) -> uuid.UUID:
        return self.handler.organisation.id

    def tp(self, key: str) -> uuid.UUID:
        return self.survey.cat.touchpoints[key]

    def case(self, state: str = "new", **values: Any) -> uuid.UUID:
        """A case of this organisation in ``state``, written directly."""
        self.seq[0] += 1
        now = utcnow()
        fields: dict[str, Any] = {
            "number": self.seq[0],
            "state": state,
            "topic": "detractor",
            "title": f"Tapaus {self.seq[0]}",
            "source": "rule",
            "language": "fi",
            "contact_email": "asiakas@example.com",
            "touchpoint_id": self.tp("checkout"),
            "team_id": self.survey.cat.team_id,
            "customer_id": self.customer_id,
            "opened_at": now,
            "acknowledge_due_at": now + timedelta(hours=4),
            "resolve_due_at": now + timedelta(days=5),
        }
        with self.db.transaction(self.org_id) as session:
            case = Case(organisation_id=self.org_id, **(fields | values))
            session.add(case)
            session.flush()
            return case.id

    def get(self, case_id: uuid.UUID) -> Case:
        with self.db.transaction(self.org_id) as session:
            found = session.get(Case, case_id)
            assert found is not None
            session.expunge(found)
            return found


def make_desk(db: Database, owner: Member) -> Desk:
    """The organisation of ``owner`` with a published survey, its catalogue, a journey
    placing checkout, and customer asiakas-7 who gave NPS 3 at checkout."""
    survey = make_survey(db, owner.organisation)
    cat = survey.cat
    with db.transaction(cat.org.id) as session:
        journey = session.get(Journey, cat.journey_id)
        assert journey is not None
        journeymap.do_place_touchpoint(
            session,
            cat.actor,
            cat.journey_id,
            cat.touchpoints["checkout"],
            PlacementIn(stage_id=journey.stages[1].id),
        )
        customer, _ = do_upsert_customer(
            session,
            cat.actor,
            "asiakas-7",
            CustomerIn(
                segment="Kanta-asiakas", region="Uusimaa", plan="Gold", lifetime_value=1234.5
            ),
        )
        version = session.scalar(
            select(SurveyVersion).where(SurveyVersion.survey_id == survey.survey_id)
        )
        assert version is not None
        when = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        response = SurveyResponse(
            organisation_id=cat.org.id,
            survey_id=survey.survey_id,
            version_id=version.id,
            channel="link",
            language="fi",
            customer_id=customer.id,
            touchpoint_id=cat.touchpoints["checkout"],
            finished_at=when,
        )
        session.add(response)
        session.flush()
        session.add(
            SurveyMeasure(
                organisation_id=cat.org.id,
                response_id=response.id,
                survey_id=survey.survey_id,
                question_key="nps",
                role="nps",
                value=3,
                scale_min=0,
                scale_max=10,
                touchpoint_id=cat.touchpoints["checkout"],
                customer_id=customer.id,
                answered_at=when,
            )
        )
        customer_id = customer.id
    return Desk(db, owner, survey, customer_id, [0])


def texts(locale: str, *msgids: str) -> list[str]:
    return [gettext(locale, m) for m in msgids]


def forms_of(html: str) -> dict[str, list[str]]:
    """The move forms of a case page: action -> the names of its fields."""
    return {
        action: [n for n in NAME_RE.findall(body) if n != "csrf_token"]
        for action, body in FORM_RE.findall(html)
    }


def post_form(client: TestClient, path: str, form: dict[str, str]) -> Any:
    """Send a page form with a fresh CSRF token; redirects are not followed."""
    token = page_csrf(client, "/cases")
    return client.post(path, data={"csrf_token": token, **form}, follow_redirects=False)
