"""Version 1 of the JSON API, mounted under /api/v1."""
