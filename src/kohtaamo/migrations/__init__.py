"""Alembic migrations (batch mode, so they run on SQLite as well as PostgreSQL)."""
