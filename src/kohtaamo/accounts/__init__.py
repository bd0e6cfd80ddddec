"""Organisations (tenants), users, memberships and roles, API keys, sessions, access decisions."""
