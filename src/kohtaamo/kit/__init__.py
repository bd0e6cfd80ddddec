"""Domain-free helpers: clock, identifiers, pagination."""
