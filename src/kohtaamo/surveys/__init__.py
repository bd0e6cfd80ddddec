"""Surveys: versioned multilingual questionnaires, their distribution and their responses."""
