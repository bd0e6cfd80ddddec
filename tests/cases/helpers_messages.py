"""Cases for the message, template and public-page tests, written straight into the
tables (no trigger or workflow needed to have a case to write to)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from kohtaamo.accounts.models import Organisation
from kohtaamo.cases.models import Case
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database


def make_case(
    db: Database,
    org: Organisation | uuid.UUID,
    *,
    language: str = "fi",
    contact_email: str | None = "asiakas@example.fi",
    contact_name: str | None = "Maija Meikäläinen",
    state: str = "new",
    **fields: Any,
) -> uuid.UUID:
    org_id = org if isinstance(org, uuid.UUID) else org.id
    with db.transaction(org_id) as session:
        number = int(session.scalar(select(func.max(Case.number))) or 0) + 1
        case = Case(
            organisation_id=org_id,
            number=number,
            state=state,
            topic="experience",
            title=f"Case {number}",
            source="manual",
            language=language,
            contact_email=contact_email,
            contact_name=contact_name,
            opened_at=utcnow(),
            **fields,
        )
        session.add(case)
        session.flush()
        return case.id
