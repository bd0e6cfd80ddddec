"""Collects the routers of API v1. A new domain adds its router here."""

from __future__ import annotations

from fastapi import APIRouter

from kohtaamo.api.responses import API_ERRORS
from kohtaamo.api.v1 import (
    accounts,
    assumptions,
    case_recovery,
    cases,
    complaints_mail,
    drivers,
    events,
    journeys,
    metrics,
    paths,
    programme,
    programme_status,
    survey_invitations,
    survey_public,
    surveys,
)

router = APIRouter(prefix="/api/v1", responses=API_ERRORS)
router.include_router(accounts.router)
router.include_router(journeys.router)
router.include_router(events.router)
router.include_router(paths.router)
router.include_router(surveys.router)
router.include_router(survey_public.router)
router.include_router(survey_invitations.router)
router.include_router(metrics.router)
router.include_router(assumptions.router)
router.include_router(drivers.router)
router.include_router(case_recovery.router)
router.include_router(cases.router)
router.include_router(complaints_mail.router)
router.include_router(programme_status.router)
router.include_router(programme.router)
