"""Walking the journey: scheduled walkthroughs (or mystery-shopping visits) of a journey,
each touchpoint checked against its standards on a checklist saved check by check (a walk
that stops half-way keeps what was recorded), a failed check turned into an action, and
one reminder per overdue walk to its owner."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import Membership, Organisation, User
from kohtaamo.errors import Conflict, InvalidInput, NotFound
from kohtaamo.i18n import gettext
from kohtaamo.journeys.models import Journey, JourneyTouchpoint, Stage, Touchpoint
from kohtaamo.kit.clock import utcnow
from kohtaamo.mail.service import enqueue_mail
from kohtaamo.programme import service
from kohtaamo.programme.models import (
    Action,
    Standard,
    StandardTouchpoint,
    Walkthrough,
    WalkthroughCheck,
    WalkthroughRun,
)
from kohtaamo.programme.schemas import ActionIn, CheckIn, WalkthroughIn
from kohtaamo.programme.vocab import CheckResult
from kohtaamo.storage.tenancy import require_tenant
from kohtaamo.text.redact import redact


@dataclass
class ChecklistItem:
    touchpoint: Touchpoint
    standards: list[Standard] = field(default_factory=list)


def get(session: Session, walkthrough_id: uuid.UUID) -> Walkthrough:
    found = session.get(Walkthrough, walkthrough_id)
    if found is None:
        raise NotFound()
    return found


def get_run(session: Session, run_id: uuid.UUID) -> WalkthroughRun:
    found = session.get(WalkthroughRun, run_id)
    if found is None:
        raise NotFound()
    return found


def schedule(
    session: Session, data: WalkthroughIn, actor: Actor, *, today: date | None = None
) -> Walkthrough:
    actor.require("programme.edit")
    today = today or utcnow().date()
    if session.get(Journey, data.journey_id) is None:
        raise InvalidInput("There is no such journey.", field="journey_id")
    if (
        data.owner_id is not None
        and session.scalar(
            select(Membership.id).where(
                Membership.user_id == data.owner_id, Membership.is_active.is_(True)
            )
        )
        is None
    ):
        raise InvalidInput("The owner must be a member of the organisation.", field="owner_id")
    if data.first_due < today:
        raise InvalidInput("The due date is in the past.", field="first_due")
    row = Walkthrough(
        title=data.title,
        kind=data.kind.value,
        journey_id=data.journey_id,
        owner_id=data.owner_id,
        every_days=data.every_days,
        next_due=data.first_due,
    )
    session.add(row)
    session.flush()
    return row


def listing(session: Session) -> list[Walkthrough]:
    return list(session.scalars(select(Walkthrough).order_by(Walkthrough.next_due)))


def recent_runs(session: Session, limit: int = 20) -> list[WalkthroughRun]:
    query = select(WalkthroughRun).order_by(WalkthroughRun.started_at.desc()).limit(limit)
    return list(session.scalars(query))


def start_run(session: Session, walkthrough_id: uuid.UUID, actor: Actor) -> WalkthroughRun:
    """The open run for the walkthrough's current due date, started once."""
    actor.require("walkthroughs.record")
    walk = get(session, walkthrough_id)
    if not walk.active:
        raise Conflict("This walkthrough is no longer scheduled.")
    found = session.scalar(
        select(WalkthroughRun).where(
            WalkthroughRun.walkthrough_id == walk.id,
            WalkthroughRun.due_on == walk.next_due,
            WalkthroughRun.finished_at.is_(None),
        )
    )
    if found is not None:
        return found
    run = WalkthroughRun(walkthrough_id=walk.id, due_on=walk.next_due, performed_by=actor.user_id)
    session.add(run)
    session.flush()
    return run


def checklist(session: Session, run_id: uuid.UUID) -> list[ChecklistItem]:
    """The journey's touchpoints in stage order, each with its active standards."""
    run = get_run(session, run_id)
    walk = get(session, run.walkthrough_id)
    rows = session.execute(
        select(Touchpoint)
        .join(JourneyTouchpoint, JourneyTouchpoint.touchpoint_id == Touchpoint.id)
        .join(Stage, Stage.id == JourneyTouchpoint.stage_id)
        .where(JourneyTouchpoint.journey_id == walk.journey_id)
        .order_by(Stage.position, JourneyTouchpoint.position)
    ).scalars()
    items = {t.id: ChecklistItem(t) for t in rows}
    if items:
        standards = session.execute(
            select(StandardTouchpoint.touchpoint_id, Standard)
            .join(Standard, Standard.id == StandardTouchpoint.standard_id)
            .where(StandardTouchpoint.touchpoint_id.in_(items), Standard.active.is_(True))
            .order_by(Standard.title_en)
        ).tuples()
        for touchpoint_id, standard in standards:
            items[touchpoint_id].standards.append(standard)
    return list(items.values())


def checks(session: Session, run_id: uuid.UUID) -> list[WalkthroughCheck]:
    return list(session.scalars(select(WalkthroughCheck).where(WalkthroughCheck.run_id == run_id)))


def record_check(
    session: Session, run_id: uuid.UUID, data: CheckIn, actor: Actor
) -> WalkthroughCheck:
    """Save one check on its own (a second save of the same check replaces it)."""
    actor.require("walkthroughs.record")
    run = get_run(session, run_id)
    if run.finished_at is not None:
        raise Conflict("This walk is finished; start the next one.")
    on_journey = {i.touchpoint.id: i for i in checklist(session, run_id)}
    item = on_journey.get(data.touchpoint_id)
    if item is None:
        raise InvalidInput("That touchpoint is not on this journey.", field="touchpoint_id")
    if data.standard_id is not None and data.standard_id not in {s.id for s in item.standards}:
        raise InvalidInput("That standard does not apply at this touchpoint.", field="standard_id")
    found = session.scalar(
        select(WalkthroughCheck).where(
            WalkthroughCheck.run_id == run_id,
            WalkthroughCheck.touchpoint_id == data.touchpoint_id,
            WalkthroughCheck.standard_id.is_(None)
            if data.standard_id is None
            else WalkthroughCheck.standard_id == data.standard_id,
        )
    )
    check = found or WalkthroughCheck(
        run_id=run_id, touchpoint_id=data.touchpoint_id, standard_id=data.standard_id
    )
    check.result, check.note, check.checked_at = data.result.value, redact(data.note).text, utcnow()
    session.add(check)
    session.flush()
    return check


def finish_run(session: Session, run_id: uuid.UUID, summary: str, actor: Actor) -> WalkthroughRun:
    """Close the walk; the next one falls due ``every_days`` after this one's due date."""
    actor.require("walkthroughs.record")
    run = get_run(session, run_id)
    if run.finished_at is not None:
        raise Conflict("This walk is finished already.")
    run.finished_at, run.summary = utcnow(), redact(summary.strip()[:4000]).text
    walk = get(session, run.walkthrough_id)
    if walk.every_days:
        walk.next_due = max(run.due_on, walk.next_due) + timedelta(days=walk.every_days)
    else:
        walk.active = False
    session.flush()
    return run


def failed_to_action(session: Session, check_id: uuid.UUID, actor: Actor) -> Action:
    """Turn a failed check into a programme action linked to it."""
    check = session.get(WalkthroughCheck, check_id)
    if check is None:
        raise NotFound()
    if check.result != CheckResult.FAIL:
        raise InvalidInput("Only a check that was not met becomes an action.", field="check")
    existing = session.scalar(select(Action).where(Action.walkthrough_check_id == check.id))
    if existing is not None:
        return existing
    touchpoint = session.get(Touchpoint, check.touchpoint_id)
    standard = session.get(Standard, check.standard_id) if check.standard_id else None
    place = touchpoint.name_fi if touchpoint else ""
    title = f"{place}: {standard.title_fi}" if standard else place
    return service.create_action(
        session,
        ActionIn(
            title=title[:300] or "Walkthrough",
            description=check.note,
            standard_id=check.standard_id,
        ),
        actor,
        walkthrough_check_id=check.id,
    )


def remind_overdue(session: Session, *, today: date, base_url: str) -> int:
    """One e-mail per overdue walk and due date to its owner; a re-run sends none again
    (the reminder is claimed by a compare-and-set on ``reminded_for``)."""
    org = session.get(Organisation, require_tenant(session))
    sent = 0
    for walk in session.scalars(
        select(Walkthrough).where(Walkthrough.active.is_(True), Walkthrough.next_due < today)
    ):
        if walk.owner_id is None or walk.reminded_for == walk.next_due:
            continue
        claimed = session.execute(
            update(Walkthrough)
            .where(
                Walkthrough.id == walk.id,
                or_(Walkthrough.reminded_for.is_(None), Walkthrough.reminded_for != walk.next_due),
            )
            .values(reminded_for=walk.next_due)
            .execution_options(synchronize_session=False)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            continue
        owner = session.get(User, walk.owner_id)
        if owner is None or not owner.is_active:
            continue
        locale = owner.locale or (org.default_locale if org else "fi")
        link = f"{base_url.rstrip('/')}/programme/walkthroughs"
        subject = gettext(locale, "Walkthrough overdue: %(title)s", title=walk.title)
        text = gettext(
            locale,
            "The walkthrough %(title)s was due on %(date)s. When did you last test your "
            "customer's journey yourself? Start the walk here: %(link)s",
            title=walk.title,
            date=walk.next_due.isoformat(),
            link=link,
        )
        enqueue_mail(session, to=owner.email, subject=subject, text=text)
        sent += 1
    return sent
