"""Who is acting, for which organisation, with what rights."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from kohtaamo.accounts.permissions import PERMISSIONS, Role, Scope, role_may, scope_may
from kohtaamo.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    organisation_id: uuid.UUID
    user_id: uuid.UUID | None = None
    role: Role | None = None
    api_key_id: uuid.UUID | None = None
    scopes: frozenset[Scope] = frozenset()

    @property
    def is_api_key(self) -> bool:
        return self.api_key_id is not None

    def may(self, permission: str) -> bool:
        if permission not in PERMISSIONS:
            raise KeyError(f"undeclared permission {permission!r}")
        if self.is_api_key:
            return scope_may(self.scopes, permission)
        return self.role is not None and role_may(self.role, permission)

    def require(self, permission: str) -> None:
        if not self.may(permission):
            raise PermissionDenied(permission=permission)
