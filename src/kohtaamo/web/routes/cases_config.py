"""TODO(scaffold): pages of cases_config."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
