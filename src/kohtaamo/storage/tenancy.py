"""Tenant isolation: the one access function that scopes every query of tenant data.

A session carries the organisation it acts for in ``session.info["tenant"]``. Every ORM
SELECT, UPDATE and DELETE that touches a :class:`TenantScoped` entity gets
``organisation_id = <tenant>`` added here, and every flushed row is checked to belong to
that tenant. A session without a tenant refuses to touch tenant data at all (fail
closed); only code that says so explicitly (:data:`ALL_TENANTS`, used by system jobs
and the demo seeder) sees across organisations.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any, Final

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql import visitors
from sqlalchemy.sql.expression import ClauseElement, TableClause

from kohtaamo.storage.base import Base, TenantScoped


class _AllTenants:
    def __repr__(self) -> str:
        return "ALL_TENANTS"


ALL_TENANTS: Final = _AllTenants()
Tenant = uuid.UUID | _AllTenants | None


class TenancyViolation(RuntimeError):
    """A programming error: tenant data touched without a tenant, or across tenants."""


def session_tenant(session: Session) -> Tenant:
    tenant: Tenant = session.info.get("tenant")
    return tenant


def require_tenant(session: Session) -> uuid.UUID:
    """The organisation this session acts for; for Core queries that must filter by hand."""
    tenant = session_tenant(session)
    if not isinstance(tenant, uuid.UUID):
        raise TenancyViolation("this operation needs a session scoped to one organisation")
    return tenant


def _tenant_tables() -> frozenset[str]:
    # Recomputed only when a module maps new classes: this runs on every query.
    return _tenant_tables_of(len(Base.registry.mappers))


@lru_cache(maxsize=4)
def _tenant_tables_of(_mapper_count: int) -> frozenset[str]:
    return frozenset(
        mapper.local_table.name
        for mapper in Base.registry.mappers
        if issubclass(mapper.class_, TenantScoped) and hasattr(mapper.local_table, "name")
    )


def _touches_tenant_data(state: ORMExecuteState) -> bool:
    if any(issubclass(m.class_, TenantScoped) for m in state.all_mappers):
        return True
    # Entities only in FROM, JOIN or a subquery (``select(func.count()).select_from(X)``,
    # ``select(User.email).join(Membership)``) are not among ``all_mappers``.
    statement = state.statement
    if not isinstance(statement, ClauseElement):
        return False
    tenant_tables = _tenant_tables()
    return any(
        getattr(node, "name", None) in tenant_tables
        for node in visitors.iterate(statement)
        if isinstance(node, TableClause)
    )


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load:
        return  # refreshes a row this session already loaded under the criteria
    # Relationship loads are scoped too: a parent that is not tenant data (a User) would
    # otherwise lazy- or selectin-load its children (memberships) of every organisation.
    tenant = session_tenant(state.session)
    if tenant is ALL_TENANTS or state.execution_options.get("all_tenants"):
        # An explicit, greppable reason: tests allow-list every use of it.
        return
    if not _touches_tenant_data(state):
        return
    if not isinstance(tenant, uuid.UUID):
        raise TenancyViolation("query of tenant data in a session without a tenant")
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.organisation_id == tenant,
            include_aliases=True,
        )
    )


@event.listens_for(Session, "before_flush")
def _check_flushed_rows(session: Session, _context: Any, _instances: Any) -> None:
    tenant = session_tenant(session)
    if tenant is ALL_TENANTS:
        return
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not isinstance(obj, TenantScoped):
            continue
        if not isinstance(tenant, uuid.UUID):
            raise TenancyViolation(f"{type(obj).__name__} written in a session without a tenant")
        if obj in session.new and obj.organisation_id is None:
            obj.organisation_id = tenant
        if obj.organisation_id != tenant:
            raise TenancyViolation(f"{type(obj).__name__} belongs to another organisation")
