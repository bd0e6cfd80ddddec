"""The programme's forms: elements, standards, measures, actions, references."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
