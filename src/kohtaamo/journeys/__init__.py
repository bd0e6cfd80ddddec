"""Journeys, stages, touchpoints, customers, interaction events and path analytics."""
