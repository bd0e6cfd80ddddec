"""TODO(scaffold): pages of webhooks."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
