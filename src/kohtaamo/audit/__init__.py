"""The audit log: who viewed or exported personal data, changed roles, API keys,
webhooks or retention, or erased data. Append-only; owners read and export it.
"""
