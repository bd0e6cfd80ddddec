"""(being built) Pages: surveys."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
