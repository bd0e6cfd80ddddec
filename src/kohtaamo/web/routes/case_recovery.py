"""TODO(scaffold): pages of case_recovery."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
