"""The CX description as a page and a PDF, and the form for its own words."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
