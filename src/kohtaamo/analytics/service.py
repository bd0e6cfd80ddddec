"""Erasures the analytics store must repeat.

The store is a copy: deleting a response or erasing a customer in the operational
database does not reach it by itself. :func:`record_erasure` writes tombstones in the
deleting transaction (it only flushes; the caller commits), and the sync applies them
(``analytics.sync``): a response's measures are deleted, an erased customer's profile is
deleted and their measures lose the link to them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.orm import Session

from kohtaamo.analytics.models import AnalyticsTombstone
from kohtaamo.storage.tenancy import require_tenant


def record_erasure(
    session: Session,
    *,
    customer_id: uuid.UUID | None = None,
    response_ids: Iterable[uuid.UUID] = (),
) -> int:
    """Write tombstones for a customer and/or responses of the session's organisation;
    returns how many were written."""
    organisation_id = require_tenant(session)
    stones = [
        AnalyticsTombstone(organisation_id=organisation_id, kind="response", ref_id=rid)
        for rid in response_ids
    ]
    if customer_id is not None:
        stones.append(
            AnalyticsTombstone(organisation_id=organisation_id, kind="customer", ref_id=customer_id)
        )
    session.add_all(stones)
    session.flush()
    return len(stones)
