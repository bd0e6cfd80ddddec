"""Collects the page routers. A new area adds its router here."""

from __future__ import annotations

from fastapi import APIRouter

from kohtaamo.web.routes import (
    analytics,
    analytics_explore,
    analytics_report,
    areas,
    assumptions,
    auth,
    benchmarks,
    case_complaint,
    case_public,
    case_recovery,
    cases,
    cases_config,
    cases_rules,
    drivers,
    journeys,
    journeys_edit,
    journeys_import,
    overview,
    passwords,
    programme,
    programme_description,
    programme_edit,
    programme_observations,
    programme_walkthroughs,
    settings,
    settings_audit,
    settings_keys,
    survey_builder,
    survey_builder_pages,
    survey_builder_questions,
    survey_import,
    survey_invitations,
    survey_overview,
    survey_preview,
    survey_public,
    survey_qr,
    survey_responses,
    surveys,
    text,
    touchpoints,
    webhooks,
)

router = APIRouter(include_in_schema=False)
# Public pages under fixed prefixes first: nothing below may shadow them.
router.include_router(case_complaint.router)
router.include_router(auth.router)
router.include_router(passwords.router)
router.include_router(overview.router)
router.include_router(areas.router)
# Fixed addresses under /journeys/ first: /journeys/{journey_id} would take them.
router.include_router(touchpoints.router)
router.include_router(journeys_import.router)
router.include_router(journeys.router)
router.include_router(journeys_edit.router)
router.include_router(settings.router)
router.include_router(settings_keys.router)
router.include_router(settings_audit.router)
# Surveys: fixed addresses under /feedback/ first, then /feedback/surveys/{survey_id}.
router.include_router(survey_import.router)
router.include_router(surveys.router)
router.include_router(survey_overview.router)
router.include_router(survey_builder.router)
router.include_router(survey_builder_questions.router)
router.include_router(survey_builder_pages.router)
router.include_router(survey_preview.router)
router.include_router(survey_responses.router)
router.include_router(survey_invitations.router)
router.include_router(survey_qr.router)
router.include_router(survey_public.router)
# Analytics: fixed addresses under /analytics/ before /analytics/touchpoints/{id}.
router.include_router(assumptions.router)
router.include_router(drivers.router)
router.include_router(benchmarks.router)
router.include_router(analytics_report.router)
router.include_router(analytics_explore.router)
router.include_router(analytics.router)
router.include_router(text.router)
router.include_router(case_recovery.router)
router.include_router(cases_config.router)
# Fixed addresses under /cases/settings/ before /cases/{case_id}.
router.include_router(cases_rules.router)
router.include_router(cases.router)
router.include_router(case_public.router)
router.include_router(webhooks.router)
# Programme: fixed addresses (/programme/elements/new…) before /programme/elements/{id}.
router.include_router(programme_edit.router)
router.include_router(programme_description.router)
router.include_router(programme_observations.router)
router.include_router(programme_walkthroughs.router)
router.include_router(programme.router)
