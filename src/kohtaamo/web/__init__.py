"""Server-rendered pages (Jinja2 + htmx). Presentation only: pages call domain services."""
