"""Collects the routers of API v1. A new domain adds its router here."""

from __future__ import annotations

from fastapi import APIRouter

from kohtaamo.api.v1 import accounts

router = APIRouter(prefix="/api/v1")
router.include_router(accounts.router)
