"""(being built) Pages: survey_builder."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
