"""Collects the page routers. A new area adds its router here."""

from __future__ import annotations

from fastapi import APIRouter

from kohtaamo.web.routes import areas, auth, overview, settings, settings_keys

router = APIRouter(include_in_schema=False)
router.include_router(auth.router)
router.include_router(overview.router)
router.include_router(areas.router)
router.include_router(settings.router)
router.include_router(settings_keys.router)
