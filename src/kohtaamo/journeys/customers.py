"""Customer profiles next to CRM data: upsert by the organisation's own external id.

Kohtaamo is not a CRM: a profile holds only what analysis needs (segment, region, plan,
customer since, purchases, lifetime value, language, a few free attributes, consents).
An upsert changes only the fields sent, so several systems can each own some of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.errors import FieldProblem, InvalidInput, NotFound
from kohtaamo.journeys import repository as repo
from kohtaamo.journeys.customer_ids import forget_customers_after_commit
from kohtaamo.journeys.ingest import problems_of
from kohtaamo.journeys.models import Customer
from kohtaamo.journeys.schemas import CustomerBatchItem, CustomerIn
from kohtaamo.kit.clock import utcnow
from kohtaamo.kit.pagination import Page, PageRequest

MAX_BATCH = 1000


def get_customer(session: Session, actor: Actor, external_id: str) -> Customer:
    actor.require("journeys.view")
    found = repo.customer(session, external_id)
    if found is None:
        raise NotFound("No such customer.")
    return found


def list_customers(session: Session, actor: Actor, page: PageRequest) -> Page[Customer]:
    actor.require("journeys.view")
    items, total = repo.customers(session, limit=page.limit, offset=page.offset)
    return Page(items, total, page.limit, page.offset)


def list_segments(session: Session, actor: Actor) -> list[str]:
    """The segments customers have, for choosing one in filters."""
    actor.require("journeys.view")
    return repo.segments(session)


def check_external_id(external_id: str) -> str:
    value = external_id.strip()
    if not value or len(value) > 120:
        raise InvalidInput("Give the customer's id (1 to 120 characters).", field="external_id")
    return value


def _apply(customer: Customer, data: CustomerIn) -> None:
    for name, value in data.model_dump(exclude_unset=True).items():
        if name in ("attributes", "consents"):
            value = value or {}
        setattr(customer, name, value)
    customer.updated_at = utcnow()


def do_upsert_customers(
    session: Session, actor: Actor, items: Sequence[tuple[str, CustomerIn]]
) -> list[bool]:
    """Create or update each (external id, profile); True where the customer is new.

    Missing profiles are first inserted bare with ON CONFLICT DO NOTHING, so an event
    ingestion creating the same customer at the same moment cannot make this fail.
    """
    actor.require("events.ingest")
    ids = [ext for ext, _ in items]
    existing = repo.customer_ids(session, ids)
    missing = sorted({ext for ext in ids if ext not in existing})
    if missing:
        repo.insert_bare_customers(session, missing, utcnow())
    loaded = repo.customers_by_external_id(session, ids)
    created: list[bool] = []
    seen: set[str] = set()
    for ext, data in items:
        _apply(loaded[ext], data)
        created.append(ext not in existing and ext not in seen)
        seen.add(ext)
    session.flush()
    return created


def do_upsert_customer(
    session: Session, actor: Actor, external_id: str, data: CustomerIn
) -> tuple[Customer, bool]:
    external_id = check_external_id(external_id)
    created = do_upsert_customers(session, actor, [(external_id, data)])[0]
    customer = repo.customer(session, external_id)
    assert customer is not None
    return customer, created


def do_delete_customer(session: Session, actor: Actor, external_id: str) -> None:
    """Erase a customer and their interaction events (a data subject's request)."""
    actor.require("events.ingest")
    session.delete(get_customer(session, actor, external_id))
    session.flush()
    forget_customers_after_commit(session)  # ingestion must not reuse the id


@dataclass
class ItemOutcome:
    index: int
    id: str | None
    status: Literal["created", "updated", "rejected"]
    problems: list[FieldProblem] = field(default_factory=list)


def do_upsert_customer_batch(
    session: Session, actor: Actor, items: Sequence[Any]
) -> list[ItemOutcome]:
    """Validate each item on its own; store the valid ones; one outcome per item."""
    actor.require("events.ingest")
    outcomes: list[ItemOutcome] = []
    valid: list[tuple[int, str, CustomerIn]] = []
    for index, item in enumerate(items):
        raw_id = item.get("external_id") if isinstance(item, dict) else None
        try:
            parsed = CustomerBatchItem.model_validate(item)
        except ValidationError as exc:
            outcomes.append(
                ItemOutcome(
                    index, raw_id if isinstance(raw_id, str) else None, "rejected", problems_of(exc)
                )
            )
            continue
        data = CustomerIn.model_validate(
            parsed.model_dump(exclude_unset=True, exclude={"external_id"})
        )
        outcomes.append(ItemOutcome(index, parsed.external_id, "updated"))
        valid.append((index, parsed.external_id, data))
    if valid:
        created = do_upsert_customers(session, actor, [(ext, d) for _, ext, d in valid])
        for (index, _, _), new in zip(valid, created, strict=True):
            if new:
                outcomes[index].status = "created"
    return outcomes
