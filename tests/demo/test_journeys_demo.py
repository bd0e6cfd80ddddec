"""The demo's journeys: a real catalogue, customers with CRM data and paths that vary."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import Counter, defaultdict
from typing import Any

import pytest
from sqlalchemy import func, select

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.models import Organisation
from kohtaamo.accounts.permissions import Role
from kohtaamo.demo import paths_sim as sim
from kohtaamo.demo import seed_demo
from kohtaamo.demo.journeys_nordic import TOUCHPOINTS as NORDIC_TOUCHPOINTS
from kohtaamo.journeys.analytics import PathQuery, database_loader, path_report
from kohtaamo.journeys.catalogue import Channel
from kohtaamo.journeys.models import (
    Customer,
    InteractionEvent,
    Journey,
    JourneyTouchpoint,
    Stage,
    Team,
    Touchpoint,
)
from kohtaamo.journeys.pathstore import PathStore
from kohtaamo.storage.db import Database
from tests.demo.helpers import empty

MAIN, SECOND = "elamys", "nordic-events"


def org_id(db: Database, slug: str) -> Any:
    with db.engine.connect() as conn:
        return conn.scalar(select(Organisation.id).where(Organisation.slug == slug))


def paths(db: Database, slug: str = MAIN) -> dict[str, list[str]]:
    """Each customer's touchpoint keys in time order (ties in arrival order)."""
    stmt = (
        select(Customer.external_id, Touchpoint.key)
        .select_from(InteractionEvent)
        .join(Customer, Customer.id == InteractionEvent.customer_id)
        .join(Touchpoint, Touchpoint.id == InteractionEvent.touchpoint_id)
        .where(InteractionEvent.organisation_id == org_id(db, slug))
        .order_by(Customer.external_id, InteractionEvent.occurred_at, InteractionEvent.id)
    )
    found: dict[str, list[str]] = defaultdict(list)
    with db.engine.connect() as conn:
        for customer, key in conn.execute(stmt):
            found[customer].append(key)
    return dict(found)


def fingerprint(db: Database) -> dict[str, Any]:
    """Touchpoints, journeys, customers and events by natural keys, events as one hash."""
    with db.engine.connect() as conn:
        slug = dict(conn.execute(select(Organisation.id, Organisation.slug)).all())
        team = dict(conn.execute(select(Team.id, Team.name)).all())
        touchpoints = sorted(
            (
                slug[t.organisation_id],
                t.key,
                t.name_fi,
                t.channel,
                team[t.owner_team_id],
                t.critical,
            )
            for t in conn.execute(select(Touchpoint))
        )
        placed = conn.execute(
            select(Journey.organisation_id, Journey.key, Journey.name, Stage.position,
                   Stage.name_en, JourneyTouchpoint.position, Touchpoint.key)
            .join(Stage, Stage.journey_id == Journey.id)
            .join(JourneyTouchpoint, JourneyTouchpoint.stage_id == Stage.id)
            .join(Touchpoint, Touchpoint.id == JourneyTouchpoint.touchpoint_id)
        ).all()  # fmt: skip
        journeys = sorted((slug[org], *rest) for org, *rest in placed)
        customers = hashlib.sha256()
        for row in conn.execute(
            select(Customer.organisation_id, Customer.external_id, Customer.segment,
                   Customer.region, Customer.plan, Customer.customer_since, Customer.purchases,
                   Customer.lifetime_value, Customer.locale, Customer.attributes,
                   Customer.consents)
            .order_by(Customer.organisation_id, Customer.external_id)
        ):  # fmt: skip
            values = [slug[row[0]], *row[1:]]
            customers.update(json.dumps(values, sort_keys=True, default=str).encode())
        events = hashlib.sha256()
        counts: Counter[str] = Counter()
        for org, ext, key, at in conn.execute(
            select(InteractionEvent.organisation_id, Customer.external_id, Touchpoint.key,
                   InteractionEvent.occurred_at)
            .select_from(InteractionEvent)
            .join(Customer, Customer.id == InteractionEvent.customer_id)
            .join(Touchpoint, Touchpoint.id == InteractionEvent.touchpoint_id)
            .order_by(Customer.external_id, InteractionEvent.occurred_at, InteractionEvent.id)
        ):  # fmt: skip
            counts[slug[org]] += 1
            events.update(f"{slug[org]}|{ext}|{key}|{at.isoformat()}\n".encode())
    return {
        "touchpoints": touchpoints,
        "journeys": journeys,
        "customers": customers.hexdigest(),
        "event counts": dict(counts),
        "events": events.hexdigest(),
    }


def test_the_same_seed_makes_the_same_journeys_customers_and_paths(db: Database) -> None:
    seed_demo(db, size=500, seed=3)
    first = fingerprint(db)
    empty(db)
    seed_demo(db, size=500, seed=3)
    assert fingerprint(db) == first
    empty(db)
    seed_demo(db, size=500, seed=4)

    other = fingerprint(db)
    assert other["events"] != first["events"] and other["customers"] != first["customers"]
    assert other["touchpoints"] == first["touchpoints"], "the catalogue does not depend on it"


def test_counts_scale_with_size(db: Database) -> None:
    small = seed_demo(db, size=300).counts
    empty(db)
    large = seed_demo(db, size=3_000).counts

    assert (small["customers"], large["customers"]) == (300, 3_000)
    for counts in (small, large):
        assert 6 * counts["customers"] < counts["interaction events"] < 8 * counts["customers"]
        assert counts["touchpoints"] == 25 and counts["journeys"] == 2
    with db.engine.connect() as conn:
        stored = conn.scalar(
            select(func.count()).where(InteractionEvent.organisation_id == org_id(db, MAIN))
        )
    assert stored == large["interaction events"]


def test_the_catalogue_covers_every_channel_and_team(db: Database) -> None:
    seed_demo(db, size=100)
    with db.transaction(org_id(db, MAIN), readonly=True) as session:
        teams = {t.id: t.name for t in session.scalars(select(Team))}
        touchpoints = [
            (t.channel, t.owner_team_id, t.factor_group, t.critical, t.expectation, t.name_sv)
            for t in session.scalars(select(Touchpoint))
        ]
    channels = {channel for channel, *_ in touchpoints}

    assert len(touchpoints) == 25
    assert channels == {s.channel for s in sim.TOUCHPOINTS}
    assert channels == {c.value for c in Channel} - {"other"}
    assert all(owner in teams for _, owner, *_ in touchpoints), "every touchpoint has an owner"
    assert {teams[owner] for _, owner, *_ in touchpoints} == set(sim.TEAMS)
    assert {factor for _, _, factor, *_ in touchpoints} == {
        "content",
        "functional",
        "psychological",
    }
    assert 0 < sum(critical for *_, critical, _, _ in touchpoints) < 25
    assert all(expectation and name_sv for *_, expectation, name_sv in touchpoints)


def test_journeys_have_ordered_stages_and_share_touchpoints(db: Database) -> None:
    seed_demo(db, size=100)
    with db.transaction(org_id(db, MAIN), readonly=True) as session:
        found = {}
        for journey in session.scalars(select(Journey)):
            stages = [
                (
                    stage.position,
                    stage.name_en,
                    list(
                        session.scalars(
                            select(Touchpoint.key)
                            .join(
                                JourneyTouchpoint, JourneyTouchpoint.touchpoint_id == Touchpoint.id
                            )
                            .where(JourneyTouchpoint.stage_id == stage.id)
                            .order_by(JourneyTouchpoint.position)
                        )
                    ),
                )
                for stage in journey.stages
            ]
            found[journey.key] = (journey.target_segment, stages)

    assert found == {
        spec.key: (spec.segment, [(i, en, keys) for i, (_, en, _, keys) in enumerate(spec.stages)])
        for spec in sim.JOURNEYS
    }
    consumer, corporate = ({k for _, _, keys in found[j][1] for k in keys} for j in found)
    assert consumer & corporate == {"service.phone", "feedback.survey"}


def test_paths_vary_with_drop_offs_skips_and_loops_back_to_service(db: Database) -> None:
    seed_demo(db)  # small: 2,000 customers
    by_customer = paths(db)
    variants = Counter(tuple(p) for p in by_customer.values())

    assert len(by_customer) == 2_000
    assert len(variants) > 50
    assert variants.most_common(1)[0][1] < 0.3 * len(by_customer), "no single path dominates"
    consumers = [p for c, p in by_customer.items() if c.startswith("C")]
    assert sum(1 for p in consumers if "event.show" not in p) > 0.2 * len(consumers)  # drop-offs
    assert any(p[-1] in ("web.event_page", "web.checkout") for p in consumers)
    assert any("reminder.email" not in p and "event.show" in p for p in consumers)  # skips
    loops = [
        p for p in by_customer.values()
        if "service.phone" in p and any(k in p[: p.index("service.phone")] for k in
                                        ("payment", "event.show", "invoice", "refund.request"))
    ]  # fmt: skip
    assert len(loops) > 20, "customers come back to customer service after buying"
    assert any(p.count("service.phone") > 1 for p in by_customer.values())


def test_customers_agree_with_their_paths(db: Database) -> None:
    seed_demo(db)
    main = org_id(db, MAIN)
    spent: dict[str, float] = defaultdict(float)
    bought: Counter[str] = Counter()
    with db.engine.connect() as conn:
        for ext, value in conn.execute(
            select(Customer.external_id, InteractionEvent.order_value)
            .select_from(InteractionEvent)
            .join(Customer, Customer.id == InteractionEvent.customer_id)
            .where(InteractionEvent.organisation_id == main, InteractionEvent.order_value > 0)
        ):
            spent[ext] += value
            bought[ext] += 1
        customers = conn.execute(select(Customer).where(Customer.organisation_id == main)).all()

    assert len(customers) == 2_000
    for c in customers:
        assert c.lifetime_value >= spent[c.external_id] - 0.01
        assert c.purchases >= bought[c.external_id]
        assert c.segment == ("corporate" if c.external_id.startswith("Y") else "consumer")
        assert c.plan in (
            ("smb", "enterprise") if c.segment == "corporate" else ("basic", "member", "vip")
        )
        assert c.region and c.customer_since and set(c.consents) == {"surveys", "marketing"}
        assert c.attributes["sub_segment"]
    corporate = [c for c in customers if c.segment == "corporate"]
    assert 0.06 < len(corporate) / len(customers) < 0.14
    assert all("business_id" in c.attributes and "company" in c.attributes for c in corporate)
    locales = Counter(c.locale for c in customers)
    assert locales["fi"] > 0.8 * len(customers)
    assert 0.03 < locales["sv"] / len(customers) < 0.09
    assert 0.025 < locales["en"] / len(customers) < 0.08
    plans = Counter(c.plan for c in customers)
    assert all(plans[p] for p in ("basic", "member", "vip", "smb", "enterprise"))
    # Lifetime value includes earlier years: most long-standing customers have more.
    assert sum(1 for c in customers if c.lifetime_value > spent[c.external_id] + 1) > 500


def test_shared_touchpoints_belong_to_the_customers_journey(db: Database) -> None:
    seed_demo(db, size=1_000)
    main = org_id(db, MAIN)
    with db.engine.connect() as conn:
        journeys = dict(conn.execute(select(Journey.id, Journey.key)).all())
        rows = conn.execute(
            select(Customer.segment, Touchpoint.key, InteractionEvent.journey_id)
            .select_from(InteractionEvent)
            .join(Customer, Customer.id == InteractionEvent.customer_id)
            .join(Touchpoint, Touchpoint.id == InteractionEvent.touchpoint_id)
            .where(InteractionEvent.organisation_id == main)
        ).all()
    seen = {(segment, key, journeys[j]) for segment, key, j in rows}
    assert ("consumer", "service.phone", "consumer-ticket") in seen
    assert ("corporate", "service.phone", "corporate-event") in seen
    assert ("corporate", "feedback.survey", "corporate-event") in seen
    assert ("consumer", "payment", "consumer-ticket") in seen
    assert not {s for s in seen if s[1] == "invoice" and s[2] != "corporate-event"}


def test_path_analytics_give_the_consumer_funnel(db: Database) -> None:
    seed_demo(db)
    main = org_id(db, MAIN)
    store = PathStore(database_loader(db))
    with db.transaction(main, readonly=True) as session:
        journey = session.scalar(select(Journey).where(Journey.key == "consumer-ticket"))
        assert journey is not None
        report = path_report(
            session, store, Actor(main, role=Role.OWNER), PathQuery(journey_id=journey.id)
        )

    steps = [step.reached for _, step in report.funnel]
    assert [spec.name for spec, _ in report.funnel] == [
        "Awareness", "Consideration", "Purchase", "Before the event", "The event", "After"
    ]  # fmt: skip
    assert len(steps) == 6 and steps[-1] > 0
    assert all(a > b for a, b in itertools.pairwise(steps)), steps
    assert report.variants_total > 50 and report.customers > 1_500


def test_the_second_organisation_has_its_own_small_journey(db: Database) -> None:
    seed_demo(db, size=200)
    second = org_id(db, SECOND)
    with db.transaction(second, readonly=True) as session:
        keys = set(session.scalars(select(Touchpoint.key)))
        journeys = list(session.scalars(select(Journey.key)))
        customers = session.scalar(select(func.count()).select_from(Customer))
    assert keys == {t.key for t in NORDIC_TOUCHPOINTS}
    assert journeys == ["festival-pass"]
    assert customers == 300
    by_customer = paths(db, SECOND)
    assert 300 * 2 < sum(len(p) for p in by_customer.values()) < 300 * 8
    assert set().union(*by_customer.values()) <= keys
    # The same key is another touchpoint in each organisation.
    with db.engine.connect() as conn:
        newsletters = conn.execute(select(Touchpoint.name_en).where(Touchpoint.key == "event.show"))
        assert sorted(n for (n,) in newsletters) == ["The concert", "The show"]


@pytest.mark.parametrize("seed", [42])
def test_demo_paths_are_the_benchmarks_paths(db: Database, seed: int) -> None:
    """The database holds exactly what paths_sim.simulate yields for the demo's seed."""
    seed_demo(db, size=300, seed=seed)
    keys = sim.touchpoint_keys()
    corporate = sim.is_corporate(300, seed)
    expected: dict[str, list[str]] = defaultdict(list)
    for chunk in sim.simulate(300, seed):
        for number, tp in zip(chunk.customer.tolist(), chunk.touchpoint.tolist(), strict=True):
            expected[f"{'Y' if corporate[number] else 'C'}{number + 1:07d}"].append(keys[tp])
    assert paths(db) == expected
