"""(being built) Pages: survey_responses."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
