"""Journey triggers: "when a customer meets touchpoint X, invite them to survey Y after D".

A trigger reads the organisation's interaction events in arrival order (``id``) from
its cursor ``last_event_id``, a bounded batch at a time. The invitations it makes and
the cursor's new place are written in one transaction, so a crash repeats nothing and
loses nothing, and each event is considered once, whatever its outcome.

Events are read only once they are ``SETTLE`` old: on PostgreSQL a transaction that
took ids earlier may commit after one that took later ids, and a cursor that passed
the later ones would skip it. (An import transaction longer than ``SETTLE`` can still
be missed; that is the price of a cursor without transaction ids.) A new trigger starts
at the newest event, and events older than ``MAX_EVENT_AGE`` are skipped, so neither a
new trigger nor an import of old history mails the whole customer base.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import Organisation
from kohtaamo.errors import InvalidInput, NotFound
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.journeys.models import Customer, InteractionEvent
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.tenancy import require_tenant
from kohtaamo.surveys import invitations, screening
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.models import Survey, SurveyInvitation, SurveyTrigger
from kohtaamo.surveys.schemas import SurveySettings
from kohtaamo.surveys.tasks import enqueue_send

BATCH = 500
SETTLE = timedelta(minutes=2)
MAX_EVENT_AGE = timedelta(days=7)

ConsentKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_.-]{1,80}$")]


class TriggerIn(BaseModel):
    """A trigger rule as a form or the API sends it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    touchpoint_id: uuid.UUID
    delay_minutes: int = Field(default=60, ge=0, le=60 * 24 * 30)
    sample_percent: float = Field(default=100.0, ge=0, le=100)
    quiet_days: int = Field(default=screening.DEFAULT_QUIET_DAYS, ge=0, le=365)
    consent_key: ConsentKey | None = screening.CONSENT_KEY  # None: no consent needed
    quota: int | None = Field(default=None, ge=1, le=1_000_000)
    quota_days: int = Field(default=30, ge=1, le=365)
    active: bool = True


@dataclass
class TriggerRun:
    """What one pass over the triggers did."""

    events: int = 0  # events of the triggers' touchpoints considered
    invited: int = 0
    more: bool = False  # a trigger filled its batch: run again to go on
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


# --- managing triggers ------------------------------------------------------------------


def list_triggers(session: Session, actor: Actor, survey_id: uuid.UUID) -> list[SurveyTrigger]:
    actor.require("feedback.view")
    return list(
        session.scalars(
            select(SurveyTrigger)
            .where(SurveyTrigger.survey_id == survey_id)
            .order_by(SurveyTrigger.active.desc(), SurveyTrigger.name)
        )
    )


def get_trigger(
    session: Session, actor: Actor, survey_id: uuid.UUID, trigger_id: uuid.UUID
) -> SurveyTrigger:
    actor.require("feedback.view")
    found = session.scalar(
        select(SurveyTrigger).where(
            SurveyTrigger.id == trigger_id, SurveyTrigger.survey_id == survey_id
        )
    )
    if found is None:
        raise NotFound("No such trigger.")
    return found


def _check(session: Session, data: TriggerIn) -> None:
    if journeys_repo.touchpoint(session, data.touchpoint_id) is None:
        raise InvalidInput("Choose a touchpoint from the catalogue.", field="touchpoint_id")


def _newest_event_id(session: Session) -> int:
    return int(session.scalar(select(func.max(InteractionEvent.id))) or 0)


def do_create_trigger(
    session: Session, actor: Actor, survey_id: uuid.UUID, data: TriggerIn
) -> SurveyTrigger:
    """A new trigger listens from now on: earlier events invite nobody."""
    actor.require("feedback.edit")
    if repo.survey(session, survey_id) is None:
        raise NotFound("No such survey.")
    _check(session, data)
    trigger = SurveyTrigger(
        survey_id=survey_id, last_event_id=_newest_event_id(session), **data.model_dump()
    )
    session.add(trigger)
    session.flush()
    if data.consent_key is None:
        # The ORM leaves a None out of the INSERT when the column has a default.
        trigger.consent_key = None
        session.flush()
    return trigger


def do_update_trigger(
    session: Session, actor: Actor, survey_id: uuid.UUID, trigger_id: uuid.UUID, data: TriggerIn
) -> SurveyTrigger:
    """Change a rule. Switching a trigger back on, or to another touchpoint, starts it
    from the newest event: the events it did not listen to are not caught up on."""
    actor.require("feedback.edit")
    trigger = get_trigger(session, actor, survey_id, trigger_id)
    _check(session, data)
    restart = (data.active and not trigger.active) or data.touchpoint_id != trigger.touchpoint_id
    for name, value in data.model_dump().items():
        setattr(trigger, name, value)
    if restart:
        trigger.last_event_id = max(trigger.last_event_id, _newest_event_id(session))
    trigger.updated_at = utcnow()
    session.flush()
    return trigger


def do_deactivate_trigger(
    session: Session, actor: Actor, survey_id: uuid.UUID, trigger_id: uuid.UUID
) -> SurveyTrigger:
    actor.require("feedback.edit")
    trigger = get_trigger(session, actor, survey_id, trigger_id)
    trigger.active = False
    trigger.updated_at = utcnow()
    session.flush()
    return trigger


# --- running ----------------------------------------------------------------------------


def sampled(trigger_id: uuid.UUID, event_key: str, percent: float) -> bool:
    """Deterministic sampling: the same event is in or out however often it is looked at,
    and each trigger draws its own sample."""
    if percent >= 100:
        return True
    digest = hashlib.sha256(f"{trigger_id}:{event_key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10_000 < round(percent * 100)


def _quota_used(session: Session, trigger: SurveyTrigger, now: datetime) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                SurveyInvitation.trigger_id == trigger.id,
                SurveyInvitation.created_at > now - timedelta(days=trigger.quota_days),
            )
        )
        or 0
    )


def _run_one(
    session: Session,
    trigger: SurveyTrigger,
    result: TriggerRun,
    *,
    now: datetime,
    batch: int,
    settle: timedelta,
) -> None:
    # The frontier: the newest event old enough that nothing before it can still be
    # uncommitted. Everything up to it is considered by this pass or the next ones.
    frontier = session.scalar(
        select(func.max(InteractionEvent.id)).where(
            InteractionEvent.id > trigger.last_event_id,
            InteractionEvent.received_at <= now - settle,
        )
    )
    if frontier is None:
        return
    ready = session.execute(
        select(
            InteractionEvent.id,
            InteractionEvent.event_key,
            InteractionEvent.customer_id,
            InteractionEvent.occurred_at,
        )
        .where(
            InteractionEvent.touchpoint_id == trigger.touchpoint_id,
            InteractionEvent.id > trigger.last_event_id,
            InteractionEvent.id <= frontier,
        )
        .order_by(InteractionEvent.id)
        .limit(batch)
    ).all()
    if len(ready) == batch:
        result.more = True
        frontier = ready[-1].id
    trigger.last_event_id = frontier
    if not ready:
        return
    survey = repo.survey(session, trigger.survey_id)
    version = (
        repo.version(session, survey.id, survey.live_version)
        if survey is not None and survey.status == "open" and survey.live_version
        else None
    )
    if survey is None or version is None:
        for _ in ready:
            result.skip("survey_not_open")
    else:
        _invite(session, trigger, survey, version.definition, ready, result, now=now)
    result.events += len(ready)


def _invite(
    session: Session,
    trigger: SurveyTrigger,
    survey: Survey,
    definition_doc: dict[str, object],
    events: Sequence[Row[int, str, uuid.UUID, datetime]],
    result: TriggerRun,
    *,
    now: datetime,
) -> None:
    definition = SurveyDefinition.model_validate(definition_doc)
    settings = SurveySettings.model_validate(survey.settings or {})
    customer_ids = list({e.customer_id for e in events})
    customers = {
        c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))
    }
    screen = screening.Screen(
        session,
        list(customers.values()),
        consent_key=trigger.consent_key,
        quiet_days=trigger.quiet_days,
        now=now,
    )
    used = _quota_used(session, trigger, now) if trigger.quota is not None else 0
    delay = timedelta(minutes=trigger.delay_minutes)
    for event in events:
        customer = customers.get(event.customer_id)
        send_after = event.occurred_at + delay
        reason = None
        if customer is None:
            reason = "unknown_customer"
        elif not sampled(trigger.id, event.event_key, trigger.sample_percent):
            reason = "not_sampled"
        elif send_after < now - MAX_EVENT_AGE:
            reason = "too_old"
        else:
            reason = screen.reason(customer)
        if reason is None and trigger.quota is not None and used >= trigger.quota:
            reason = "quota"
        if reason is not None or customer is None:
            result.skip(reason or "unknown_customer")
            continue
        invitation = invitations.new_invitation(
            session,
            survey,
            customer,
            language=invitations.language_for(customer, definition, None),
            send_after=send_after,
            valid_days=settings.invitation_valid_days,
            now=now,
            trigger_id=trigger.id,
            event_key=event.event_key,
            touchpoint_id=trigger.touchpoint_id,
        )
        session.flush()
        enqueue_send(session, invitation)
        screen.invited(customer, now)
        used += 1
        result.invited += 1


def do_run_triggers(
    session: Session,
    organisation: Organisation | uuid.UUID,
    *,
    now: datetime | None = None,
    batch: int = BATCH,
    settle: timedelta = SETTLE,
) -> TriggerRun:
    """One pass: each active trigger of the organisation looks at up to ``batch`` new
    events of its touchpoint. Flushes; the caller's commit makes invitations, their
    sending jobs and the cursors' moves happen together."""
    org_id = organisation if isinstance(organisation, uuid.UUID) else organisation.id
    if require_tenant(session) != org_id:
        raise ValueError("run an organisation's triggers in that organisation's session")
    now = now or utcnow()
    result = TriggerRun()
    triggers = session.scalars(
        select(SurveyTrigger).where(SurveyTrigger.active.is_(True)).order_by(SurveyTrigger.id)
    )
    for trigger in list(triggers):
        _run_one(session, trigger, result, now=now, batch=batch, settle=settle)
    session.flush()
    return result
