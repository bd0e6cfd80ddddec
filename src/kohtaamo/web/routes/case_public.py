"""TODO(scaffold): pages of case_public."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
