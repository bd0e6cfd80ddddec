"""The command line (Typer). Presentation only: commands call domain services."""
