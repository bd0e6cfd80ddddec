"""API: the programme's live status."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["programme"])
