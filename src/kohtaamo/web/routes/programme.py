"""The programme pages: the pyramid with live status, element and standard pages,
the action board."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
