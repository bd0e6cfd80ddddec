"""API: the programme's pyramid (elements, standards, measures, actions, references)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["programme"])
