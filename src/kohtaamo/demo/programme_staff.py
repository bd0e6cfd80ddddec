"""Demo programme, the people's part: staff observations on the board (voted, added to,
one made an action, one declined with a reason) and journey walkthroughs (a quarterly walk
of the consumer journey done two months ago, whose failed check became an action, and a
corporate walk a week overdue). Written as the services would write them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.journeys.models import Journey
from kohtaamo.programme.models import (
    Action,
    Observation,
    ObservationNote,
    ObservationVote,
    Standard,
    StandardTouchpoint,
    Walkthrough,
    WalkthroughCheck,
    WalkthroughRun,
)

# (kind, touchpoint key or None, text, votes, status, decision note)
OBSERVATIONS = [
    (
        "want",
        "venue.entry",
        "Perheet kysyvät, voisiko lastenvaunuille olla oma sisäänkäynti.",
        4,
        "action",
        "Kokeillaan omaa kaistaa kevään perhenäytöksissä.",
    ),
    (
        "said",
        "invoice",
        "Yritysasiakas ei ymmärtänyt laskun rivejä 'palvelumaksu' ja 'tilavuokra'.",
        5,
        "standard",
        "Lisätty laskun standardiin: jokainen rivi selvää kieltä.",
    ),
    (
        "change",
        "web.checkout",
        "Yhä useampi ostaa lipun puhelimella juuri ennen esitystä.",
        3,
        "discussed",
        "",
    ),
    (
        "idea",
        "chat.faq",
        "Chatbotti voisi vastata lippujen siirtoihin yöllä.",
        1,
        "declined",
        "Asiakkaat haluavat ihmisen: pidämme chatin ihmisvetoisena ja pidennämme aukioloa.",
    ),
    ("said", "venue.bar", "Väliajalla baarijono on niin pitkä, että moni luopuu.", 6, "new", ""),
    ("want", "ticket.email", "Asiakkaat toivovat lippuun pysäköintiohjeet.", 2, "new", ""),
    (
        "said",
        "service.phone",
        "Soittajat kiittävät, kun vastaaja tietää heidän tilauksensa.",
        2,
        "new",
        "",
    ),
    (
        "idea",
        "event.show",
        "Esityksen jälkeen voisi olla lyhyt tapaaminen esiintyjien kanssa.",
        3,
        "new",
        "",
    ),
]


def write_observations(
    session: Session, tps: dict[str, uuid.UUID], staff: list[uuid.UUID], when: datetime
) -> int:
    if not staff:
        return 0
    for n, (kind, tp, text, votes, status, note) in enumerate(OBSERVATIONS, start=1):
        author = staff[n % len(staff)]
        row = Observation(
            number=n,
            author_id=author,
            touchpoint_id=tps.get(tp) if tp else None,
            kind=kind,
            body=text,
            status=status,
            decision_note=note,
            created_at=when - timedelta(days=40 - 4 * n),
        )
        if status in {"action", "standard", "declined", "discussed"}:
            row.decided_by, row.decided_at = staff[0], when - timedelta(days=30 - 3 * n)
        if status == "standard" and tp:
            row.standard_id = session.scalar(
                select(StandardTouchpoint.standard_id).where(
                    StandardTouchpoint.touchpoint_id == tps[tp]
                )
            )
        session.add(row)
        session.flush()
        voters = [u for u in staff if u != author][:votes]
        session.add_all(ObservationVote(observation_id=row.id, user_id=u) for u in voters)
        row.votes = len(voters)
        if n <= 2:
            session.add(
                ObservationNote(
                    observation_id=row.id,
                    author_id=staff[0],
                    body="Sama kuultu myös viime viikolla.",
                )
            )
        if status == "action":
            number = int(session.scalar(select(Action.number).order_by(Action.number.desc())) or 0)
            session.add(
                Action(
                    number=number + 1,
                    title="Oma kaista lastenvaunuille",
                    description=text,
                    observation_id=row.id,
                    status="planned",
                    due_date=when.date() + timedelta(days=120),
                )
            )
    return len(OBSERVATIONS)


def write_walkthroughs(
    session: Session, tps: dict[str, uuid.UUID], owner: uuid.UUID | None, today: date
) -> int:
    journeys = {j.key: j.id for j in session.scalars(select(Journey))}
    if "consumer-ticket" not in journeys:
        return 0
    quarterly = Walkthrough(
        title="Kuluttajan lippupolku neljännesvuosittain",
        journey_id=journeys["consumer-ticket"],
        owner_id=owner,
        every_days=90,
        next_due=today + timedelta(days=30),
    )
    overdue = Walkthrough(
        title="Yritystilaisuuden polku (haamuasiointi)",
        kind="mystery_shop",
        journey_id=journeys.get("corporate-event", journeys["consumer-ticket"]),
        owner_id=owner,
        every_days=180,
        next_due=today - timedelta(days=7),
    )
    session.add_all([quarterly, overdue])
    session.flush()
    run = WalkthroughRun(
        walkthrough_id=quarterly.id,
        due_on=today - timedelta(days=60),
        performed_by=owner,
        started_at=datetime.combine(today - timedelta(days=59), datetime.min.time(), UTC),
        finished_at=datetime.combine(today - timedelta(days=59), datetime.min.time(), UTC)
        + timedelta(hours=3),
        summary="Osto sujui, ovella jonoa 18 minuuttia.",
    )
    session.add(run)
    session.flush()
    standards = dict(
        session.execute(
            select(StandardTouchpoint.touchpoint_id, Standard.id).join(
                Standard, Standard.id == StandardTouchpoint.standard_id
            )
        )
        .tuples()
        .all()
    )
    failed_id = None
    for key, result, note in (
        ("web.checkout", "pass", "Ostos valmis 1 min 40 s."),
        ("ticket.email", "pass", "Lippu tuli kahdessa minuutissa."),
        ("venue.entry", "fail", "Jonotin ovella 18 minuuttia; vain yksi kaista auki."),
    ):
        if key not in tps:
            continue
        check = WalkthroughCheck(
            run_id=run.id,
            touchpoint_id=tps[key],
            standard_id=standards.get(tps[key]),
            result=result,
            note=note,
            checked_at=run.started_at,
        )
        session.add(check)
        session.flush()
        if result == "fail":
            failed_id = check.id
    if failed_id is not None:
        linked = session.scalar(select(Action).where(Action.title.like("Kaksi lisäkaistaa%")))
        if linked is not None:
            linked.walkthrough_check_id = failed_id
    return 2
