"""E-mail invitations: send a campaign, read the counts, and hear of bounced mail."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kohtaamo.api.deps import ApiContext, api_permission
from kohtaamo.journeys.schemas import EmailAddress
from kohtaamo.surveys import campaigns, invitations, screening
from kohtaamo.surveys.catalogue import LANGUAGES
from kohtaamo.surveys.definition import Lang
from kohtaamo.surveys.service import get_survey

router = APIRouter(tags=["survey invitations"])

Viewer = Annotated[ApiContext, Depends(api_permission("feedback.view"))]
Editor = Annotated[ApiContext, Depends(api_permission("feedback.edit"))]


class CampaignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    campaign: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    segment: Annotated[str, StringConstraints(min_length=1, max_length=80)] | None = None
    customers: list[Annotated[str, StringConstraints(min_length=1, max_length=120)]] | None = Field(
        default=None, max_length=campaigns.MAX_CAMPAIGN
    )
    language: Lang | None = Field(
        default=None, description=f"For customers whose language the survey lacks: {LANGUAGES}"
    )
    quiet_days: int = Field(default=screening.DEFAULT_QUIET_DAYS, ge=0, le=365)


class CampaignOut(BaseModel):
    campaign: str
    invited: int
    skipped: dict[str, int] = Field(description="Customers not invited, by reason")


class BouncesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    emails: list[EmailAddress] = Field(min_length=1, max_length=1000)


class BouncesOut(BaseModel):
    bounced: int = Field(description="Invitations marked bounced")


@router.post(
    "/surveys/{survey_id}/invitations",
    response_model=CampaignOut,
    summary="Invite a segment or listed customers by e-mail",
)
def send_campaign(ctx: Editor, survey_id: uuid.UUID, body: CampaignIn) -> CampaignOut:
    with ctx.transaction() as session:
        result = campaigns.do_invite(
            session,
            ctx.actor,
            survey_id,
            segment=body.segment,
            customer_external_ids=body.customers,
            language=body.language,
            campaign=body.campaign,
            quiet_days=body.quiet_days,
        )
    return CampaignOut(campaign=result.campaign, invited=result.invited, skipped=result.skipped)


@router.get(
    "/surveys/{survey_id}/invitations/counts",
    response_model=dict[str, int],
    summary="Invitations of a survey by status",
)
def invitation_counts(ctx: Viewer, survey_id: uuid.UUID) -> dict[str, int]:
    with ctx.transaction(readonly=True) as session:
        survey = get_survey(session, ctx.actor, survey_id)
        return invitations.status_counts(session, survey.id)


@router.post(
    "/survey-invitations/bounces",
    response_model=BouncesOut,
    summary="Addresses whose invitation came back (the mail provider's webhook)",
)
def bounces(ctx: Editor, body: BouncesIn) -> BouncesOut:
    with ctx.transaction() as session:
        marked = sum(invitations.do_mark_bounced(session, email=e) for e in body.emails)
    return BouncesOut(bounced=marked)
