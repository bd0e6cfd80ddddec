"""(being built) API routes: survey_public."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
