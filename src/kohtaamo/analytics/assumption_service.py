"""The assumption register: write an assumption down, check it now, read its history,
check it again, delete it. Services flush; whoever opened the transaction commits."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.analytics import assumption_words as words
from kohtaamo.analytics.assumption_data import touchpoint_names
from kohtaamo.analytics.assumptions import AssumptionSpec, check, validate_spec
from kohtaamo.analytics.models import Assumption, AssumptionCheck
from kohtaamo.analytics.source import Source
from kohtaamo.errors import NotFound, rule_error
from kohtaamo.kit.clock import utcnow
from kohtaamo.kit.text import contains_nul

SPEC = TypeAdapter(AssumptionSpec)


class AssumptionIn(BaseModel):
    """A new assumption: its spec and, optionally, the sentence in the writer's words
    (composed from the spec when left empty)."""

    model_config = ConfigDict(extra="forbid")

    statement: str = Field(default="", max_length=500)
    spec: AssumptionSpec

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if isinstance(data, dict) and contains_nul(data.get("statement")):
            raise rule_error("Text may not contain NUL characters.")
        return data


def _keys(spec: dict[str, Any]) -> list[str]:
    keys = [spec.get(k) for k in ("touchpoint", "driver_a", "driver_b")]
    if spec.get("dimension") == "touchpoint":
        keys += [spec.get("group_a"), spec.get("group_b")]
    return [k for k in keys if k]


def compose_statement(source: Source, org: str, spec: dict[str, Any], locale: str) -> str:
    """The spec as a sentence in ``locale``, touchpoints by name."""
    return words.statement(locale, spec, touchpoint_names(source, org, _keys(spec)))


def do_create_assumption(
    session: Session, actor: Actor, source: Source, data: AssumptionIn, *, locale: str = "en"
) -> Assumption:
    """Store an assumption after checking that its metric, dimension, groups and
    touchpoints exist in the organisation's data (a 422 naming the field otherwise)."""
    org = str(actor.organisation_id)
    validate_spec(source, org, data.spec)
    spec = data.spec.model_dump(mode="json")
    text = data.statement.strip() or compose_statement(source, org, spec, locale)
    assumption = Assumption(
        organisation_id=actor.organisation_id,
        statement=text,
        kind=data.spec.kind,
        spec=spec,
        created_by=actor.user_id,
    )
    session.add(assumption)
    session.flush()
    return assumption


def get_assumption(session: Session, actor: Actor, assumption_id: uuid.UUID) -> Assumption:
    found = session.get(Assumption, assumption_id)
    if found is None or found.organisation_id != actor.organisation_id:
        raise NotFound("There is no such assumption.")
    return found


def list_assumptions(session: Session, actor: Actor) -> list[Assumption]:
    """Newest first."""
    stmt = select(Assumption).order_by(Assumption.created_at.desc(), Assumption.id)
    return list(session.scalars(stmt))


def list_checks(session: Session, actor: Actor, assumption_id: uuid.UUID) -> list[AssumptionCheck]:
    """The assumption's checks, newest first."""
    get_assumption(session, actor, assumption_id)
    stmt = (
        select(AssumptionCheck)
        .where(AssumptionCheck.assumption_id == assumption_id)
        .order_by(AssumptionCheck.checked_at.desc(), AssumptionCheck.id)
    )
    return list(session.scalars(stmt))


def do_check_assumption(
    session: Session, actor: Actor, source: Source, assumption_id: uuid.UUID
) -> AssumptionCheck:
    """Test the assumption on the answers as they are now; keep the result as a new check
    and as the assumption's latest verdict."""
    assumption = get_assumption(session, actor, assumption_id)
    spec = SPEC.validate_python(assumption.spec)
    result = check(source, str(actor.organisation_id), spec)
    now = utcnow()
    row = AssumptionCheck(
        organisation_id=actor.organisation_id,
        assumption_id=assumption.id,
        verdict=str(result["verdict"]),
        result=result,
        checked_at=now,
    )
    session.add(row)
    assumption.verdict = row.verdict
    assumption.checked_at = now
    session.flush()
    return row


def do_delete_assumption(session: Session, actor: Actor, assumption_id: uuid.UUID) -> None:
    assumption = get_assumption(session, actor, assumption_id)
    # Its checks go with it (ON DELETE CASCADE; SQLite enforces foreign keys too).
    session.delete(assumption)
    session.flush()
