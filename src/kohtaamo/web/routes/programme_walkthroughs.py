"""Journey walkthroughs: the calendar, the schedule form and the checklist on a phone."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
