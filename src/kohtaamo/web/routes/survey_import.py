"""(being built) Pages: survey_import."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
