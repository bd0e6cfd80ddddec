"""TODO(scaffold): pages of cases."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
