"""Accounts data in and out of the API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from kohtaamo.accounts.permissions import Role, Scope


class StrictModel(BaseModel):
    """Input models: unknown fields are an error, not silently dropped (mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    slug: str
    default_locale: str
    timezone: str


class MemberOut(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    email: str
    name: str
    role: Role
    is_active: bool


class MemberIn(StrictModel):
    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    role: Role


class RoleChange(StrictModel):
    role: Role


class ApiKeyIn(StrictModel):
    name: str = Field(min_length=1, max_length=120)
    scopes: list[Scope] = Field(min_length=1, max_length=2)


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[Scope]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The whole key. Shown once; store it now.")


class MeOut(BaseModel):
    organisation: OrganisationOut
    api_key: ApiKeyOut | None = None
    permissions: list[str]
