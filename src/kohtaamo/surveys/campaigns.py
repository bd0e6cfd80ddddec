"""E-mail campaigns: invite a segment, or a list of customers, to a survey at once.

Who is invited: customers with an e-mail address who gave the consent ``surveys``
(unless the caller says the survey needs none, ``consent_key=None``), whose address has
not opted out nor bounced, and who were not invited to any survey of the organisation
within the quiet period (``quiet_days``, 30 by default). The invitations and their
sending jobs are written in the caller's transaction: all of them leave, or none.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.errors import Conflict, InvalidInput
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.journeys.models import Customer
from kohtaamo.kit.clock import utcnow
from kohtaamo.surveys import invitations, screening
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys.catalogue import LANGUAGES, SurveyStatus
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.schemas import SurveySettings
from kohtaamo.surveys.service import get_survey
from kohtaamo.surveys.tasks import enqueue_send

MAX_CAMPAIGN = 5000  # customers per campaign: one request's transaction stays short


@dataclass
class CampaignResult:
    campaign: str
    invited: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason → customers

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + n


def segments(session: Session, actor: Actor) -> list[str]:
    """The segments a campaign may target (the customers' segments)."""
    actor.require("feedback.view")
    return journeys_repo.segments(session)


def _candidates(
    session: Session,
    segment: str | None,
    external_ids: Sequence[str] | None,
    result: CampaignResult,
) -> list[Customer]:
    if (segment is None) == (external_ids is None):
        raise InvalidInput("Choose a segment or give a list of customer ids.", field="segment")
    if segment is not None:
        where = Customer.segment == segment
        count = int(session.scalar(select(func.count()).where(where)) or 0)
        if count > MAX_CAMPAIGN:
            raise InvalidInput(
                "A campaign may invite at most %(n)s customers at a time.",
                field="segment",
                n=MAX_CAMPAIGN,
            )
        return list(session.scalars(select(Customer).where(where).order_by(Customer.external_id)))
    assert external_ids is not None
    wanted = list(dict.fromkeys(e.strip() for e in external_ids if e.strip()))
    if not wanted:
        raise InvalidInput("Give at least one customer id.", field="customer_external_ids")
    if len(wanted) > MAX_CAMPAIGN:
        raise InvalidInput(
            "A campaign may invite at most %(n)s customers at a time.",
            field="customer_external_ids",
            n=MAX_CAMPAIGN,
        )
    found: dict[str, Customer] = {}
    for start in range(0, len(wanted), 500):
        found.update(journeys_repo.customers_by_external_id(session, wanted[start : start + 500]))
    if len(found) < len(wanted):
        result.skip("unknown_customer", len(wanted) - len(found))
    return [found[e] for e in wanted if e in found]


def do_invite(
    session: Session,
    actor: Actor,
    survey_id: uuid.UUID,
    *,
    segment: str | None,
    customer_external_ids: list[str] | None,
    language: str | None,
    campaign: str,
    quiet_days: int = screening.DEFAULT_QUIET_DAYS,
    consent_key: str | None = screening.CONSENT_KEY,
) -> CampaignResult:
    """Invite each eligible customer once; say how many were invited and why the others
    were not. ``language``: for customers whose own language the survey does not have."""
    actor.require("feedback.edit")
    survey = get_survey(session, actor, survey_id)
    if survey.status != SurveyStatus.OPEN or survey.live_version is None:
        raise Conflict("Publish the survey before inviting anyone to it.")
    if language is not None and language not in LANGUAGES:
        raise InvalidInput("Choose Finnish, English or Swedish.", field="language")
    if not 0 <= quiet_days <= 365:
        raise InvalidInput("Give the quiet period in days (0 to 365).", field="quiet_days")
    campaign = campaign.strip()[:120]
    if not campaign:
        raise InvalidInput("Give the campaign a name.", field="campaign")
    version = repo.version(session, survey.id, survey.live_version)
    assert version is not None
    definition = SurveyDefinition.model_validate(version.definition)
    settings = SurveySettings.model_validate(survey.settings or {})
    result = CampaignResult(campaign)
    customers = _candidates(session, segment, customer_external_ids, result)
    now = utcnow()
    screen = screening.Screen(
        session, customers, consent_key=consent_key, quiet_days=quiet_days, now=now
    )
    made = []
    for customer in customers:
        reason = screen.reason(customer)
        if reason is not None:
            result.skip(reason)
            continue
        made.append(
            invitations.new_invitation(
                session,
                survey,
                customer,
                language=invitations.language_for(customer, definition, language),
                send_after=now,
                valid_days=settings.invitation_valid_days,
                now=now,
                campaign=campaign,
            )
        )
        screen.invited(customer, now)
    session.flush()
    for invitation in made:
        enqueue_send(session, invitation)
    result.invited = len(made)
    return result
