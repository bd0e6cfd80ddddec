"""Webhooks: case and response events to the organisation's own systems, signed after
Standard Webhooks, delivered at least once with retries, logged, disabled after
persistent failure, and never to a private address unless an administrator allows it.

Domains call :func:`kohtaamo.webhooks.service.emit` inside their transaction: one
delivery row per subscribed endpoint and a job, both leaving only if that commits.
"""
