"""The JSON API. Presentation only: routes call domain services."""
