"""Employees' observations: the board, the quick form, votes, notes and decisions."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
