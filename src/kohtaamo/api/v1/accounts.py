"""The caller's own organisation and credentials."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from kohtaamo.accounts import repository as repo
from kohtaamo.accounts.models import Organisation
from kohtaamo.accounts.permissions import PERMISSIONS
from kohtaamo.accounts.schemas import ApiKeyOut, MeOut, OrganisationOut
from kohtaamo.api.deps import ApiContext, api_permission
from kohtaamo.errors import NotFound

router = APIRouter(tags=["accounts"])

Viewer = Annotated[ApiContext, Depends(api_permission("org.view"))]


@router.get("/me", response_model=MeOut, summary="Who the API key acts for")
def me(ctx: Viewer) -> MeOut:
    with ctx.transaction(readonly=True) as session:
        org = session.get(Organisation, ctx.actor.organisation_id)
        key = repo.api_key(session, ctx.actor.api_key_id) if ctx.actor.api_key_id else None
        if org is None:
            raise NotFound()
        return MeOut(
            organisation=OrganisationOut.model_validate(org),
            api_key=ApiKeyOut.model_validate(key) if key else None,
            permissions=sorted(p for p in PERMISSIONS if ctx.actor.may(p)),
        )


@router.get("/organisation", response_model=OrganisationOut, summary="The caller's organisation")
def organisation(ctx: Viewer) -> OrganisationOut:
    with ctx.transaction(readonly=True) as session:
        org = session.get(Organisation, ctx.actor.organisation_id)
        if org is None:
            raise NotFound()
        return OrganisationOut.model_validate(org)
