"""Who belongs to which team, for cases: "my team's cases" and who hears of a breach.
Teams themselves belong to ``journeys`` (a touchpoint's owner); users to ``accounts``."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kohtaamo.accounts import repository as accounts_repo
from kohtaamo.cases.models import TeamMember
from kohtaamo.errors import InvalidInput, NotFound
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.storage.tenancy import require_tenant


def members_by_team(session: Session) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The user ids of each team that has members."""
    out: dict[uuid.UUID, list[uuid.UUID]] = {}
    for row in session.scalars(select(TeamMember)):
        out.setdefault(row.team_id, []).append(row.user_id)
    return out


def add_member(session: Session, team_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Put a member of the organisation in one of its teams; ``False`` if already there."""
    if journeys_repo.team(session, team_id) is None:
        raise NotFound("No such team.")
    membership = accounts_repo.membership_of(session, user_id)
    if membership is None or not membership.is_active:
        raise InvalidInput("Choose a user of this organisation.", field="user_id")
    found = session.scalar(
        select(TeamMember).where(TeamMember.team_id == team_id, TeamMember.user_id == user_id)
    )
    if found is not None:
        return False
    session.add(
        TeamMember(organisation_id=require_tenant(session), team_id=team_id, user_id=user_id)
    )
    session.flush()
    return True


def remove_member(session: Session, team_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Take a user out of a team (their cases stay assigned to them)."""
    gone = session.execute(
        delete(TeamMember)
        .where(TeamMember.team_id == team_id, TeamMember.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
    if not getattr(gone, "rowcount", 0):
        raise NotFound("This user is not in this team.")
